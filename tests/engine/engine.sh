#!/usr/bin/env bash
# The Docker Engine the engine tests run against. As root, on a Debian bookworm machine:
#   engine.sh install   installs Docker Engine 26 (Debian trixie's docker.io, containerd and the
#                       compose plugin, unpacked under $ENGINE_PREFIX) when no engine of 25+ is
#                       there; bookworm's runc, iptables, iproute2 and debootstrap from apt.
#   engine.sh start     starts one when none answers on $DOCKER_HOST (or the default socket)
#                       and prints the variables to use it; a no-op for an engine that answers.
#   engine.sh stop      stops the engine `start` started (never one it found running).
#   engine.sh restart   stops that engine and starts it again, as `systemctl restart docker`
#                       does: containers are stopped in their grace period and the daemon
#                       starts those whose restart policy says so (the day-two drill).
# Why trixie's packages: bookworm's docker.io is Engine 20.10, which refuses
# healthcheck.start_interval (Engine 25+), a key the generated files use. Trixie's runc needs
# glibc 2.38, so bookworm's runc stays on PATH. No registry is reachable: see images.sh.
set -euo pipefail

ENGINE_PREFIX=${ENGINE_PREFIX:-/opt/gen-compose-engine}
ENGINE_STATE=${ENGINE_STATE:-/var/lib/gen-compose-engine}
ENGINE_RUN=${ENGINE_RUN:-/run/gen-compose-engine}
export PATH="$ENGINE_PREFIX/usr/bin:$ENGINE_PREFIX/usr/sbin:$PATH"

log() { echo "engine: $*" >&2; }

# The release Debian calls trixie, from the machine's own apt source (its mirror, not ours).
debian_mirror() {
  local uri
  uri=$(grep -h -m1 -E '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -v security | head -1 | sed -E 's/^URIs: *//; s/^deb (\[[^]]*\] )?//; s/ .*//')
  [ -n "$uri" ] || { log "no Debian mirror in /etc/apt sources"; exit 1; }
  echo "$uri"
}

engine_version_ok() { # $1: docker binary; true when the server answers with major version >= 25
  local version
  version=$("$1" version --format '{{.Server.Version}}' 2>/dev/null) || return 1
  [ "${version%%.*}" -ge 25 ] 2>/dev/null
}

install_engine() {
  if [ -x "$ENGINE_PREFIX/usr/sbin/dockerd" ] && [ -x "$ENGINE_PREFIX/usr/libexec/docker/cli-plugins/docker-compose" ]; then
    log "Docker Engine already unpacked in $ENGINE_PREFIX"
  else
    local apt_dir mirror
    apt_dir=$(mktemp -d)
    mirror=$(debian_mirror)
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/parts" "$apt_dir/debs"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$apt_dir/sources.list"
    local opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=$apt_dir/parts"
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root")
    log "downloading docker.io, docker-cli, containerd, docker-compose and tini from Debian trixie"
    apt-get "${opts[@]}" -qq update
    (cd "$apt_dir/debs" && apt-get "${opts[@]}" -qq download docker.io docker-cli containerd docker-compose tini)
    mkdir -p "$ENGINE_PREFIX"
    for deb in "$apt_dir"/debs/*.deb; do dpkg -x "$deb" "$ENGINE_PREFIX"; done
    rm -rf "$apt_dir"
  fi
  local missing=()
  for tool in runc iptables ip debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing runc iptables iproute2 debootstrap from Debian"
    apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc iptables iproute2 debootstrap >/dev/null
  fi
}

# Prints the environment that makes the docker CLI (and its compose plugin) talk to this engine.
client_env() { # $1: DOCKER_HOST
  mkdir -p "$ENGINE_RUN/client"
  printf '{"cliPluginsExtraDirs": ["%s"]}\n' "$ENGINE_PREFIX/usr/libexec/docker/cli-plugins" > "$ENGINE_RUN/client/config.json"
  echo "export DOCKER_HOST=$1"
  echo "export DOCKER_CONFIG=$ENGINE_RUN/client"
  echo "export PATH=$ENGINE_PREFIX/usr/bin:$ENGINE_PREFIX/usr/sbin:\$PATH"
}

start_engine() {
  local host="unix://$ENGINE_RUN/docker.sock"
  if [ -n "${DOCKER_HOST:-}" ] && engine_version_ok docker; then
    log "using the engine at $DOCKER_HOST"; client_env "$DOCKER_HOST"; return
  fi
  if DOCKER_HOST=unix:///var/run/docker.sock engine_version_ok docker; then
    log "using the engine at /var/run/docker.sock"; client_env unix:///var/run/docker.sock; return
  fi
  if DOCKER_HOST=$host engine_version_ok docker; then
    log "using the engine at $host"; client_env "$host"; return
  fi
  [ -x "$ENGINE_PREFIX/usr/sbin/dockerd" ] || install_engine
  mkdir -p "$ENGINE_RUN" "$ENGINE_STATE"
  log "starting dockerd (data in $ENGINE_STATE, log $ENGINE_RUN/dockerd.log)"
  # dockerd starts and stops its own containerd when none is given. Its own session keeps a
  # Ctrl-C from killing it before the cleanup stops it in order; the marker (with its pid) is
  # written before it starts, so an interruption at any point still finds it to stop.
  setsid dockerd --host "$host" --data-root "$ENGINE_STATE/docker" --exec-root "$ENGINE_RUN/exec" \
    --pidfile "$ENGINE_RUN/dockerd.pid" >"$ENGINE_RUN/dockerd.log" 2>&1 < /dev/null &
  echo $! > "$ENGINE_RUN/started-here"
  for _ in $(seq 1 120); do
    DOCKER_HOST=$host engine_version_ok docker && { client_env "$host"; return; }
    kill -0 $! 2>/dev/null || break
    sleep 0.5
  done
  log "dockerd did not answer; its log:"; tail -20 "$ENGINE_RUN/dockerd.log" >&2; exit 1
}

stop_engine() {
  [ -f "$ENGINE_RUN/started-here" ] || { log "no engine started by this script"; return 0; }
  local pid
  pid=$(cat "$ENGINE_RUN/dockerd.pid" 2>/dev/null || cat "$ENGINE_RUN/started-here")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping dockerd ($pid)"
    kill "$pid"
    # dockerd gives each container its stop grace period (Restate nodes: 75 s) before it exits.
    for _ in $(seq 1 180); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # A dockerd killed before it could clean up leaves its managed containerd, the containers'
  # shims and mounts.
  pkill -f "containerd --config $ENGINE_RUN/exec/containerd/containerd.toml" 2>/dev/null || true
  pkill -9 -f "containerd-shim-runc-v2 .*-address $ENGINE_RUN/exec/containerd/containerd.sock" 2>/dev/null || true
  grep -E " ($ENGINE_STATE|$ENGINE_RUN)/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -f "$ENGINE_RUN/started-here"
}

case "${1:-}" in
  install) install_engine ;;
  start) start_engine ;;
  stop) stop_engine ;;
  restart)
    [ -f "$ENGINE_RUN/started-here" ] || { log "no engine started by this script to restart"; exit 2; }
    stop_engine && start_engine >/dev/null ;;
  *) echo "usage: engine.sh install|start|stop|restart" >&2; exit 2 ;;
esac
