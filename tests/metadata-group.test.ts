// The metadata group's changes on a running cluster: which nodes' files change (and so which
// restart), and what the metadata client is given to start from.
import { loadCompose } from '../src/load/loader.js';
import { metadataBootstrapCount } from '../src/restate/metadata-client.js';
import { clusterDir } from './helpers.js';

const { out, gen, ...cluster } = clusterDir();
const addresses = () =>
  Object.fromEntries(
    loadCompose(out())
      .services.filter((s) => s.name.startsWith('restate-'))
      .map((s) => [s.name, s.environment.RESTATE_METADATA_CLIENT__ADDRESSES]),
  );
const listOf = (...ids: number[]) => JSON.stringify(ids.map((k) => `http://restate-${k}:5122`));

test('a metadata client starts from a quorum of the group, at least three of it', () => {
  expect([1, 2, 3, 4, 5, 7, 9].map(metadataBootstrapCount)).toEqual([1, 2, 3, 3, 3, 4, 5]);
});

test('growing the group from three to five, with the nodes or after them, rewrites no running node but those that gain the role', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const grown = gen('--nodes', '5', '--metadata-nodes', '5');
  expect(grown.status).toBe(0);
  expect(grown.stdout).toContain('note: metadata group 3 → 5 nodes: its new members join it at start');
  expect(grown.stdout).not.toContain('Recreate');
  expect(new Set(Object.values(addresses()))).toEqual(new Set([listOf(1, 2, 3)]));

  cluster.fresh();
  expect(gen('--nodes', '5', '--replication', '2').status).toBe(0);
  const more = gen('--metadata-nodes', '5');
  expect(more.status).toBe(0);
  expect(more.stdout).toContain('note: metadata group 3 → 5 nodes');
  expect(more.stdout).toMatch(
    /1\. Recreate restate-4, restate-5 one at a time, so they run with the new metadata group/,
  );
  expect(more.stdout).toMatch(/2\. Check that the new members serve metadata:\n\s+.*metadata-server list-servers/);
});

test('a shrink whose smaller group drops a node that stays takes it out of the group too, then restarts it without the role', () => {
  expect(gen('--nodes', '5', '--replication', '2', '--metadata-nodes', '5').status).toBe(0);
  const r = gen('--nodes', '4', '--metadata-nodes', '3', '--force');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('metadata-server remove-node N4 N5 &&');
  expect(r.stdout).toContain('note: metadata group 5 → 3 nodes');
  expect(r.stdout).toMatch(/2\. Recreate restate-4 one at a time, so they run with the new metadata group/);
});

test("on Swarm a metadata change rolls through the changed nodes, each node's part of the stack deployed alone", () => {
  expect(gen('--target', 'swarm', '--nodes', '5', '--replication', '2').status).toBe(0);
  const r = gen('--metadata-nodes', '5');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("so each node's part of the stack file is deployed alone (gen-compose stack-part)");
  expect(r.stdout).toMatch(
    /\(set -a && \. \.\/\.env && set \+a && set -o pipefail && node \S+ stack-part \. --service restate-4 \| docker stack deploy -c - restate-cluster\) && node \S+ ready \. --stack restate-cluster --updated restate-4 &&\n/,
  );
  // The whole file last: it changes nothing more.
  expect(r.stdout).toMatch(
    /&&\n\s+\(set -a && \. \.\/\.env && set \+a && docker stack deploy -c docker-stack\.yaml restate-cluster\)\n/,
  );
});
