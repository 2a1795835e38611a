import { UsageError } from '../errors.js';
import { compareVersions, skippedMinor } from '../restate/versions.js';
import { applicableKinds, isLoopback, kindsOf, presentOf } from './exposure.js';
import { applyPreset, withoutUnset, type ClusterOptions, type RawOptions } from './options.js';
import { rememberedFlags } from './option-registry.js';
import { allNodeNames, metadataRewrites, nodeIds, nodeName } from './nodes.js';
import { parseReplacements, restateIdentity } from './replacements.js';
import { nextIdentities, replacement } from './replace-steps.js';
import { metadataGrow, metadataShrink } from './metadata-steps.js';
import { shrink } from './shrink-steps.js';
import { rename } from './rename-steps.js';
import { storeChange } from './snapshots.js';
import { addOnReload, recreateForMetadata, runningClusterCommands, type Operator } from './running-commands.js';

/**
 * Regenerating into a directory gen-compose wrote before. Pure functions: the caller reads the
 * directory, these decide what the new files keep.
 */

/** Options for this run: the previous run's, overridden by every flag given now. */
export function mergeOptions(previous: ClusterOptions | undefined, flags: RawOptions): RawOptions {
  // An address for nothing: the user meant one of the two, and silently dropping it is worse.
  if (
    flags.publishAddress !== undefined &&
    flags.expose !== undefined &&
    flags.expose.split(',').every((k) => k.trim() === 'none' || k.trim() === '')
  ) {
    throw new UsageError(
      `--publish-address ${flags.publishAddress} applies to the endpoints --expose names, and --expose ${flags.expose} names none; leave out one of the two`,
    );
  }
  if (flags.replaceNode !== undefined && !previous)
    throw new UsageError(
      `--replace-node ${flags.replaceNode} gives a node of the cluster in --out a new identity, and gen-compose has written no cluster there; generate it first`,
    );
  if (!previous) return withoutUnset(flags);
  const fromPrevious = rememberedFlags(previous);
  // A flag given now wins; one not given keeps the previous value (not the global default).
  // A preset given now counts as flags (below the explicit ones), so it can change a cluster.
  const given = Object.fromEntries(
    Object.entries(flags.preset ? applyPreset(flags) : flags).filter(([, v]) => v !== undefined),
  );
  // The metadata group keeps its size unless --metadata-nodes is given: a running group grows
  // and shrinks only through restatectl, never as a side effect of --nodes. (A cluster shrunk
  // below it, which only --force writes, gets the default for its new size.)
  const nodes = Number(given.nodes ?? previous.nodes);
  if (given.metadataNodes === undefined && nodes < previous.metadataNodes) delete fromPrevious.metadataNodes;
  // Files from before --expose stored 127.0.0.1 as "every port local": nothing to carry.
  if (previous.expose === undefined && isLoopback(previous.publishAddress)) delete fromPrevious.publishAddress;
  // --publish-address given now means "open to the network": the previous exposure must not
  // silently keep everything local, so the default for that address applies.
  if (given.publishAddress !== undefined && given.expose === undefined) delete fromPrevious.expose;
  // Exposure means different things per target (unpublished under Swarm, local under compose):
  // a new target without --expose starts from that target's default (a note says what changed).
  if (given.target !== undefined && given.target !== previous.target && given.expose === undefined) {
    delete fromPrevious.expose;
    if (given.publishAddress === undefined) delete fromPrevious.publishAddress;
  }
  // "none" given now removes a previous value (--no-memory); then it is simply absent.
  const merged = withoutUnset({ ...fromPrevious, ...given });
  refuseSkippedMinor(previous, merged);
  nextIdentities(merged, previous, flags);
  // A kept exposure loses the kinds the new options dropped (--no-load-balancer, say).
  if (given.expose === undefined && previous.expose !== undefined && merged.expose !== undefined) {
    const kept = applicableKinds(previous.expose, presentOf(merged));
    merged.expose = kept.join(',') || 'none';
  }
  return merged;
}

/**
 * A move Restate does not support (one that skips a minor version) is refused before the new
 * version is judged on its own: --unverified, which that check asks for, would not make it one.
 */
function refuseSkippedMinor(previous: ClusterOptions, merged: RawOptions): void {
  const version = merged.restateVersion;
  if (version === undefined || !/^\d+\.\d+\./.test(version)) return;
  const skipped = skippedMinor(previous.restateVersion, version);
  if (skipped) throw new UsageError(skipped);
}

