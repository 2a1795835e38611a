import { BROWSER_BLOCKED_PORTS } from '../src/docker/ports.js';
import { runCli, tempDir } from './helpers.js';

/** Whether this Node's fetch() refuses `port` before connecting ("bad port"). */
async function refused(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return false;
  } catch (error) {
    return /bad port/.test(String((error as { cause?: Error }).cause?.message ?? error));
  }
}

test('the ports gen-compose warns about are exactly those fetch() refuses, among them and their neighbours', async () => {
  const ports = [...new Set([...BROWSER_BLOCKED_PORTS].flatMap((p) => [p - 1, p, p + 1]))].filter((p) => p > 0);
  const verdicts = await Promise.all(ports.map(async (p) => [p, await refused(p)] as const));
  expect(verdicts.filter(([, r]) => r).map(([p]) => p)).toEqual([...BROWSER_BLOCKED_PORTS]);
});

test('a published HTTP port on that list is said in a warning; the default ports are on none', () => {
  const dir = tempDir();
  try {
    const blocked = runCli(['--out', `${dir.path}/a`, '--load-balancer', '--port-offset', '3000']);
    expect(blocked.status).toBe(0);
    expect(blocked.stdout.split('\n').filter((l) => l.includes('bad port'))).toEqual([
      'warning: browsers and fetch() refuse port 10080, a "bad port" of the Fetch standard, so they cannot reach the load balancer (invocations: the application\'s door) there; another --port-offset avoids it',
    ]);
    // A --dry-run, which prints no summary, says it too.
    const dry = runCli(['--out', `${dir.path}/c`, '--load-balancer', '--port-offset', '3000', '--dry-run']);
    expect(dry.stdout).toContain('warning: browsers and fetch() refuse port 10080');
    const plain = runCli(['--out', `${dir.path}/b`, '--load-balancer', '--monitoring']);
    expect(plain.status).toBe(0);
    expect(plain.stdout).not.toContain('bad port');
  } finally {
    dir.remove();
  }
});
