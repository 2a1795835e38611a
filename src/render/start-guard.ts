import { CONTAINER_PORTS } from '../plan/defaults.js';
import type { RestateNode } from '../plan/model.js';
import { RESTATE_SERVER_BINARY } from '../restate/services.js';

/**
 * How long the provisioning node waits for its peers to say whether they hold a cluster, in
 * seconds: under Swarm's healthcheck (start period 60 s) a task still waiting was killed as
 * unhealthy at 72 s, before a longer wait could say why.
 */
export const PROVISION_GUARD_WAIT_SECONDS = 50;

/** How often the provisioning node says again what its peers answered (the first time after 5 s). */
const WAIT_LOG_EVERY_SECONDS = 10;

/** The line a node whose disk is lost logs instead of starting (tests and READMEs quote its start). */
export const LOST_DISK_LOG = 'its data is gone and the cluster still lists it';

/**
 * The shell script every node with peers starts through (the image has sh, curl, jq, timeout and
 * restatectl), line by line; a literal `$` is the shell's (the renderer escapes it for Compose).
 * A node whose data directory (`<base-dir>/<node-name>`, what Restate reads) exists is
 * restarting: it starts at once, nothing is asked. Only an empty disk asks the peers (the first
 * members of the metadata group, a majority of it) on their fabric `/health`, which every node
 * answers from its first second; one that knows a cluster (a nodes configuration, or a metadata
 * member or standby) is "formed".
 *
 * Why a lost disk is asked about: Restate refuses an empty node under a name the cluster knows
 * ("storage-state is data-loss … choose a different node-name") only after it has joined, and
 * each such start interrupted the whole cluster for 1.1–1.5 s (a trial: 9 gaps in 75 s while
 * the restart policy backed off). So a node the cluster still lists (restatectl nodes list, from
 * a formed peer) does not start Restate at all: it says why and waits, unhealthy, until it is
 * given a new identity (--replace-node) or stopped. A new node (grow, a replacement's new name)
 * is not listed and starts; a peer that does not answer, or a restatectl that fails, starts it
 * too, as before the guard.
 *
 * Why the provisioning node waits for its peers: started with an empty disk and auto-provision
 * on, it provisions its own metadata server before it learns that its peers already hold a
 * cluster: on real Docker (Restate 1.7) it formed a second cluster, which cannot be merged with
 * the first, in 1 of 3 and 2 of 3 starts (with this guard: in none of 20). So it provisions only
 * when every peer says it awaits provisioning (the first start); a formed peer means "join it":
 * auto-provision off. A peer that does not answer (or is still starting) is asked again every
 * half second (a peer starting beside it answers within about a second); after the wait the node
 * exits, so its restart policy asks again. The other nodes never provision, so they ask once.
 */
export function startGuardScript(node: RestateNode): string[] {
  const peers = node.startPeers;
  const fabric = CONTAINER_PORTS.fabric;
  const verdict =
    'if .nodes_config_version > 0 or .metadata_server_status == "Member" or .metadata_server_status == "Standby"' +
    ' then "formed" elif .metadata_server_status == "AwaitingProvisioning" then "fresh" else "unknown" end';
  const lostDisk = [
    `listed() { timeout 8 restatectl -s "http://$1:${fabric}" nodes list 2>/dev/null | awk -v name="$RESTATE_NODE_NAME" '{ for (i = 1; i <= NF; i++) if ($i == name) found = 1 } END { exit !found }'; }`,
    `refuse_if_listed() {`,
    `  listed "$1" || return 0`,
    `  echo "${node.name}: ${LOST_DISK_LOG} ($1 lists $RESTATE_NODE_NAME; $data is missing): Restate refuses it under that name, and each start would interrupt the cluster. Not starting; give it a new identity: gen-compose --out DIR --replace-node ${node.id}" >&2`,
    `  while :; do sleep 3600 & wait $!; done`,
    `}`,
  ];
  // Every peer at once, each answer a line "peer verdict". A name not in DNS yet (a Swarm task
  // joins its service's DNS only once healthy) can take the whole lookup timeout of a resolver
  // that does not answer: asked one after the other, such peers cost 2 s each per round.
  const askAll = [
    `ask() { echo "$1 $(curl -fsS --connect-timeout 1 -m 2 "http://$1:${fabric}/health" 2>/dev/null | jq -r '${verdict}' 2>/dev/null)"; }`,
    `ask_all() { for peer in ${peers.join(' ')}; do ask "$peer" & done; wait; }`,
  ];
  const ask = `state=$(echo "$answers" | awk -v peer="$peer" '$1 == peer { print $2 }')`;
  const header = [
    `# ${node.name} asks its peers before it starts on an empty disk: a lost disk must not start`,
    `# under a name the cluster knows${node.autoProvision ? ', nor provision a second cluster' : ''}. (gen-compose)`,
    // Until it execs the server, sh is the container's first process, which ignores a signal it has no trap for.
    `trap 'exit 143' TERM INT`,
    `data="$RESTATE_BASE_DIR/$RESTATE_NODE_NAME"`,
    `[ ! -d "$data" ] || exec ${RESTATE_SERVER_BINARY}`,
    ...lostDisk,
    ...askAll,
  ];
  if (!node.autoProvision)
    return [
      ...header,
      `answers=$(ask_all)`,
      `for peer in ${peers.join(' ')}; do`,
      `  ${ask}`,
      `  [ "$state" != formed ] || { refuse_if_listed "$peer"; break; }`,
      `done`,
      `exec ${RESTATE_SERVER_BINARY}`,
    ];
  return [
    ...header,
    // What each peer answered last, in node order (sort -V: restate-2 before restate-10).
    `heard() { echo "$answers" | sort -V | awk '{ printf "%s%s %s", sep, $1, ($2 == "" ? "no answer" : $2 == "fresh" ? "awaits provisioning" : "is starting"); sep = ", " }'; }`,
    `deadline=$(($(date +%s) + ${PROVISION_GUARD_WAIT_SECONDS}))`,
    // Said while it waits (a silent wait looked like a broken node, trial 23 D3), not on a normal start.
    `say_at=$(($(date +%s) + 5))`,
    `while [ "$(date +%s)" -lt "$deadline" ]; do`,
    `  fresh=0`,
    `  answers=$(ask_all)`,
    `  for peer in ${peers.join(' ')}; do`,
    `    ${ask}`,
    `    if [ "$state" = formed ]; then`,
    `      refuse_if_listed "$peer"`,
    `      echo "${node.name}: $peer is part of a cluster: joining it, not provisioning"`,
    `      export RESTATE_AUTO_PROVISION=false`,
    `      exec ${RESTATE_SERVER_BINARY}`,
    `    fi`,
    `    [ "$state" != fresh ] || fresh=$((fresh + 1))`,
    `  done`,
    `  [ "$fresh" -lt ${peers.length} ] || exec ${RESTATE_SERVER_BINARY}`,
    `  if [ "$(date +%s)" -ge "$say_at" ]; then`,
    `    echo "${node.name}: waiting until ${peers.join(', ')} all say whether they hold a cluster, on their fabric port by name: $(heard)" >&2`,
    `    say_at=$(($(date +%s) + ${WAIT_LOG_EVERY_SECONDS}))`,
    `  fi`,
    `  sleep 0.5`,
    `done`,
    // Names the peers that never answered, not those that did (trial 23c D1).
    `echo "${node.name}: after ${PROVISION_GUARD_WAIT_SECONDS} s, not every peer has said whether it holds a cluster (last answers: $(heard)); not provisioning: start the peers that give no answer, or see why they cannot be reached" >&2`,
    `exit 1`,
  ];
}
