import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recoverInterruptedWrite, STAGING_DIR, writeFiles } from '../src/write/writer.js';
import { tempDir } from './helpers.js';

const files = (tag: string) => [
  { path: 'docker-compose.yaml', content: `compose ${tag}\n`, mode: 0o644 },
  { path: '.env', content: `env ${tag}\n`, mode: 0o600 },
];
const read = (dir: string) => ['docker-compose.yaml', '.env'].map((f) => readFileSync(join(dir, f), 'utf8'));

test('an interruption after the commit marker is rolled forward: the new set, never a mix', () => {
  const dir = tempDir();
  try {
    writeFiles(dir.path, files('old'));
    // As if a run died after committing and renaming the first file only.
    const staging = join(dir.path, STAGING_DIR);
    mkdirSync(staging);
    writeFileSync(join(staging, '.env'), 'env new\n');
    writeFileSync(join(staging, 'COMMITTED'), '');
    writeFileSync(join(dir.path, 'docker-compose.yaml'), 'compose new\n');
    expect(recoverInterruptedWrite(dir.path)).toBe('completed');
    expect(read(dir.path)).toEqual(['compose new\n', 'env new\n']);
    expect(existsSync(staging)).toBe(false);
  } finally {
    dir.remove();
  }
});

test('an interruption before the marker is rolled back: the old set stays', () => {
  const dir = tempDir();
  try {
    writeFiles(dir.path, files('old'));
    const staging = join(dir.path, STAGING_DIR);
    mkdirSync(staging);
    writeFileSync(join(staging, 'docker-compose.yaml'), 'compose half-writ');
    expect(recoverInterruptedWrite(dir.path)).toBe('discarded');
    expect(read(dir.path)).toEqual(['compose old\n', 'env old\n']);
    expect(existsSync(staging)).toBe(false);
  } finally {
    dir.remove();
  }
});

test('a normal write leaves no staging directory', () => {
  const dir = tempDir();
  try {
    writeFiles(dir.path, files('a'));
    writeFiles(dir.path, files('b'));
    expect(read(dir.path)).toEqual(['compose b\n', 'env b\n']);
    expect(existsSync(join(dir.path, STAGING_DIR))).toBe(false);
  } finally {
    dir.remove();
  }
});
