import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { need, type RehearsalContext } from '../context.js';
import { runProgram, waitFor } from '../probes.js';
import { StepFailed, type Step } from '../runner.js';
import { adminNode } from './nodes.js';

/** Snapshots of every partition, taken with restatectl, and found as objects in the S3 stand-in's bucket. */
export const snapshotsInTheBucket: Step<RehearsalContext> = {
  name: 'create snapshots and find them in the bucket',
  // The failover steps after it do not need snapshots.
  laterStepsRunIfItFails: true,
  async run(context) {
    const { cluster } = need(context, 'cluster');
    if (!cluster.s3) return { skip: 'the file sets no snapshot destination' };
    const s3 = cluster.s3;
    const { s3Dir } = need(context, 's3Dir');
    const created = await snapshotEveryPartition(context);
    const where = join(s3Dir, s3.bucket, s3.prefix);
    const objects = storedObjects(where);
    const stored = new Set(objects.map((o) => o.split('/')[0]!));
    const missing = [...created].filter((p) => !stored.has(p));
    if (missing.length > 0)
      throw new StepFailed(
        `restatectl reported snapshots for partition(s) ${missing.join(', ')}, but s3://${s3.bucket}/${s3.prefix} has no object for them`,
      );
    return `all ${created.size} partitions snapshotted; ${objects.length} object(s) under s3://${s3.bucket}/${s3.prefix}`;
  },
};

/** The partitions restatectl snapshotted, once every one has been. */
async function snapshotEveryPartition(context: RehearsalContext): Promise<Set<string>> {
  const { cluster, restatectl } = need(context, 'cluster', 'restatectl');
  const admin = adminNode(cluster);
  // restatectl exits 0 even when partitions fail ("Can not find a suitable node to take
  // snapshot", common in the first seconds after start), so read its per-partition lines
  // and repeat until every partition has a snapshot.
  let created = new Set<string>();
  let failures: string[] = [];
  await waitFor(
    'a snapshot of every partition',
    context.options.waitSeconds,
    async () => {
      const r = await runProgram(
        restatectl.path,
        ['-s', `http://127.0.0.1:${admin.hostPorts.fabric}`, 'snapshots', 'create'],
        60_000,
      );
      const output = `${r.stdout}\n${r.stderr}`;
      created = new Set([...output.matchAll(/Snapshot created for partition (\d+)/g)].map((m) => m[1]!));
      failures = [...output.matchAll(/Failed to create snapshot for partition (\d+): (.*)/g)].map(
        (m) => `partition ${m[1]}: ${m[2]!.trim()}`,
      );
      if (r.code !== 0)
        return `restatectl snapshots create exited ${r.code}: ${output.trim().split('\n').slice(-2).join(' / ')}`;
      if (created.size === 0) return `no partition snapshotted${failures.length ? ` (${failures[0]})` : ''}`;
      return failures.length === 0 ? true : `${failures.length} partition(s) failed, e.g. ${failures[0]}`;
    },
    1000,
  );
  return created;
}

/** Objects s3rver stored under the bucket/prefix (its files end in ._S3rver_object). */
function storedObjects(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('._S3rver_object')) found.push(relative(dir, path).replace(/\._S3rver_object$/, ''));
    }
  };
  walk(dir);
  return found;
}
