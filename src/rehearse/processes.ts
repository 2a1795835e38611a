import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A process the rehearsal started, with its output in a log file. */
export interface Started {
  name: string;
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
}

/**
 * Every process the rehearsal starts, so that all of them stop on success, failure, an
 * exception or Ctrl-C. Children run in their own process group (detached) so that a terminal's
 * Ctrl-C reaches the rehearsal, which then stops them in order, and so that --keep can leave
 * them running after it exits.
 */
export class ProcessGroup {
  private readonly running = new Set<Started>();

  /**
   * `rehearsal` (its temporary directory) is put in every child's environment as
   * GEN_COMPOSE_REHEARSAL: it tells this rehearsal's processes from any other's (tests check
   * that none is left).
   */
  constructor(private readonly rehearsal: string) {}

  start(name: string, command: string, args: string[], env: Record<string, string>, log: string): Started {
    const fd = openSync(log, 'a');
    const child = spawn(command, args, {
      env: { ...env, GEN_COMPOSE_REHEARSAL: this.rehearsal },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd); // the child has its own copy
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started: Started = { name, child, log, exited };
    this.running.add(started);
    void exited.then(() => this.running.delete(started));
    return started;
  }

  /** SIGKILL and wait: the data is temporary, and a clean Restate shutdown can take a minute. */
  async kill(started: Started): Promise<void> {
    if (started.child.exitCode === null && started.child.signalCode === null) {
      try {
        process.kill(-started.child.pid!, 'SIGKILL');
      } catch {
        started.child.kill('SIGKILL');
      }
    }
    await started.exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((s) => this.kill(s)));
  }

  /** For process exit paths that cannot wait. */
  killAllNow(): void {
    for (const s of this.running) {
      try {
        process.kill(-s.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Leave everything running (--keep): the rehearsal may exit without taking them along. */
  detach(): Started[] {
    const all = [...this.running];
    for (const s of all) s.child.unref();
    return all;
  }
}

/**
 * Processes an earlier rehearsal started and did not stop (it was killed with SIGKILL, which no
 * process can handle), found by the GEN_COMPOSE_REHEARSAL mark in their environment (Linux).
 */
export function leftByEarlierRehearsals(): { pids: number[]; dirs: string[] } {
  const pids: number[] = [];
  const dirs = new Set<string>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return { pids, dirs: [] };
  }
  for (const pid of entries) {
    try {
      const mark = readFileSync(`/proc/${pid}/environ`, 'latin1')
        .split('\0')
        .find((v) => v.startsWith('GEN_COMPOSE_REHEARSAL='));
      if (!mark) continue;
      pids.push(Number(pid));
      dirs.add(mark.slice('GEN_COMPOSE_REHEARSAL='.length));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return { pids, dirs: [...dirs] };
}

/**
 * The first port of the kernel's ephemeral range (what outgoing connections and listen(0) get):
 * the rehearsal's own ports stay below it. A port picked from that range was taken, while its
 * node was killed, by someone else's connection or listen(0) (a rehearsal beside it), and the
 * node's restart failed with "Address in use".
 */
function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 20_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const handedOut = new Set<number>();

/**
 * A port nothing listens on, below the ephemeral range, never the same twice in one process.
 * Not in the upper half of a ten thousand (x5000–x9999), where generated clusters publish their
 * nodes' ports (k·10000 + 5122, 8080, 9070): a rehearsal beside this one may bind them later.
 */
export async function freePort(): Promise<number> {
  const low = 20_000;
  const span = ephemeralStart() - low;
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const port = low + Math.floor(Math.random() * span);
    if (handedOut.has(port) || port % 10_000 >= 5000) continue;
    handedOut.add(port);
    if (await portIsFree(port)) return port;
  }
  throw new Error(`no free port between ${low} and ${low + span}`);
}

/** True when nothing listens on 127.0.0.1:port. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
