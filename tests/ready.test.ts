import { join } from 'node:path';
import { runCli, tempDir } from './helpers.js';

// `gen-compose ready` refuses what no amount of waiting fixes, at once, in one line (exit 2).
// Its waiting itself is proven on real Docker (tests/engine/day-two.test.ts).
let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir();
  expect(runCli(['--out', join(dir.path, 'compose')]).status).toBe(0);
  expect(runCli(['--target', 'swarm', '--out', join(dir.path, 'swarm')]).status).toBe(0);
});
afterAll(() => dir.remove());

test.each<[string, (d: string) => string[], string]>([
  ['a directory that does not exist', (d) => ['ready', join(d, 'none')], 'DIR/none does not exist'],
  [
    'a time-out that is no number',
    (d) => ['ready', join(d, 'compose'), '--timeout', 'x'],
    '--timeout must be a number of seconds above 0, got "x"',
  ],
  [
    'a time-out of 0',
    (d) => ['ready', join(d, 'compose'), '--timeout', '0'],
    '--timeout must be a number of seconds above 0, got "0"',
  ],
  [
    'leaving nodes that are no node IDs',
    (d) => ['ready', join(d, 'compose'), '--leaving', '4,5'],
    '--leaving takes Restate node IDs such as N4,N5, got "4,5"',
  ],
  [
    'a Swarm stack',
    (d) => ['ready', join(d, 'swarm')],
    "ready works on a compose project; DIR/swarm/docker-stack.yaml is a Swarm stack (follow its README's steps)",
  ],
])('ready refuses %s', (_, args, message) => {
  const r = runCli(args(dir.path));
  expect({ status: r.status, stderr: r.stderr }).toEqual({
    status: 2,
    stderr: `gen-compose: ${message.replace('DIR', dir.path)}\n`,
  });
});
