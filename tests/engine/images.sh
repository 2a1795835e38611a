#!/usr/bin/env bash
# Builds, in the engine the docker CLI talks to, the images the generated files name, since no
# registry can be reached here. Each image is a Debian bookworm root made with debootstrap (like
# Restate's own image, Debian slim with curl and jq and no wget), holding the real programs:
#   Restate     the real restate-server and restatectl from this project's npm dependencies
#   MinIO       a stand-in: s3rver behind MinIO's `minio server` command line, and an `mc` that
#               does what the generated bucket job and healthcheck call (images/minio/)
#   HAProxy     Debian's haproxy;   Prometheus: Debian's prometheus
#   Grafana     a stand-in answering /api/health (Grafana is in neither Debian nor npm)
#   the SDK service: the project's counter service (real Restate SDK) on port 9080
# Roots are cached in $ENGINE_STATE/roots; images are rebuilt when an input changed.
#   images.sh [IMAGE_LIST_FILE]   (default: the images `node tests/engine/image-names.mjs` prints)
set -euo pipefail
cd "$(dirname "$0")/../.."
ENGINE_STATE=${ENGINE_STATE:-/var/lib/gen-compose-engine}
ROOTS="$ENGINE_STATE/roots"
log() { echo "images: $*" >&2; }

# name=value lines: restate, restatePrevious (and its version), minio, haproxy, prometheus, grafana, counter
eval "$(node tests/engine/image-names.mjs)"

