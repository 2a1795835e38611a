import { isRecord, scalarString } from './values.js';

/** A service's `deploy:` section: what Swarm reads (compose reads only the resource limits). */
export interface Deploy {
  /** Set only when written as a number. */
  replicas?: number;
  /** Present when the file has `placement:` at all; its constraints as written. */
  placement?: { constraints: string[] };
  updateConfig?: { order?: string };
  restartPolicy?: { condition?: string };
  /** "vip" (Swarm's default) or "dnsrr". */
  endpointMode?: string;
  /** deploy.resources.limits.memory. */
  memoryLimit?: string;
}

export function deployOf(value: unknown): Deploy | undefined {
  if (!isRecord(value)) return undefined;
  const limits = isRecord(value.resources) && isRecord(value.resources.limits) ? value.resources.limits : {};
  const placement = value.placement;
  return {
    replicas: typeof value.replicas === 'number' ? value.replicas : undefined,
    placement:
      placement === undefined
        ? undefined
        : {
            constraints:
              isRecord(placement) && Array.isArray(placement.constraints) ? placement.constraints.map(String) : [],
          },
    updateConfig: isRecord(value.update_config) ? { order: scalarString(value.update_config.order) } : undefined,
    restartPolicy: isRecord(value.restart_policy)
      ? { condition: scalarString(value.restart_policy.condition) }
      : undefined,
    endpointMode: scalarString(value.endpoint_mode),
    memoryLimit: scalarString(limits.memory),
  };
}
