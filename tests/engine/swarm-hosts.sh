#!/usr/bin/env bash
# Several Docker "hosts" on one machine, for the Swarm tests: each host is a network namespace
# with its own address on a bridge and its own dockerd (own data, exec root and socket), so
# `docker swarm init/join`, node labels, overlay networks and host-mode ports behave as on
# separate machines. Run as root.
#   swarm-hosts.sh up N     N hosts: 192.168.231.11 … (bridge gce-swarm0 at 192.168.231.1),
#                           sockets unix://$ENGINE_RUN/host-K.sock; prints one line per host
#   swarm-hosts.sh down     stops every engine, removes namespaces, links, data and rules
#   swarm-hosts.sh cut K    takes host K's link down (the host drops off the network)
#   swarm-hosts.sh heal K   brings it back
#   swarm-hosts.sh client   host 0 (192.168.231.100), no engine: another machine on the network,
#                           to reach published ports from (nsenter --net=/var/run/netns/gce-host-0);
#                           this machine is 192.168.231.1 from there
# The engine binaries come from engine.sh install.
set -euo pipefail
ENGINE_PREFIX=${ENGINE_PREFIX:-/opt/gen-compose-engine}
ENGINE_RUN=${ENGINE_RUN:-/run/gen-compose-engine}
SWARM_STATE=${SWARM_STATE:-/var/lib/gen-compose-engine/swarm}
export PATH="$ENGINE_PREFIX/usr/bin:$ENGINE_PREFIX/usr/sbin:$PATH"
BRIDGE=gce-swarm0
NET=192.168.231
log() { echo "swarm-hosts: $*" >&2; }

bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 && return
  ip link add "$BRIDGE" type bridge
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # The machine's own dockerd sets FORWARD to DROP; bridged traffic passes through it.
  iptables -I FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
}

netns_up() { # $1: K, $2: address
  local k=$1 ns=gce-host-$1
  ip netns add "$ns"
  ip link add "gce-h$k" type veth peer name eth0 netns "$ns"
  ip link set "gce-h$k" master "$BRIDGE" up
  ip -n "$ns" addr add "$2/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$NET.1"
}

client() {
  bridge_up
  ip netns list | grep -q '^gce-host-0\b' || netns_up 0 "$NET.100"
  echo "gce-host-0 $NET.100 $NET.1"
}

host_up() { # $1: K
  local k=$1 ns=gce-host-$1 addr="$NET.$((10 + $1))"
  netns_up "$k" "$addr"
  # No DNS server is reachable from a host: refuse DNS at once instead of waiting for time-outs
  # (docker stack deploy asks a registry for each image's digest, and no registry is there).
  nsenter --net="/var/run/netns/$ns" iptables -I OUTPUT -p udp --dport 53 -j REJECT
  nsenter --net="/var/run/netns/$ns" iptables -I OUTPUT -p tcp --dport 53 -j REJECT --reject-with tcp-reset
  mkdir -p "$SWARM_STATE/host-$k" "$ENGINE_RUN/host-$k"
  # nsenter, not `ip netns exec`: the latter remounts /sys and dockerd then finds no cgroups.
  # Its own UTS namespace gives each host its own name in `docker node ls`.
  setsid unshare --uts sh -c "hostname $ns && exec \"\$0\" \"\$@\"" nsenter --net="/var/run/netns/$ns" dockerd \
    --host "unix://$ENGINE_RUN/host-$k.sock" --data-root "$SWARM_STATE/host-$k" \
    --exec-root "$ENGINE_RUN/host-$k/exec" --pidfile "$ENGINE_RUN/host-$k/dockerd.pid" \
    >"$ENGINE_RUN/host-$k/dockerd.log" 2>&1 </dev/null &
  echo "$ns unix://$ENGINE_RUN/host-$k.sock $addr"
}

wait_engine() { # $1: K
  for _ in $(seq 1 120); do
    docker -H "unix://$ENGINE_RUN/host-$1.sock" version >/dev/null 2>&1 && return
    sleep 0.5
  done
  log "host $1's dockerd did not answer:"; tail -20 "$ENGINE_RUN/host-$1/dockerd.log" >&2; return 1
}

up() {
  local n=$1
  bridge_up
  for k in $(seq 1 "$n"); do host_up "$k"; done
  for k in $(seq 1 "$n"); do wait_engine "$k"; done
}

down() {
  for pidfile in "$ENGINE_RUN"/host-*/dockerd.pid; do
    [ -f "$pidfile" ] || continue
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
  # Whatever a killed engine left: containers' processes and shims in the namespaces.
  for ns in $(ip netns list 2>/dev/null | awk '/^gce-host-/ {print $1}'); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E '^gce-h[0-9]+' | cut -d@ -f1); do
    ip link del "$link" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  while iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null; do :; done
  # Mounts the engines left under their data and exec roots, then the directories.
  grep -E " ($SWARM_STATE|$ENGINE_RUN/host-)" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$SWARM_STATE" "$ENGINE_RUN"/host-*
}

case "${1:-}" in
  up) up "${2:?how many hosts}" ;;
  down) down ;;
  cut) ip link set "gce-h${2:?which host}" down ;;
  heal) ip link set "gce-h${2:?which host}" up ;;
  client) client ;;
  *) echo "usage: swarm-hosts.sh up N | down | cut K | heal K | client" >&2; exit 2 ;;
esac
