#!/usr/bin/env bash
# Runs a command with a Docker Engine and the test images ready, then removes everything the run
# started: the engine (when none was running before), the Swarm hosts, and every container,
# volume and network of the tests' compose projects (named gce-test-*), also on failure or
# interruption. The command finds the engine through the file $GEN_COMPOSE_ENGINE names.
#   with-engine.sh                 the engine tests alone
#   with-engine.sh npm test        the whole suite (what .ci/run does)
# Needs root: it may install packages, start dockerd and create network namespaces.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
  echo "with-engine.sh: the engine tests need root (to start dockerd and create network namespaces)" >&2
  exit 2
fi
[ $# -gt 0 ] || set -- node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js tests/engine
[ -f dist/plan/defaults.js ] || npm run build >/dev/null

ENGINE_RUN=${ENGINE_RUN:-/run/gen-compose-engine}
export ENGINE_RUN
engine_file="$ENGINE_RUN/engine.json"

remove_test_projects() {
  command -v docker >/dev/null || return 0
  docker ps -aq --filter label=com.docker.compose.project 2>/dev/null | while read -r id; do
    case "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.project"}}' "$id" 2>/dev/null)" in
      gce-test-*) docker rm -f "$id" >/dev/null 2>&1 || true ;;
    esac
  done
  docker ps -aq --filter name=gce-test- | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker volume ls -q | grep '^gce-test-' | xargs -r docker volume rm >/dev/null 2>&1 || true
  docker network ls --format '{{.Name}}' | grep '^gce-test-' | xargs -r docker network rm >/dev/null 2>&1 || true
}

child=''
reserved_before=''
reserved_set=no
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  # The command runs in its own process group: stop all of it, then what it started.
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM -- "-$child" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$child" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$child" 2>/dev/null || true
  fi
  bash tests/engine/swarm-hosts.sh down >/dev/null 2>&1 || true
  remove_test_projects
  bash tests/engine/engine.sh stop || true
  # What the tests' own cleanup did not get to (their output directories hold credentials).
  rm -rf "${TMPDIR:-/tmp}"/gce-test-* "$engine_file"
  [ "$reserved_set" != yes ] || echo "$reserved_before" >/proc/sys/net/ipv4/ip_local_reserved_ports 2>/dev/null || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Nodes 3 to 5 publish ports in Linux's ephemeral range (k·10000 + 5122/8080/9070): an outgoing
# connection of any process may hold one, and docker compose up (or rehearse) then fails with
# "address already in use" (CI saw it at 41072 and 40936). While the tests run, the kernel keeps
# the ranges their offsets (1300..2100) put those ports in out of its ephemeral choice.
if [ -w /proc/sys/net/ipv4/ip_local_reserved_ports ]; then
  reserved_before="$(cat /proc/sys/net/ipv4/ip_local_reserved_ports)"
  if echo "36000-41999,46000-51999,56000-60999" >/proc/sys/net/ipv4/ip_local_reserved_ports 2>/dev/null; then reserved_set=yes; fi
fi

bash tests/engine/engine.sh install
# An assignment, so that a failed start stops the script (set -e ignores a failure inside eval "$(…)").
engine_env=$(bash tests/engine/engine.sh start)
eval "$engine_env"
# Leftovers of an earlier run that was killed before it could clean up.
bash tests/engine/swarm-hosts.sh down >/dev/null 2>&1 || true
remove_test_projects
bash tests/engine/images.sh

mkdir -p "$ENGINE_RUN"
node -e '
  const [file, images, scripts] = process.argv.slice(1);
  const names = Object.fromEntries(images.trim().split("\n").map((l) => { const m = /^(\w+)=.(.*).$/.exec(l); return [m[1], m[2]]; }));
  const env = { DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CONFIG: process.env.DOCKER_CONFIG, PATH: process.env.PATH, ENGINE_RUN: process.env.ENGINE_RUN };
  require("node:fs").writeFileSync(file, JSON.stringify({ env, images: names, scripts }, null, 2));
' "$engine_file" "$(node tests/engine/image-names.mjs)" "$PWD/tests/engine"

# In the background and waited for, so a signal to this script is handled at once (bash runs a
# trap only between commands); in its own process group, so the cleanup can stop all of it.
GEN_COMPOSE_ENGINE="$engine_file" setsid --wait "$@" &
child=$!
wait "$child"
