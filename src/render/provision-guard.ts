import { CONTAINER_PORTS } from '../plan/defaults.js';
import type { RestateNode } from '../plan/model.js';
import { RESTATE_SERVER_BINARY } from '../restate/services.js';

/** How long the guard waits for its peers to say whether they hold a cluster, in seconds. */
export const PROVISION_GUARD_WAIT_SECONDS = 120;

/**
 * The shell script the provisioning node starts through (the image has sh, curl and jq), line
 * by line; a literal `$` is the shell's (the renderer escapes it for Compose).
 *
 * Why: a node started with an empty disk and auto-provision on provisions its own metadata
 * server before it learns that its peers already hold a cluster: on real Docker (Restate 1.7)
 * it formed a second cluster, which cannot be merged with the first, in 1 of 3 and 2 of 3
 * starts (with this guard: in none of 20). So the node first asks its peers' fabric /health, which every node answers from its
 * first second: one that knows a cluster (a nodes configuration, or a metadata member or
 * standby) means "join it": auto-provision off. Only when every peer says it awaits
 * provisioning does the node provision, as on the first start of the cluster. The peers are the
 * first members of the metadata group, a majority of it: if all of them lost their disks, no
 * quorum holds the old cluster's metadata any more. A peer that does not answer (or is still
 * starting) is asked again every half second (a peer starting beside it answers within about a
 * second); after the wait the node exits, so its restart policy asks again.
 */
export function provisionGuardScript(node: RestateNode): string[] {
  const peers = node.provisionPeers;
  const fabric = CONTAINER_PORTS.fabric;
  const verdict =
    'if .nodes_config_version > 0 or .metadata_server_status == "Member" or .metadata_server_status == "Standby"' +
    ' then "formed" elif .metadata_server_status == "AwaitingProvisioning" then "fresh" else "unknown" end';
  return [
    `# ${node.name} provisions the cluster only if no peer holds one: started on an empty disk`,
    '# while its peers hold the cluster, provisioning would form a second cluster. (gen-compose)',
    // Until it execs the server, sh is the container's first process, which ignores a signal it has no trap for.
    `trap 'exit 143' TERM INT`,
    `deadline=$(($(date +%s) + ${PROVISION_GUARD_WAIT_SECONDS}))`,
    `while [ "$(date +%s)" -lt "$deadline" ]; do`,
    `  fresh=0`,
    `  for peer in ${peers.join(' ')}; do`,
    `    state=$(curl -fsS -m 2 "http://$peer:${fabric}/health" 2>/dev/null | jq -r '${verdict}' 2>/dev/null)`,
    `    if [ "$state" = formed ]; then`,
    `      echo "${node.name}: $peer is part of a cluster: joining it, not provisioning"`,
    `      export RESTATE_AUTO_PROVISION=false`,
    `      exec ${RESTATE_SERVER_BINARY}`,
    `    fi`,
    `    [ "$state" != fresh ] || fresh=$((fresh + 1))`,
    `  done`,
    `  [ "$fresh" -lt ${peers.length} ] || exec ${RESTATE_SERVER_BINARY}`,
    `  sleep 0.5`,
    `done`,
    `echo "${node.name}: ${peers.join(', ')} did not say within ${PROVISION_GUARD_WAIT_SECONDS} s whether they hold a cluster; not provisioning (start them first)" >&2`,
    `exit 1`,
  ];
}