make_root() { # $1: name, $2: extra packages (comma-separated); result: $ROOTS/$1.tar
  local tar="$ROOTS/$1.tar"
  [ -s "$tar" ] && return
  mkdir -p "$ROOTS"
  local dir
  dir=$(mktemp -d "$ROOTS/$1.XXXX")
  log "debootstrap bookworm root '$1' (+ $2)"
  if ! debootstrap --variant=minbase --include="$2" bookworm "$dir" >"$dir.log" 2>&1; then
    tail -20 "$dir.log" >&2; rm -rf "$dir"; exit 1
  fi
  # Smaller and quieter images: no apt lists or caches, no docs.
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/*
  tar -C "$dir" -cf "$tar.part" . && mv "$tar.part" "$tar"
  rm -rf "$dir" "$dir.log"
}

import_root() { # $1: root name; imports it as gen-compose-engine/$1:root unless present
  docker image inspect "gen-compose-engine/$1:root" >/dev/null 2>&1 && return
  log "importing root $1"
  docker import "$ROOTS/$1.tar" "gen-compose-engine/$1:root" >/dev/null
}

# Builds $1 (the tag) from a context directory $2, skipping it when the inputs' hash is the same.
build() {
  local tag=$1 context=$2 hash
  hash=$(cd "$context" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  if [ "$(docker image inspect -f '{{index .Config.Labels "gen-compose.inputs"}}' "$tag" 2>/dev/null)" = "$hash" ]; then
    log "$tag is up to date"; return
  fi
  log "building $tag"
  echo "LABEL gen-compose.inputs=$hash" >> "$context/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$context" >/dev/null 2>"$context/build.err" || { cat "$context/build.err" >&2; exit 1; }
}

make_root base curl,jq,ca-certificates,libstdc++6
make_root addons haproxy,prometheus,ca-certificates
import_root base
import_root addons

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node_bin=$(command -v node)

# Restate: the real binaries, where Restate's image has them. $1: the tag, $2: restate-server.
# restatectl is always npm's (none older than 1.7.10 is there; 1.7.12's reads a 1.6 cluster).
restate_image() {
  local context
  context="$work/$(echo "$1" | tr -c 'a-z0-9\n' '-')"
  mkdir -p "$context"
  cp "$2" "$context/restate-server"
  cp node_modules/@restatedev/restatectl-linux-x64/bin/restatectl "$context/"
  cat > "$context/Dockerfile" <<DOCKERFILE
FROM gen-compose-engine/base:root
COPY restate-server restatectl /usr/local/bin/
WORKDIR /
ENTRYPOINT ["/usr/local/bin/restate-server"]
DOCKERFILE
  build "$1" "$context"
}
# The version npm installed (the platform package), and the previous minor for the rolling-upgrade
# drill, its restate-server fetched from npm the way `check --fetch` does.
restate_image "$restate" node_modules/@restatedev/restate-server-linux-x64/bin/restate-server
# An assignment, so that a failed fetch stops the script here (inside an argument it would not).
previous_server=$(node --input-type=module -e "
  const { fetchBinary } = await import('./dist/restate/binaries.js');
  console.log(fetchBinary('restate-server', process.argv[1]).path);" "$restatePreviousVersion")
restate_image "$restatePrevious" "$previous_server"

# Node programs are bundled into one file each, with this machine's node (Debian bookworm's glibc).
bundle() { # $1: entry, $2: output
  node_modules/.bin/esbuild "$1" --bundle --platform=node --format=esm --target=node20 --log-level=warning \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
    --outfile="$2"
}

mkdir -p "$work/minio"
cp "$node_bin" "$work/minio/node"
bundle tests/engine/images/minio/server.mjs "$work/minio/server.mjs"
bundle tests/engine/images/minio/mc.mjs "$work/minio/mc.mjs"
printf '#!/bin/sh\nexec /usr/local/bin/node /opt/minio/server.mjs "$@"\n' > "$work/minio/minio"
printf '#!/bin/sh\nexec /usr/local/bin/node /opt/minio/mc.mjs "$@"\n' > "$work/minio/mc"
chmod +x "$work/minio/minio" "$work/minio/mc"
cat > "$work/minio/Dockerfile" <<DOCKERFILE
FROM gen-compose-engine/base:root
COPY node /usr/local/bin/node
COPY server.mjs mc.mjs /opt/minio/
COPY minio mc /usr/bin/
# MinIO's image has no curl (the generated healthcheck uses mc): neither has the stand-in.
RUN rm -f /usr/bin/curl
ENTRYPOINT ["/usr/bin/minio"]
DOCKERFILE
build "$minio" "$work/minio"

mkdir -p "$work/counter"
cp "$node_bin" "$work/counter/node"
bundle src/rehearse/counter-service.ts "$work/counter/counter-service.mjs"
cat > "$work/counter/Dockerfile" <<DOCKERFILE
FROM gen-compose-engine/base:root
COPY node /usr/local/bin/node
COPY counter-service.mjs /opt/counter/
ENTRYPOINT ["/usr/local/bin/node", "/opt/counter/counter-service.mjs", "9080"]
DOCKERFILE
build "$counter" "$work/counter"

mkdir -p "$work/haproxy"
cat > "$work/haproxy/Dockerfile" <<DOCKERFILE
FROM gen-compose-engine/addons:root
# Like the official image: the config at /usr/local/etc/haproxy/haproxy.cfg, run as haproxy.
RUN mkdir -p /usr/local/etc/haproxy
USER haproxy
STOPSIGNAL SIGUSR1
ENTRYPOINT ["/usr/sbin/haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]
DOCKERFILE
build "$haproxy" "$work/haproxy"

mkdir -p "$work/prometheus"
cat > "$work/prometheus/Dockerfile" <<DOCKERFILE
FROM gen-compose-engine/addons:root
# Like the official image: entrypoint the binary, data in /prometheus, run as nobody.
RUN mkdir -p /prometheus /etc/prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
DOCKERFILE
build "$prometheus" "$work/prometheus"

mkdir -p "$work/grafana"
cp "$node_bin" "$work/grafana/node"
cp tests/engine/images/grafana/server.mjs "$work/grafana/"
cat > "$work/grafana/Dockerfile" <<DOCKERFILE
FROM gen-compose-engine/base:root
COPY node /usr/local/bin/node
COPY server.mjs /opt/grafana/
ENTRYPOINT ["/usr/local/bin/node", "/opt/grafana/server.mjs"]
DOCKERFILE
build "$grafana" "$work/grafana"
log "done: $restate $restatePrevious $minio $counter $haproxy $prometheus $grafana"