export interface Regeneration {
  /** What changed, for the summary. */
  notes: string[];
  /** What a running cluster needs after these files are in place. */
  steps: string[];
  /** The running nodes those steps restart (the rest of a rewritten node's restart is rewriteSteps'). */
  restarted: string[];
  /** Steps after every restart, rewriteSteps' too: a higher replication, set once they are done. */
  last: string[];
}

/** What one kind of change says: notes, steps, steps that must come before all others, nodes its steps restart. */
export interface Change {
  notes?: string[];
  steps?: string[];
  first?: string[];
  restarts?: string[];
  last?: string[];
  /** A new, empty cluster: its steps are the only ones (the others' are for the old one). */
  fresh?: boolean;
}

export interface ChangeContext {
  previous: ClusterOptions;
  next: ClusterOptions;
  force: boolean;
  run: ReturnType<typeof runningClusterCommands>;
}

/** Kinds of endpoint opened or closed to the network. */
function exposureChange({ previous, next }: ChangeContext): Change {
  // Before --expose, one address covered every port: open meant every kind.
  const before = previous.expose ?? (isLoopback(previous.publishAddress) ? [] : kindsOf(presentOf(previous)));
  const after = new Set<string>(next.expose);
  // A kind whose service is gone was not closed: it no longer exists.
  const closed = applicableKinds(before, presentOf(next)).filter((k) => !after.has(k));
  const opened = next.expose.filter((k) => !before.includes(k));
  if (opened.length === 0 && closed.length === 0) return {};
  return {
    notes: [
      `reachable from the network: ${[...(opened.length ? [`now also ${opened.join(', ')}`] : []), ...(closed.length ? [`no longer ${closed.join(', ')}`] : [])].join('; ')} (--expose names the whole list: ${next.expose.join(',') || 'none'})`,
    ],
  };
}

/** More nodes: they join the running cluster, which snapshots first so they can catch up. */
function grow({ previous, next, run }: ChangeContext): Change {
  if (next.nodes <= previous.nodes) return {};
  const added = nodeIds(previous.nodes + 1, next.nodes).map(nodeName);
  const rewritten = metadataRewrites(previous, next);
  return {
    restarts: rewritten,
    notes: [
      `growing from ${previous.nodes} to ${next.nodes} nodes: ${added.join(', ')} ${added.length === 1 ? 'joins' : 'join'} with RESTATE_AUTO_PROVISION=false`,
      ...comebacks(previous, next),
      ...(next.metadataNodes === previous.metadataNodes
        ? []
        : [`metadata group ${previous.metadataNodes} → ${next.metadataNodes} nodes: its new members join it at start`]),
    ],
    steps: [
      // One block: pasted as separate lines, the check below ran before the new nodes had
      // joined (a newcomer saw a cluster without them, and a member with an empty view).
      `Snapshot every partition, so the new nodes can catch up from the store instead of logs that may be trimmed, then start them and wait until they have joined and the cluster can lose a node${run.startNote(added)}; paste it as one block (restatectl reports a partition whose snapshot is already being made as an error and goes on: nothing to do about it):\n     ${run.restatectl(nodeName(1))} snapshots create &&\n     ${run.start(added)} &&\n     ${run.ready}`,
      // Their config files list every node: they read them at start.
      ...addOnReload(previous, next),
      // Only a change of the metadata group rewrites existing nodes' files.
      ...recreateForMetadata(rewritten, run),
      `Check that every node is alive and which nodes serve metadata:\n     ${run.restatectl(nodeName(1))} status\n     ${run.restatectl(nodeName(1))} metadata-server list-servers`,
    ],
  };
}

function replicationChange({ previous, next, run }: ChangeContext): Change {
  if (next.replication === previous.replication) return {};
  // --yes: restatectl asks before it applies, and under exec -T nothing can answer ("User aborted").
  const step = `RESTATE_DEFAULT_REPLICATION is read only when a cluster is provisioned; change a running cluster with:\n     ${run.restatectl(nodeName(1))} config set --replication ${next.replication} --yes`;
  // Any restart in this run happens under the lower replication (see duringRestarts): a lower
  // one is set first, a higher one last.
  return {
    notes: [`replication ${previous.replication} → ${next.replication}`],
    ...(next.replication < previous.replication ? { steps: [step] } : { last: [step] }),
  };
}

/**
 * The cluster the printed restarts happen on: its replication the lower of the two, since a
 * higher one is set after them. Replication equal to the node count can lose no node, so a
 * rolling restart under it could not wait for `ready`, and each restart would interrupt it.
 */
export function duringRestarts(previous: ClusterOptions | undefined, next: ClusterOptions): ClusterOptions {
  return previous === undefined ? next : { ...next, replication: Math.min(previous.replication, next.replication) };
}

