// Steady load on a running cluster, the way the day-two drills measure it: clients call the keyed
// counter service through every published ingress while an operation runs, and afterwards every
// count is compared with what was acknowledged. Nothing here asserts a time: the figures go to
// the bench (scripts/bench-engine.mjs), the tests assert exactness.
import { appendFileSync } from 'node:fs';
import { expect } from '@jest/globals';
import { http, pasted, sleep, waitFor } from './harness.js';

export interface LoadOptions {
  /** Ingress URLs, tried in turn: a failed attempt is retried on the next one. */
  ingresses: string[];
  /** Distinct counters, one per client, so each reply can be checked against its sequence. */
  keyPrefix: string;
  clients?: number;
  /** How long one attempt may take before the client retries it on the next ingress. */
  attemptTimeoutMs?: number;
  /** Called at each acknowledged call with the ingress that answered and the attempt (0: the first). */
  onSuccess?: (ingress: string, at: number, attempt: number) => void;
}

export interface LoadReport {
  /** Calls acknowledged (HTTP 200). */
  acknowledged: number;
  /** Attempts that failed or timed out (each retried with the same idempotency key). */
  failedAttempts: number;
  /** The longest stretch, in ms, with no successful call by any client, and when it began. */
  longestGapMs: number;
  longestGapAtMs: number;
  /** The pasted command running when that gap began (none: it began before the first). */
  gapDuring?: string;
  /** When the load started (ms since the epoch). */
  startedAt: number;
  /** 99th percentile of a call's latency, from its first attempt to its success. */
  p99Ms: number;
  /** Replies that were not the call's own sequence number (a lost or doubled add). */
  wrongReplies: string[];
  /** Counters whose final value is below what was acknowledged (lost) or above (applied twice). */
  lost: number;
  appliedTwice: number;
  /** The first few failures, to say what happened. */
  sampleFailures: string[];
}

interface Client {
  key: string;
  acknowledged: number;
}

/**
 * Starts the clients; `stop()` lets every call in flight finish (retrying it as long as it
 * takes, never under a new key), reads every counter back and reports.
 */
export function startLoad(options: LoadOptions) {
  const { ingresses, keyPrefix, clients: count = 4, attemptTimeoutMs = 2000, onSuccess } = options;
  const started = Date.now();
  const successes: number[] = [];
  const latencies: number[] = [];
  const wrongReplies: string[] = [];
  const sampleFailures: string[] = [];
  let failedAttempts = 0;
  let stopping = false;
  const clients: Client[] = Array.from({ length: count }, (_, i) => ({ key: `${keyPrefix}-${i}`, acknowledged: 0 }));

  async function call(client: Client, index: number): Promise<void> {
    const seq = client.acknowledged + 1;
    const idempotencyKey = `${client.key}-${seq}`;
    const first = Date.now();
    // Clients start on different ingresses so every one carries traffic.
    for (let attempt = 0; ; attempt += 1) {
      const ingress = ingresses[(index + seq + attempt) % ingresses.length]!;
      const r = await http(
        'POST',
        `${ingress}/Counter/${client.key}/add`,
        1,
        { 'idempotency-key': idempotencyKey },
        attemptTimeoutMs,
      );
      if (r.status === 200) {
        const now = Date.now();
        successes.push(now);
        latencies.push(now - first);
        onSuccess?.(ingress, now, attempt);
        if (Number(r.text) !== seq) wrongReplies.push(`${client.key} call ${seq} answered ${r.text}`);
        client.acknowledged = seq;
        return;
      }
      failedAttempts += 1;
      if (sampleFailures.length < 5) sampleFailures.push(`${ingress}: HTTP ${r.status} ${r.text.slice(0, 120)}`);
      // A whole round failed: the cluster is between leaders; do not spin.
      if ((attempt + 1) % ingresses.length === 0) await sleep(100);
      if (Date.now() - first > 180_000) throw new Error(`${client.key} call ${seq} failed for 180 s: ${r.text}`);
    }
  }

  const loops = clients.map(async (client, index) => {
    while (!stopping) await call(client, index);
  });

  return {
    async stop(): Promise<LoadReport> {
      // The gaps are measured while every client calls: once they stop, the last call still in
      // flight (one client alone, on an ingress that hangs) would read as an outage.
      const ended = Date.now();
      stopping = true;
      await Promise.all(loops);
      let lost = 0;
      let appliedTwice = 0;
      for (const client of clients) {
        let value = NaN;
        for (let attempt = 0; attempt < 60 && Number.isNaN(value); attempt += 1) {
          const r = await http('POST', `${ingresses[attempt % ingresses.length]}/Counter/${client.key}/get`, undefined);
          if (r.status === 200) value = Number(r.text);
          else await sleep(500);
        }
        if (Number.isNaN(value)) throw new Error(`${client.key} could not be read back`);
        if (value < client.acknowledged) lost += client.acknowledged - value;
        if (value > client.acknowledged) appliedTwice += value - client.acknowledged;
      }
      const points = [started, ...successes.filter((at) => at <= ended).sort((a, b) => a - b), ended];
      let longestGapMs = 0;
      let longestGapAtMs = 0;
      for (let i = 1; i < points.length; i += 1) {
        if (points[i]! - points[i - 1]! <= longestGapMs) continue;
        longestGapMs = points[i]! - points[i - 1]!;
        longestGapAtMs = points[i - 1]! - started;
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        acknowledged: clients.reduce((sum, c) => sum + c.acknowledged, 0),
        failedAttempts,
        longestGapMs,
        longestGapAtMs,
        startedAt: started,
        p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
        wrongReplies,
        lost,
        appliedTwice,
        sampleFailures,
      };
    },
  };
}

/**
 * One drill: `operation` under steady load, a second of traffic before and after it (so the gap
 * is measured from a serving cluster, and one that stops serving at the end shows it), then
 * `settled` until every node is back. Exactness is asserted; the figures go to the bench
 * (a JSON line to $GEN_COMPOSE_DRILL_REPORT) and to stderr, never into a pass/fail.
 */
export async function drill(
  name: string,
  options: LoadOptions,
  operation: () => Promise<void>,
  settled: () => true | string | Promise<true | string>,
): Promise<LoadReport> {
  const load = startLoad(options);
  let report: LoadReport;
  try {
    await sleep(1000);
    await operation();
    await sleep(1000);
  } finally {
    report = await load.stop();
  }
  await waitFor('every node alive after the drill', 180, settled, 1000);
  const gapBegan = report.startedAt + report.longestGapAtMs;
  report.gapDuring = pasted.filter((p) => p.at >= report.startedAt && p.at <= gapBegan).pop()?.command;
  if (process.env.GEN_COMPOSE_DRILL_REPORT)
    appendFileSync(process.env.GEN_COMPOSE_DRILL_REPORT, `${JSON.stringify({ drill: name, ...report })}\n`);
  process.stderr.write(
    `drill ${name}: ${report.acknowledged} calls, ${report.failedAttempts} failed attempts, longest gap ${report.longestGapMs} ms (from ${report.longestGapAtMs} ms), p99 ${report.p99Ms} ms${report.gapDuring ? `; the gap began during: ${report.gapDuring}` : ''}\n`,
  );
  expect({ lost: report.lost, appliedTwice: report.appliedTwice, wrongReplies: report.wrongReplies }).toEqual({
    lost: 0,
    appliedTwice: 0,
    wrongReplies: [],
  });
  expect(report.acknowledged).toBeGreaterThan(0);
  return report;
}
