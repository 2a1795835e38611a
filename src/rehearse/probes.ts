import { request as httpRequest } from 'node:http';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { portIsFree, type Started } from './processes.js';
import { StepFailed } from './runner.js';

/** How the steps look at what they started: HTTP calls, programs run to the end, waits, logs. */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One HTTP request to a local port. node:http, not fetch: fetch refuses the ports browsers
 * block (10080, 6000, 6665-6669, …) with a bare "fetch failed", and a port offset can put a
 * node or the load balancer on one of them (10080 = the load balancer at offset 3000).
 */
export function http(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<{ status: number; text: string; contentType: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method,
        headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            contentType: response.headers['content-type'] ?? '',
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Polls until `attempt` returns true; on time-out throws with the last reason it gave. */
export async function waitFor(
  what: string,
  seconds: number,
  attempt: () => Promise<true | string>,
  intervalMs = 250,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let reason = 'no attempt finished';
  while (Date.now() < deadline) {
    try {
      const result = await attempt();
      if (result === true) return;
      reason = result;
    } catch (error) {
      if (error instanceof StepFailed) throw error;
      // http() aborts a request at its time-out: an AbortError whose cause is the TimeoutError.
      const e = error as Error & { cause?: { name?: string } };
      reason =
        e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError'
          ? 'no answer within the request time-out'
          : e.message;
    }
    await sleep(intervalMs);
  }
  throw new StepFailed(`${what}: not within ${seconds}s (last: ${reason})`);
}

/** Runs a program to its end (no colours, only PATH from the environment) and collects its exit code and output. */
export function runProgram(
  binary: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      { timeout: timeoutMs, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** The last lines of a log, indented under a report line. */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((l) => `      | ${l}`)
      .join('\n');
  } catch {
    return '      | (no log)';
  }
}

/** For waitFor: true once a started process accepts connections on its port; its log if it died. */
export function listening(proc: Started, port: number): () => Promise<true | string> {
  return async () =>
    proc.child.exitCode !== null ? `exited:\n${tail(proc.log)}` : (await portIsFree(port)) ? 'not yet' : true;
}
