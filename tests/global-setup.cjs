// Runs once per Jest run, before any test file.
// 1. Names the run, so that what should happen once per run (a skip line) can tell this run
//    from an earlier one. Test files and workers inherit the variable.
// 2. Tests import src/ but run the CLI from its bundle (dist/bundle): a bundle older than any
//    source or template is rebuilt first, so one test file run by hand never tests stale code.
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);

module.exports = async () => {
  process.env.GEN_COMPOSE_TEST_RUN = `${process.pid}-${Date.now()}`;
  const bin = join(root, 'dist', 'bundle', 'gen-compose.js');
  const sources = Math.max(
    newest(join(root, 'src')),
    newest(join(root, 'compose-templates')),
    statSync(join(root, 'scripts', 'bundle.mjs')).mtimeMs,
  );
  if (!existsSync(bin) || statSync(bin).mtimeMs < sources) {
    process.stderr.write('dist/ is older than src/: npm run build first\n');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
};
