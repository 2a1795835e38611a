import type { RehearsalContext } from '../context.js';
import type { Step } from '../runner.js';
import { killOneNode, restartKilledNode } from './failover.js';
import { registerAndInvoke } from './invoke.js';
import { readAndTranslate } from './read.js';
import { readmeAndMetrics } from './readme-and-metrics.js';
import { snapshotsInTheBucket } from './snapshots.js';
import { startCluster } from './start-cluster.js';
import { startSupportingServices } from './supporting.js';

/**
 * The rehearsal, in order. A step reads what earlier ones put on the context (context.ts) and
 * stops the rehearsal when it fails, unless it says later steps do not need it.
 */
export const REHEARSAL_STEPS: readonly Step<RehearsalContext>[] = [
  readAndTranslate,
  startSupportingServices,
  startCluster,
  registerAndInvoke,
  readmeAndMetrics,
  snapshotsInTheBucket,
  killOneNode,
  restartKilledNode,
];
