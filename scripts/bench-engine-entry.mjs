// npm run bench's engine part: as root, prepares the engine (tests/engine/with-engine.sh) and
// runs scripts/bench-engine.mjs; otherwise prints one line saying how to get those figures.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (process.getuid?.() !== 0) {
  console.log(
    '\nengine figures skipped: they need root (to start Docker Engine and network namespaces): sudo npm run bench',
  );
  process.exit(0);
}
const args = ['tests/engine/with-engine.sh', process.execPath, 'scripts/bench-engine.mjs', ...process.argv.slice(2)];
const r = spawnSync('bash', args, { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