/**
 * Add-ons switched on or off (compose only: Swarm has none), each kind in one step. Not by a
 * plain `up -d`: that recreates every node whose definition changed in the same run at once (a
 * trial's `--no-load-balancer --memory 2G` printed `up -d --remove-orphans` before the rolling
 * block). Those that go are removed by container name (the file no longer names them); those
 * that come start after every node restart of the run, when no node is left to recreate.
 */
function addOnChanges({ previous, next, run }: ChangeContext): Change {
  if (next.target === 'swarm') return {};
  const switched = [
    ['load-balancer', previous.loadBalancer, next.loadBalancer],
    ['prometheus', previous.monitoring, next.monitoring],
    ['grafana', previous.monitoring, next.monitoring],
  ] as const;
  const started = switched.filter(([, was, is]) => !was && is).map(([service]) => service);
  const stopped = switched.filter(([, was, is]) => was && !is).map(([service]) => service);
  return {
    steps:
      stopped.length === 0
        ? []
        : [
            `Stop and remove the services these files no longer have (by name: \`docker compose up -d --remove-orphans\` would also recreate every changed node at once):\n     ${run.removeServices(stopped)}`,
          ],
    last: started.length === 0 ? [] : [`Start the new services:\n     docker compose up -d ${started.join(' ')}`],
  };
}

/** Slots a shrink dropped, filled again: by new Restate nodes, since removed ones never rejoin. */
function comebacks(previous: ClusterOptions, next: ClusterOptions): string[] {
  const replacements = parseReplacements(next.replacedNodes);
  const back = nodeIds(previous.nodes + 1, next.nodes)
    .filter((k) => replacements.has(k))
    .map((k, i) => {
      const { id, name } = restateIdentity(k, replacements);
      return `${i === 0 ? nodeName(k) + ' joins' : nodeName(k)} as ${name} (N${id})`;
    });
  return back.length === 0
    ? []
    : [
        `${back.join(', ')}: a node removed from the cluster keeps a tombstone under its ID, so it never rejoins as itself`,
      ];
}

/** Another Restate version: rolled out one node at a time. */
function versionChange({ previous, next, run }: ChangeContext): Change {
  if (next.restateVersion === previous.restateVersion) return {};
  const down = compareVersions(next.restateVersion, previous.restateVersion) < 0;
  const step = `${down ? 'Downgrade' : 'Upgrade'} one node at a time (${run.allAtOnce} would restart them all at once)${down ? "; a node reads data written by a newer Restate only if that version's release notes say so, so check them and keep a snapshot first" : ''}${run.rollingNote}:\n     ${run.upgradeEach(allNodeNames(next).slice(0, Math.min(previous.nodes, next.nodes)))}`;
  return {
    notes: [`Restate ${previous.restateVersion} → ${next.restateVersion}${down ? ' (a downgrade)' : ''}`],
    restarts: allNodeNames(next).slice(0, Math.min(previous.nodes, next.nodes)),
    // Under Swarm any stack deploy (growing, say) would change every node's image at once: first.
    ...(next.target === 'swarm' ? { first: [step] } : { steps: [step] }),
  };
}

/** The changes a regeneration is judged on, in the order their notes and steps are listed. */
const CHANGES = [
  exposureChange,
  rename,
  shrink,
  grow,
  replacement,
  replicationChange,
  metadataShrink,
  metadataGrow,
  addOnChanges,
  storeChange,
  versionChange,
];

/**
 * Judges a change of options against a cluster that may be running. Refuses (unless forced)
 * what Restate cannot do or what would orphan data: removing nodes, renaming the cluster.
 */
export function judgeRegeneration(
  previous: ClusterOptions | undefined,
  next: ClusterOptions,
  force: boolean,
  operator: Operator,
): Regeneration {
  if (!previous) return { notes: [], steps: [], restarted: [], last: [] };
  const context = { previous, next, force, run: runningClusterCommands(duringRestarts(previous, next), operator) };
  const judged = CHANGES.map((judge) => judge(context));
  const fresh = judged.find((c) => c.fresh);
  const changes = fresh ? [fresh] : judged;
  return {
    notes: judged.flatMap((c) => c.notes ?? []),
    // Each change's first steps go before all steps so far: a later change's come first.
    steps: [...[...changes].reverse().flatMap((c) => c.first ?? []), ...changes.flatMap((c) => c.steps ?? [])],
    restarted: [...new Set(changes.flatMap((c) => c.restarts ?? []))],
    last: changes.flatMap((c) => c.last ?? []),
  };
}
