import { isWellKnownSecret } from '../credentials.js';
import { UsageError } from '../errors.js';
import { isPort, PORT_RANGE_TEXT } from '../docker/ports.js';
import {
  isPinnedTag,
  removedRepositoryProblem,
  restateValueProblem,
  serviceNamedBy,
  snapshotDestinationProblem,
} from '../restate/settings.js';
import { isIPv4 } from './exposure.js';
import type { ClusterPlan } from './plan.js';

/**
 * Values kept from .env go straight into the running cluster, so they must make sense with the
 * rest: ports that are ports and do not collide, an address, a replication the nodes can
 * hold. A bad one is reported on one line, naming the .env line, and nothing is written.
 */
export function checkKeptValues(plan: ClusterPlan, edited: Set<string> = new Set()): void {
  const value = new Map(plan.tunables.map((t) => [t.name, t.effective]));
  const bad = (name: string, why: string) =>
    new UsageError(`.env has ${name}=${value.get(name)}, ${why}: fix or delete that line`);
  const owners = new Map<number, string>();
  for (const [name, text] of value) {
    if (!name.endsWith('_PORT_OVERRIDE')) continue;
    const port = Number(text);
    if (!/^\d+$/.test(text) || !isPort(port)) throw bad(name, `which is not a port (${PORT_RANGE_TEXT})`);
    const other = owners.get(port);
    // Blame the line that was edited: deleting the other one would bring its port back.
    if (other !== undefined)
      throw edited.has(other) && !edited.has(name)
        ? bad(other, `the same port as ${name}`)
        : bad(name, `the same port as ${other}`);
    owners.set(port, name);
  }
  for (const t of plan.tunables) {
    // docker compose refuses to start with an empty secret (${NAME:?…}); a new one is generated
    // for a deleted line.
    if (t.secret && t.effective === '' && edited.has(t.name))
      throw bad(t.name, 'an empty secret docker compose refuses to start with');
    if (t.secret && isWellKnownSecret(t.effective))
      throw bad(t.name, 'a well-known default anyone who reaches the port can use');
  }
  // MinIO refuses to start with a shorter root user or password (and mc admin user add with a
  // shorter key for Restate's user).
  for (const [name, min] of [
    ['MINIO_ROOT_USER', 3],
    ['MINIO_ROOT_PASSWORD', 8],
  ] as const) {
    const v = value.get(name);
    if (v !== undefined && v.length < min) throw bad(name, `shorter than the ${min} characters MinIO requires`);
  }
  if (value.has('MINIO_ROOT_USER')) {
    for (const [name, min] of [
      ['RESTATE_S3_ACCESS_KEY', 3],
      ['RESTATE_S3_SECRET_KEY', 8],
    ] as const) {
      const v = value.get(name);
      if (v !== undefined && v !== '' && v.length < min)
        throw bad(name, `shorter than the ${min} characters MinIO requires of a user's key`);
    }
  }
  for (const [name, address] of value) {
    if (name.endsWith('_PUBLISH_ADDRESS') && !isIPv4(address)) throw bad(name, 'which is not an IPv4 address');
  }
  if (!value.get('RESTATE_CLUSTER_NAME')) throw bad('RESTATE_CLUSTER_NAME', 'which is empty');
  // A value restate-server refuses stops every node that reads it, one by one in a rolling block.
  for (const [name, text] of value) {
    const problem = restateValueProblem(name, text);
    if (problem) throw bad(name, `which restate-server refuses to start with (${problem})`);
  }
  // The rules the output is held to (check's image-tag and snapshots rules), from the same facts.
  const minio = value.get('MINIO_VERSION');
  if (minio !== undefined && !isPinnedTag(minio)) throw bad('MINIO_VERSION', 'a tag that pins no release');
  const destination = value.get('RESTATE_WORKER__SNAPSHOTS__DESTINATION');
  const problem = destination === undefined ? undefined : snapshotDestinationProblem(destination);
  if (problem) throw bad('RESTATE_WORKER__SNAPSHOTS__DESTINATION', problem);
  const image = value.get('MINIO_IMAGE') ?? '';
  const removed = removedRepositoryProblem(image);
  if (removed) throw bad('MINIO_IMAGE', removed);
  // The compose file appends :${MINIO_VERSION}; Docker takes lower-case repository names only.
  if (/[:@][^/]*$/.test(image)) throw bad('MINIO_IMAGE', 'a repository with a tag or digest: the tag is MINIO_VERSION');
  if (image !== image.toLowerCase()) throw bad('MINIO_IMAGE', 'which Docker refuses: repository names are lower-case');
  checkKeptEndpoint(plan, value, bad);
}

/** The snapshot endpoint the nodes are given, held to check's snapshots rule. */
function checkKeptEndpoint(plan: ClusterPlan, value: Map<string, string>, bad: (n: string, why: string) => Error) {
  const [endpointName, regionName] = ['AWS_ENDPOINT_URL', 'AWS_REGION'].map((k) => `RESTATE_WORKER__SNAPSHOTS__${k}`);
  const endpoint = value.get(endpointName!);
  if (!endpoint) return;
  const services = [
    ...plan.nodes.map((n) => n.name),
    ...(plan.minio ? [plan.minio.service] : []),
    ...(plan.loadBalancer ? [plan.loadBalancer.service] : []),
  ];
  if (!URL.canParse(endpoint)) throw bad(endpointName!, 'which is no URL (http://HOST:PORT or https://HOST)');
  const named = serviceNamedBy(endpoint);
  if (named !== undefined && !services.includes(named))
    throw bad(endpointName!, `which names "${named}", no service of these files (the nodes could not resolve it)`);
  if (value.get(regionName!)?.trim() === '')
    throw bad(
      regionName!,
      'empty: with a custom endpoint restate-server fails to resolve a region (any value will do, e.g. local)',
    );
}
