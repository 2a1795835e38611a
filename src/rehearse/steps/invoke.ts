import { COUNTER_ADD, COUNTER_GET, COUNTER_SERVICE } from '../counter.js';
import { need, type Ingress, type RehearsalContext } from '../context.js';
import { http, waitFor } from '../probes.js';
import { StepFailed, type Step } from '../runner.js';
import type { LocalNode } from '../translate.js';
import { adminNode, ingressNodes } from './nodes.js';

/** The counter service registered, and invoked through every way in: each node's ingress and the load balancer. */
export const registerAndInvoke: Step<RehearsalContext> = {
  name: 'register the counter service and invoke it through every ingress',
  async run(context) {
    const { cluster, counterPort, clusterStartedAt } = need(context, 'cluster', 'counterPort', 'clusterStartedAt');
    const { counters, frontDoor } = context;
    const admin = adminNode(cluster);
    const ingresses = ingressNodes(cluster);
    await waitFor('deployment registered', context.options.waitSeconds, async () => {
      const r = await http('POST', `http://127.0.0.1:${admin.hostPorts.admin}/deployments`, {
        uri: `http://127.0.0.1:${counterPort}`,
      });
      return r.status === 201 || r.status === 200 ? true : `HTTP ${r.status} ${r.text.slice(0, 200)}`;
    });
    for (const node of ingresses) {
      await addToEveryCounter(context, node);
      if (counters.expected === 1)
        context.timing(
          `first successful invocation: ${((Date.now() - clusterStartedAt) / 1000).toFixed(1)}s after start`,
        );
    }
    if (frontDoor) await addToEveryCounter(context, frontDoor);
    return `registered through ${admin.service}; invoked through ${frontDoor ? `${frontDoor.service} and ` : ''}every ingress (${ingresses.map((n) => n.hostPorts.ingress).join(', ')}), ${counters.keys.length} keys each; every counter = ${counters.expected}`;
  },
};

/**
 * One add to every key through an ingress (a node's, or the balancer's); each retried under one
 * idempotency key, so it counts once. `once`: a single attempt, as a client would make it.
 */
export async function addToEveryCounter(
  context: RehearsalContext,
  ingress: Ingress,
  { once = false } = {},
): Promise<void> {
  const { counters } = context;
  counters.expected += 1;
  await Promise.all(
    counters.keys.map(async (key) => {
      const idempotencyKey = `${key}-${++counters.calls}`;
      let value = NaN;
      const attempt = async (): Promise<true | string> => {
        const r = await http(
          'POST',
          `http://127.0.0.1:${ingress.hostPorts.ingress}/${COUNTER_SERVICE}/${key}/${COUNTER_ADD}`,
          1,
          { 'idempotency-key': idempotencyKey },
          10_000,
        );
        if (r.status !== 200) return `HTTP ${r.status} ${r.text.slice(0, 200)}`;
        value = JSON.parse(r.text);
        return true;
      };
      if (once) {
        // A single attempt, as a client would make it: a failure here is a failure.
        const result = await attempt().catch((error: Error) => error.message);
        if (result !== true) throw new StepFailed(`invocation through ${ingress.service} failed: ${result}`);
      } else {
        await waitFor(`invocation through ${ingress.service}'s ingress`, context.options.waitSeconds, attempt);
      }
      if (value !== counters.expected)
        throw new StepFailed(
          `counter ${key} through ${ingress.service} is ${value}, expected ${counters.expected} (an increment was lost or doubled)`,
        );
    }),
  );
}

/** Every key's value read through a node; all must equal the number of rounds. */
export async function checkCounters(context: RehearsalContext, node: LocalNode): Promise<void> {
  const { keys, expected } = context.counters;
  for (const key of keys) {
    const r = await http(
      'POST',
      `http://127.0.0.1:${node.hostPorts.ingress}/${COUNTER_SERVICE}/${key}/${COUNTER_GET}`,
      undefined,
      {},
      5000,
    );
    if (r.status !== 200)
      throw new StepFailed(`reading counter ${key} through ${node.service}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    if (JSON.parse(r.text) !== expected)
      throw new StepFailed(`counter ${key} reads ${r.text} through ${node.service}, expected ${expected}`);
  }
}
