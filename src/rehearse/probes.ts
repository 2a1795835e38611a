import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { portIsFree, type Started } from './processes.js';
import { StepFailed } from './runner.js';

/** How the steps look at what they started: HTTP calls, programs run to the end, waits, logs. */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function http(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, text: await response.text() };
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
      const e = error as Error & { cause?: { code?: string } };
      reason =
        e.name === 'TimeoutError'
          ? 'no answer within the request time-out'
          : e.cause?.code
            ? `${e.message} (${e.cause.code})`
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
