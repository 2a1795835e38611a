import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { envExample } from '../src/render/env-example.js';
import { loadCompose } from '../src/load/loader.js';
import { ROOT, runCli, schemaErrors } from './helpers.js';

const examples: { dir: string; args: string[] }[] = JSON.parse(readFileSync(join(ROOT, 'examples', 'examples.json'), 'utf8'));

/** Every file below a directory and its content (git keeps no modes but the executable bit). */
function contents(dir: string, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? Object.entries(contents(join(dir, entry.name), `${prefix}${entry.name}/`))
        : [[`${prefix}${entry.name}`, readFileSync(join(dir, entry.name), 'utf8')]],
    ),
  );
}

// The committed examples are what a reader of this repository sees; they must be exactly what
// the generator writes today, every file of them. `npm run examples` regenerates them.
describe.each(examples)('examples/$dir', ({ dir, args }) => {
  test('regenerating changes no byte of any file', () => {
    // Beside the examples, at their depth: the "Regenerate" line names gen-compose by its path
    // relative to the output directory.
    const fresh = mkdtempSync(join(ROOT, 'examples', `.drift-${dir}-`));
    try {
      const r = runCli([...args, '--out', fresh, '--force', '--secrets-seed', `examples/${dir}`]);
      expect(r.status).toBe(0);
      expect(contents(fresh)).toEqual(contents(join(ROOT, 'examples', dir)));
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test('validates against the Compose Specification', () => {
    expect(schemaErrors(loadCompose(join(ROOT, 'examples', dir)).raw)).toEqual([]);
  });
});

test('.env.example is current', () => {
  expect(readFileSync(join(ROOT, '.env.example'), 'utf8')).toBe(envExample());
});
