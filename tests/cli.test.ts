import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers.js';

describe('gen-compose (generate)', () => {
  test('writes both files and a summary with endpoints and fault tolerance', () => {
    const dir = tempDir();
    try {
      const out = join(dir.path, 'cluster');
      const r = runCli(['--nodes', '3', '--replication', '2', '--out', out]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(readdirSync(out).sort()).toEqual(['.env', 'docker-compose.yaml']);
      expect(r.stdout).toContain('restate-2   ingress http://localhost:28080  admin http://localhost:29070  fabric 25122');
      expect(r.stdout).toContain('log (replication 2): tolerates 1 node failure');
      expect(r.stdout).toContain('metadata: quorum 2 of 3, tolerates 1 node failure');
      expect(r.stdout).not.toContain('warning');
    } finally {
      dir.remove();
    }
  });

  test('warns when N < 2R−1', () => {
    const dir = tempDir();
    try {
      const r = runCli(['--nodes', '3', '--replication', '3', '--out', join(dir.path, 'c')]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/warning: 3 node\(s\) < 2×3−1: the cluster works but tolerates 0 node failure\(s\)/);
    } finally {
      dir.remove();
    }
  });

  test.each([
    [['--nodes', '0'], /--nodes must be at least 1/],
    [['--nodes', 'x'], /--nodes must be a whole number/],
    [['--nodes', '500'], /more than the 100 nodes/],
    [['--nodes', '3', '--replication', '5'], /needs at least 5 nodes/],
    [['--nodes', '5', '--metadata-nodes', '4'], /must be odd/],
    [['--cluster-name', 'Bad Name'], /not a valid compose project name/],
    [['--port-offset', '70000'], /outside 1\.\.65535/],
    [['--no-such-flag'], /Unknown argument/],
  ])('%j: one line on stderr, exit 2, nothing written', (args, message) => {
    const dir = tempDir();
    try {
      const out = join(dir.path, 'cluster');
      const r = runCli([...args, '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    } finally {
      dir.remove();
    }
  });

  test('never overwrites existing files without --force, and leaves them byte for byte', () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir.path, 'c'));
      writeFileSync(join(dir.path, 'c', '.env'), 'MY_SECRET=keep\n');
      const r = runCli(['--out', join(dir.path, 'c')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/\.env already exists; refusing to overwrite \(pass --force to replace\)/);
      expect(readdirSync(join(dir.path, 'c'))).toEqual(['.env']);
      expect(readFileSync(join(dir.path, 'c', '.env'), 'utf8')).toBe('MY_SECRET=keep\n');

      const forced = runCli(['--out', join(dir.path, 'c'), '--force']);
      expect(forced.status).toBe(0);
      expect(readFileSync(join(dir.path, 'c', '.env'), 'utf8')).toContain('MINIO_ROOT_PASSWORD=');
    } finally {
      dir.remove();
    }
  });

  test('--help explains the port scheme and the node limit; --version prints the version', () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Nodes 6..100 use ingress 18000+k, admin 19000+k');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(runCli(['--version']).stdout.trim()).toBe(pkg.version);
  });
});
