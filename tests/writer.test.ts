import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  realFileOps,
  recoverInterruptedWrite,
  STAGING_DIR,
  writeFiles,
  WriteFailed,
  type FileOps,
} from '../src/write/writer.js';
import { tempDir } from './helpers.js';

/** Everything under a directory: files with their content, directories as null. */
function snapshot(root: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        out[`${relative(root, path)}/`] = null;
        walk(path);
      } else out[relative(root, path)] = `${(statSync(path).mode & 0o777).toString(8)} ${readFileSync(path, 'utf8')}`;
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

class InjectedFault extends Error {}

/**
 * The real operations, with the n-th one failing. 'fail': that one operation throws (a full
 * disk, an immutable file) and the writer carries on handling it; 'crash': it and every later one
 * throws, as if the process died there (SIGKILL, power loss): nothing after it happens. A number
 * instead of a mode: operation failAt fails, and the process dies at that later operation.
 */
function faulty(failAt: number, mode: 'fail' | 'crash' | number): { ops: FileOps; count: () => number } {
  let n = 0;
  const crashAt = mode === 'fail' ? Infinity : mode === 'crash' ? failAt : mode;
  const ops = Object.fromEntries(
    Object.entries(realFileOps).map(([name, op]) => [
      name,
      (...args: unknown[]) => {
        n += 1;
        if (n === failAt || n >= crashAt) throw new InjectedFault(`injected fault at operation ${n} (${name})`);
        return (op as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as FileOps;
  return { ops, count: () => n };
}

/** Runs an operation that may meet an injected fault; any other error fails the test. */
function attempt(operation: () => unknown): InjectedFault | undefined {
  try {
    operation();
    return undefined;
  } catch (error) {
    const cause = error instanceof WriteFailed ? error.cause : error;
    if (cause instanceof InjectedFault) return cause;
    throw error;
  }
}

const file = (path: string, content: string, mode = 0o644) => ({ path, content, mode });

interface Scenario {
  name: string;
  /** The directory before the write (files relative to it). */
  before: Record<string, string>;
  files: ReturnType<typeof file>[];
  stale: string[];
}

const scenarios: Scenario[] = [
  {
    name: 'a new cluster into an empty directory',
    before: {},
    files: [
      file('docker-compose.yaml', 'compose new\n'),
      file('.env', 'env new\n', 0o600),
      file('haproxy/haproxy.cfg', 'lb new\n'),
    ],
    stale: [],
  },
  {
    name: 'a regeneration that replaces, adds and removes files beside a file of the user',
    before: {
      'docker-compose.yaml': 'compose old\n',
      '.env': 'env old\n',
      'README.md': 'readme old\n',
      'haproxy/haproxy.cfg': 'lb old\n',
      'notes.txt': "the user's own\n",
    },
    files: [
      file('docker-compose.yaml', 'compose new\n'),
      file('.env', 'env new\n', 0o600),
      file('README.md', 'readme new\n'),
      file('prometheus/prometheus.yml', 'prometheus new\n'),
    ],
    stale: ['haproxy/haproxy.cfg'],
  },
];

function prepare(root: string, s: Scenario): string {
  const dir = join(root, 'out');
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(s.before)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    // As gen-compose wrote them: an existing file keeps its mode through a rewrite.
    writeFileSync(join(dir, path), content, { mode: path === '.env' ? 0o600 : 0o644 });
  }
  return dir;
}

describe.each(scenarios)('writing $name', (s) => {
  let root: ReturnType<typeof tempDir>;
  let oldSet: Record<string, string | null>;
  let newSet: Record<string, string | null>;
  let operations: number;
  beforeAll(() => {
    root = tempDir();
    const dir = prepare(root.path, s);
    cpSync(dir, join(root.path, 'pristine'), { recursive: true });
    oldSet = snapshot(dir);
    const clean = faulty(Infinity, 'fail');
    writeFiles(dir, s.files, s.stale, clean.ops);
    operations = clean.count();
    newSet = snapshot(dir);
  });
  afterAll(() => root.remove());

  test('a clean write gives exactly the new files, and removes the stale ones', () => {
    for (const f of s.files) expect(newSet[f.path]).toBe(`${f.mode.toString(8)} ${f.content}`);
    for (const path of s.stale) expect(newSet[path]).toBeUndefined();
    expect(Object.keys(newSet).some((p) => p.startsWith('.gen-compose'))).toBe(false);
    expect(operations).toBeGreaterThan(s.files.length * 2);
  });

  test('a failing operation at any step: an error leaves the old directory byte for byte, success the new', () => {
    let failed = 0;
    for (let k = 1; k <= operations; k++) {
      const dir = join(root.path, `fail-${k}`);
      cpSync(join(root.path, 'pristine'), dir, { recursive: true });
      const error = attempt(() => writeFiles(dir, s.files, s.stale, faulty(k, 'fail').ops));
      // A failure while deleting the finished staging directory is no failure of the write:
      // the files are in place and the next run removes the garbage.
      recoverInterruptedWrite(dir);
      expect([k, snapshot(dir)]).toEqual([k, error ? oldSet : newSet]);
      if (error) failed++;
      rmSync(dir, { recursive: true, force: true });
    }
    expect(failed).toBeGreaterThan(operations / 2);
  });

  test('a crash at any step, and again at any step of the recovery, leaves the old or the new directory', () => {
    let sawOld = 0;
    let sawNew = 0;
    for (let k = 1; k <= operations; k++) {
      const crashed = join(root.path, `crash-${k}`);
      rmSync(crashed, { recursive: true, force: true });
      cpSync(join(root.path, 'pristine'), crashed, { recursive: true });
      attempt(() => writeFiles(crashed, s.files, s.stale, faulty(k, 'crash').ops));
      // The recovery itself crashes at each of its steps, then a later run recovers again.
      for (let j = 1; ; j++) {
        const dir = join(root.path, `crash-${k}-${j}`);
        cpSync(crashed, dir, { recursive: true });
        const recovery = faulty(j, 'crash');
        attempt(() => recoverInterruptedWrite(dir, recovery.ops));
        const finished = recovery.count() < j;
        recoverInterruptedWrite(dir);
        const after = snapshot(dir);
        if (JSON.stringify(after) === JSON.stringify(oldSet)) sawOld++;
        else {
          expect([k, j, after]).toEqual([k, j, newSet]);
          sawNew++;
        }
        rmSync(dir, { recursive: true, force: true });
        if (finished) break;
      }
      rmSync(crashed, { recursive: true, force: true });
    }
    // The commit point lies between: early crashes give the old set, late ones the new.
    expect(sawOld).toBeGreaterThan(0);
    expect(sawNew).toBeGreaterThan(0);
  });

  test('a crash while a failed write is being undone: the next run finishes the undo', () => {
    for (let k = 1; k <= operations; k++) {
      for (let j = k + 1; ; j++) {
        const dir = join(root.path, `undo-${k}-${j}`);
        cpSync(join(root.path, 'pristine'), dir, { recursive: true });
        const run = faulty(k, j);
        const error = attempt(() => writeFiles(dir, s.files, s.stale, run.ops));
        recoverInterruptedWrite(dir);
        const after = snapshot(dir);
        if (error)
          expect([k, j, after]).toEqual([k, j, JSON.stringify(after) === JSON.stringify(oldSet) ? oldSet : newSet]);
        else expect([k, j, after]).toEqual([k, j, newSet]);
        rmSync(dir, { recursive: true, force: true });
        if (run.count() < j) break;
      }
    }
  });
});

test('a write that cannot create its output directory leaves nothing behind', () => {
  const root = tempDir();
  try {
    const dir = join(root.path, 'new-out');
    expect(attempt(() => writeFiles(dir, [file('a.yaml', 'a\n')], [], faulty(3, 'fail').ops))).toBeInstanceOf(
      InjectedFault,
    );
    expect(existsSync(dir)).toBe(false);
  } finally {
    root.remove();
  }
});

test('a staging directory without a journal (a crash while staging) is discarded', () => {
  const dir = tempDir();
  try {
    writeFiles(dir.path, [file('docker-compose.yaml', 'compose old\n')]);
    mkdirSync(join(dir.path, STAGING_DIR, 'new'), { recursive: true });
    writeFileSync(join(dir.path, STAGING_DIR, 'new', 'docker-compose.yaml'), 'compose half-writ');
    expect(recoverInterruptedWrite(dir.path)).toBe('rolled back');
    expect(snapshot(dir.path)).toEqual({ 'docker-compose.yaml': '644 compose old\n' });
  } finally {
    dir.remove();
  }
});
