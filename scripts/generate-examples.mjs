// Regenerates examples/, .env.example and the flag table of docs/options.md from the built CLI
// (npm run examples).
// Credentials come from a fixed seed per example so the committed files are stable; the
// example-drift test fails when this script would change a byte.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { envExample } from '../dist/render/env-example.js';
import { withOptionsTable } from '../dist/cli/options-table.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const examples = JSON.parse(readFileSync(join(root, 'examples', 'examples.json'), 'utf8'));
for (const { dir, args } of examples) {
  const out = join(root, 'examples', dir);
  // Generated fresh, as the drift test does: regenerated over the old files, the state file
  // would remember the steps that change printed for a running cluster.
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(root, 'dist/bundle/gen-compose.js'), ...args, '--out', out, '--force', '--secrets-seed', `examples/${dir}`],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  console.log(`examples/${dir}`);
}
writeFileSync(join(root, '.env.example'), envExample());
console.log('.env.example');
const optionsDoc = join(root, 'docs', 'options.md');
writeFileSync(optionsDoc, withOptionsTable(readFileSync(optionsDoc, 'utf8')));
console.log('docs/options.md');
