// Grafana stand-in: Grafana is in neither Debian nor npm, so the engine tests run this in its
// place. It answers Grafana's health endpoint and checks that the provisioning files the
// generated compose file mounts are where Grafana reads them; it renders nothing.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';

const provisioning = ['/etc/grafana/provisioning/datasources', '/etc/grafana/provisioning/dashboards'];
const missing = provisioning.filter((dir) => !existsSync(dir));
if (missing.length > 0) console.error(`grafana stand-in: missing ${missing.join(', ')}`);
if (!process.env.GF_SECURITY_ADMIN_PASSWORD) {
  console.error('grafana stand-in: GF_SECURITY_ADMIN_PASSWORD is not set');
  process.exit(1);
}
createServer((req, res) => {
  if (req.url === '/api/health') {
    res.writeHead(missing.length ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ database: 'ok', provisioning: missing.length ? 'missing' : 'ok' }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('Grafana stand-in\n');
}).listen(3000, '0.0.0.0');
process.on('SIGTERM', () => process.exit(0));
