import { join } from 'node:path';
import { need, type RehearsalContext } from '../context.js';
import type { Started } from '../processes.js';
import { http, runProgram, tail } from '../probes.js';
import { StepFailed } from '../runner.js';
import type { LocalCluster, LocalNode } from '../translate.js';

/** Starting a Restate node and asking whether it, and the cluster, are well: for the steps that start and restart nodes. */

export function startNode(context: RehearsalContext, node: LocalNode): Started {
  const { restateServer } = need(context, 'restateServer');
  const { baseDir } = context;
  // TMPDIR too: what a node puts in the temporary directory goes when the rehearsal does.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: baseDir, TMPDIR: baseDir, ...node.env };
  const proc = context.processes.start(node.service, restateServer.path, [], env, join(baseDir, `${node.service}.log`));
  context.nodeProcesses.set(node.service, proc);
  return proc;
}

/** For waitFor: true once the node's admin API answers /health; fails the step at once if the node exited. */
export function healthy(context: RehearsalContext, node: LocalNode): () => Promise<true | string> {
  return async () => {
    const proc = context.nodeProcesses.get(node.service)!;
    if (proc.child.exitCode !== null)
      throw new StepFailed(`${node.service} exited with code ${proc.child.exitCode}:\n${tail(proc.log)}`);
    const r = await http('GET', `http://127.0.0.1:${node.hostPorts.admin}/health`, undefined, {}, 2000);
    return r.status === 200 ? true : `${node.service} admin /health answered ${r.status}`;
  };
}

/** For waitFor: every node, asked for its view of the cluster, sees every node alive. */
export function membership(context: RehearsalContext, expected: LocalNode[]): () => Promise<true | string> {
  const { restatectl } = need(context, 'restatectl');
  return async () => {
    const names = expected.map((n) => n.nodeName).sort();
    for (const node of expected) {
      const r = await runProgram(
        restatectl.path,
        ['-s', `http://127.0.0.1:${node.hostPorts.fabric}`, 'sql', '--json', 'select name, state from nodes'],
        10_000,
      );
      if (r.code !== 0) return `restatectl via ${node.service}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
      const rows: { name: string; state: string }[] = JSON.parse(r.stdout);
      const alive = rows
        .filter((row) => row.state === 'alive')
        .map((row) => row.name)
        .sort();
      if (JSON.stringify(alive) !== JSON.stringify(names)) {
        return `${node.service} sees ${rows.map((row) => `${row.name} (${row.state})`).join(', ') || 'no nodes'}; expected ${names.join(', ')} alive`;
      }
    }
    return true;
  };
}

/** The node the rehearsal registers deployments and takes snapshots through. */
export function adminNode(cluster: LocalCluster): LocalNode {
  return cluster.nodes.find((n) => n.roles.includes('admin')) ?? cluster.nodes[0]!;
}

export function ingressNodes(cluster: LocalCluster): LocalNode[] {
  return cluster.nodes.filter((n) => n.roles.includes('http-ingress'));
}
