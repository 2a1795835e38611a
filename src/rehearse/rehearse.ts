import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RehearsalContext, RehearseOptions } from './context.js';
import { ProcessGroup } from './processes.js';
import { tail } from './probes.js';
import { runSteps, type RunnerTools } from './runner.js';
import { REHEARSAL_STEPS } from './steps/index.js';

export type { RehearseOptions } from './context.js';

/** Runs the cluster of `options.target` as local processes through the steps of steps/index.ts; true when it passes. */
export function rehearse(options: RehearseOptions): Promise<boolean> {
  return runSteps({
    title: `Rehearsal of ${options.target}`,
    print: options.print,
    createContext: (tools) => createContext(options, tools),
    steps: REHEARSAL_STEPS,
    finish: (context, passed) => finish(context, passed),
  });
}

function createContext(options: RehearseOptions, { say, timing, onExit }: RunnerTools): RehearsalContext {
  const baseDir = mkdtempSync(join(tmpdir(), 'gen-compose-rehearse-'));
  onExit({ now: () => rmSync(baseDir, { recursive: true, force: true }) });
  const processes = new ProcessGroup(baseDir);
  onExit({ now: () => processes.killAllNow(), orderly: () => processes.stopAll() });
  return {
    options,
    say,
    timing,
    baseDir,
    processes,
    nodeProcesses: new Map(),
    counters: { keys: Array.from({ length: 8 }, (_, i) => `rehearsal-${process.pid}-${i}`), expected: 0, calls: 0 },
  };
}

/** After the report: a failed node's last log lines, and with --keep how to reach and stop what still runs. */
function finish(context: RehearsalContext, passed: boolean): boolean {
  const { options, cluster, baseDir } = context;
  const print = options.print;
  if (!passed) {
    const failedNode = [...context.nodeProcesses.values()].find(
      (p) => p.child.exitCode !== null && p.child.signalCode === null,
    );
    if (failedNode) print(`Last lines of ${failedNode.name}'s log:\n${tail(failedNode.log)}`);
  }
  if (!options.keep) return false;
  // Only nodes that still run are kept: none started (a refused file, ports in use), or all exited.
  const running = (cluster?.nodes ?? []).filter((node) => {
    const started = context.nodeProcesses.get(node.service);
    return started !== undefined && started.child.exitCode === null && started.child.signalCode === null;
  });
  if (running.length === 0) {
    print(
      `--keep: no node is running${context.nodeProcesses.size === 0 ? ' (none was started)' : ''}, so nothing is kept`,
    );
    return false;
  }
  const left = context.processes.detach();
  print('');
  print(`--keep: ${running.length} of ${cluster!.nodes.length} node(s) still running (data in ${baseDir}).`);
  for (const node of running) {
    print(
      `  ${node.service}: ingress http://127.0.0.1:${node.hostPorts.ingress}  admin http://127.0.0.1:${node.hostPorts.admin}  fabric ${node.hostPorts.fabric}`,
    );
  }
  // A node can take many seconds to exit on SIGTERM: remove its data only once it has.
  const pids = left.map((s) => s.child.pid).join(' ');
  print(`Stop it with: kill ${pids}; while kill -0 ${pids} 2>/dev/null; do sleep 1; done; rm -rf ${baseDir}`);
  return true;
}
