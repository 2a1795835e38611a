// A defect's stack is printed mapped back to src/ through the bundle's source maps, which are
// read only then (src/cli/stack.ts): this maps a real position in the built bundle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mappedStack } from '../src/cli/stack.js';
import { ROOT } from './helpers.js';

test('a frame in the minified bundle maps to the source file and line it came from', () => {
  // The bin holds the fast path (fast-args.ts), the one place there comparing with "--version".
  const file = join(ROOT, 'dist', 'bundle', 'gen-compose.js');
  const text = readFileSync(file, 'utf8');
  const offset = text.indexOf('"--version"');
  const line = text.slice(0, offset).split('\n').length;
  const column = offset - text.lastIndexOf('\n', offset - 1);
  const mapped = mappedStack(`Error: x\n    at f (${file}:${line}:${column})`);
  const source = readFileSync(join(ROOT, 'src', 'cli', 'fast-args.ts'), 'utf8').split('\n');
  const sourceLine = source.findIndex((l) => l.includes("'--version'")) + 1;
  expect(mapped).toMatch(
    new RegExp(`at f \\(${join(ROOT, 'src', 'cli', 'fast-args.ts').replace(/[/.]/g, '\\$&')}:${sourceLine}:\\d+\\)$`),
  );
  // A frame outside the bundle stays as it was.
  expect(mappedStack('    at g (node:internal/process:1:2)')).toBe('    at g (node:internal/process:1:2)');
});
