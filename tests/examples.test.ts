import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envExample } from '../src/render/env-example.js';
import { loadCompose } from '../src/load/loader.js';
import { ROOT, runCli, schemaErrors, tempDir } from './helpers.js';

const examples: { dir: string; args: string[] }[] = JSON.parse(readFileSync(join(ROOT, 'examples', 'examples.json'), 'utf8'));

// The committed examples are what a reader of this repository sees; they must be exactly what
// the generator writes today. `npm run examples` regenerates them.
describe.each(examples)('examples/$dir', ({ dir, args }) => {
  test('regenerating changes no byte', () => {
    const tmp = tempDir();
    try {
      const r = runCli([...args, '--out', tmp.path, '--force', '--secrets-seed', `examples/${dir}`]);
      expect(r.status).toBe(0);
      for (const file of ['docker-compose.yaml', '.env', '.gen-compose.json']) {
        const committed = readFileSync(join(ROOT, 'examples', dir, file), 'utf8');
        const fresh = readFileSync(join(tmp.path, file), 'utf8');
        expect({ file, content: fresh }).toEqual({ file, content: committed });
      }
    } finally {
      tmp.remove();
    }
  });

  test('validates against the Compose Specification', () => {
    expect(schemaErrors(loadCompose(join(ROOT, 'examples', dir)).raw)).toEqual([]);
  });
});

test('.env.example is current', () => {
  expect(readFileSync(join(ROOT, '.env.example'), 'utf8')).toBe(envExample());
});
