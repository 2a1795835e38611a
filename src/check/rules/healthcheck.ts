import { isRestateService } from '../../restate/services.js';
import type { Finding, ServiceRule } from './rule.js';

export const healthcheck: ServiceRule = {
  id: 'healthcheck',
  summary:
    "each Restate node has a healthcheck, and no healthcheck calls a tool its image lacks (wget in Restate's, curl in MinIO's)",
  fix: 'probe with curl in Restate\'s image (curl http://localhost:9070/health), with ["CMD", "mc", "ready", "local"] in MinIO\'s',
  each: 'service',
  check: (s) => {
    const findings: Finding[] = [];
    const say = (message: string, severity: Finding['severity'] = 'error') =>
      findings.push({ severity, rule: 'healthcheck', service: s.name, message });
    const restate = isRestateService(s);
    const test = s.healthcheck?.test;
    const testText = Array.isArray(test) ? test.join(' ') : (test ?? '');
    if (restate && /\bwget\b/.test(testText))
      say(`the healthcheck calls wget, which the Restate image does not have (it has curl): it never passes`);
    if (/(^|\/)minio\/minio([:@]|$)/.test(s.image ?? '') && /\bcurl\b/.test(testText))
      say(
        'the healthcheck calls curl, which MinIO images have not shipped since late 2023: use ["CMD", "mc", "ready", "local"]',
      );
    if (restate && !s.healthcheck)
      say(
        'no healthcheck: nothing can wait for this node to be ready (curl http://localhost:9070/health works in the image)',
        'warning',
      );
    return findings;
  },
};
