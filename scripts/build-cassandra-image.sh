#!/usr/bin/env bash
# Build the local Cassandra 5.0.x image (pdict/cassandra:5.0 and
# pdict/cassandra:<exact version>) without any container registry:
#
#   1. ensure a Docker daemon             (scripts/ensure-dockerd.sh)
#   2. base image: Debian bookworm minbase + openjdk-17-jre-headless made with
#      debootstrap from the machine's own apt mirror, `docker import`ed as
#      pdict/cassandra-base:bookworm-<key>
#   3. Cassandra jars: resolved by Maven from docker/cassandra/pom.xml
#   4. `docker build` of docker/cassandra/Dockerfile on top of 2 and 3
#
# Every step is skipped when its inputs did not change: the debootstrap
# tarball and the jars are cached under $PDICT_CACHE_DIR (default
# ${XDG_CACHE_HOME:-~/.cache}/pdict, outside the repo), and the final image
# carries a label with the hash of all its inputs. A rebuild with nothing
# changed takes a few seconds.
#
# Usage: scripts/build-cassandra-image.sh [--rebuild]
#   --rebuild   rebuild the final image even if its inputs are unchanged
#               (the cached base tarball and jars are still used)
# Environment:
#   PDICT_CACHE_DIR         cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/pdict)
#   PDICT_CASSANDRA_IMAGE   image repository name (default pdict/cassandra)
#   PDICT_DEBIAN_MIRROR     Debian mirror URL for debootstrap (default: read
#                           from this machine's apt sources)
# Needs root (debootstrap, dockerd). Prints the time each step took.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$REPO/docker/cassandra
CACHE=${PDICT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pdict}/cassandra
IMAGE=${PDICT_CASSANDRA_IMAGE:-pdict/cassandra}
SUITE=bookworm
BASE_PACKAGES=openjdk-17-jre-headless
# Bump when the base-image recipe in step 2 changes (invalidates the tarball).
BASE_RECIPE=1
IMAGE_FILES=(Dockerfile cassandra.yaml logback.xml jvm17-server.options entrypoint.sh)

REBUILD=0
for arg in "$@"; do
    case "$arg" in
        --rebuild) REBUILD=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-cassandra-image: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

log() { echo "build-cassandra-image: $*" >&2; }
die() { echo "build-cassandra-image: ERROR: $*" >&2; exit 1; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
STEP_T0=0; STEP_NAME=""; TOTAL_T0=$(now_ms)
step() { STEP_NAME=$1; STEP_T0=$(now_ms); log "[$STEP_NAME] ..."; }
step_done() { # $1 = what happened
    local ms=$(($(now_ms) - STEP_T0))
    printf 'build-cassandra-image: [%s] %s in %d.%01ds\n' "$STEP_NAME" "$1" $((ms / 1000)) $((ms % 1000 / 100)) >&2
}
sha() { sha256sum | cut -c1-16; }
show_log_tail() { [ -f "$1" ] && tail -n "${2:-25}" "$1" >&2 || true; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and dockerd need it)"
mkdir -p "$CACHE"

apt_install() { # packages...
    log "installing $* (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; } >"$CACHE/apt-install.log" 2>&1 \
        || { show_log_tail "$CACHE/apt-install.log"; die "apt-get install $* failed (log: $CACHE/apt-install.log)"; }
}

# The Debian archive URL this machine's apt uses (never hard-coded here).
debian_mirror() {
    if [ -n "${PDICT_DEBIAN_MIRROR:-}" ]; then echo "$PDICT_DEBIAN_MIRROR"; return; fi
    local uri=""
    # deb822 *.sources: first "deb" stanza that is not the security archive.
    uri=$(awk '
        function flush() { if (types ~ /(^| )deb( |$)/ && uris != "" && suites !~ /-security/ && found == "") { split(uris, u, " "); found = u[1] } types = uris = suites = "" }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        /^Types:/  { sub(/^Types:[ \t]*/, ""); types = $0 }
        /^URIs:/   { sub(/^URIs:[ \t]*/, ""); uris = $0 }
        /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
        END { flush(); print found }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } if ($(i+1) !~ /-security/) { print $i; exit } }' /etc/apt/sources.list)
    fi
    [ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; set PDICT_DEBIAN_MIRROR"
    echo "${uri%/}"
}

# ---------------------------------------------------------------------------
step "1/4 dockerd"
"$REPO/scripts/ensure-dockerd.sh" || die "no Docker daemon (see the message above)"
step_done "docker ready"

# ---------------------------------------------------------------------------
step "2/4 base image"
ARCH=$(dpkg --print-architecture)
BASE_KEY=$(printf 'recipe=%s suite=%s variant=minbase include=%s arch=%s' "$BASE_RECIPE" "$SUITE" "$BASE_PACKAGES" "$ARCH" | sha)
BASE_IMAGE=pdict/cassandra-base:$SUITE-$BASE_KEY
BASE_DIR=$CACHE/base
BASE_TAR=$BASE_DIR/rootfs-$BASE_KEY.tar
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    step_done "skipped ($BASE_IMAGE exists)"
else
    mkdir -p "$BASE_DIR"
    what="imported cached $(basename "$BASE_TAR")"
    if [ ! -s "$BASE_TAR" ]; then
        command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
        MIRROR=$(debian_mirror)
        ROOTFS=$BASE_DIR/rootfs-$BASE_KEY.tmp
        rm -rf "$ROOTFS" "$BASE_TAR.tmp"
        log "debootstrap $SUITE (minbase + $BASE_PACKAGES) from the apt mirror; log: $BASE_DIR/debootstrap.log"
        debootstrap --variant=minbase --arch="$ARCH" --components=main --include="$BASE_PACKAGES" \
                "$SUITE" "$ROOTFS" "$MIRROR" >"$BASE_DIR/debootstrap.log" 2>&1 \
            || { show_log_tail "$BASE_DIR/debootstrap.log"; die "debootstrap failed (log: $BASE_DIR/debootstrap.log)"; }
        # Slim down; drop everything naming the host or its mirror.
        rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
               "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
               "$ROOTFS"/usr/share/locale/* "$ROOTFS"/var/log/* "$ROOTFS"/debootstrap
        rm -f "$ROOTFS"/etc/apt/sources.list "$ROOTFS"/etc/hostname
        : >"$ROOTFS"/etc/resolv.conf
        tar --numeric-owner --xattrs -C "$ROOTFS" -cf "$BASE_TAR.tmp" . \
            || die "could not tar the debootstrap root $ROOTFS"
        mv "$BASE_TAR.tmp" "$BASE_TAR"
        rm -rf "$ROOTFS"
        # keep only the current tarball
        find "$BASE_DIR" -maxdepth 1 -name 'rootfs-*.tar' ! -name "$(basename "$BASE_TAR")" -delete
        what="debootstrapped and imported"
    fi
    docker import \
        -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c 'ENV LANG=C.UTF-8' \
        -c 'CMD ["/bin/bash"]' \
        -m "Debian $SUITE minbase + $BASE_PACKAGES (pdict, debootstrap)" \
        "$BASE_TAR" "$BASE_IMAGE" >/dev/null \
        || die "docker import of $BASE_TAR failed"
    step_done "$what ($BASE_IMAGE)"
fi

# ---------------------------------------------------------------------------
step "3/4 cassandra jars"
POM_KEY=$(sha <"$SRC/pom.xml")
JARS=$CACHE/jars-$POM_KEY
CASSANDRA_VERSION=$(sed -n 's:.*<cassandra.version>\(.*\)</cassandra.version>.*:\1:p' "$SRC/pom.xml" | head -n1)
[ -n "$CASSANDRA_VERSION" ] || die "no <cassandra.version> in $SRC/pom.xml"
if [ -f "$JARS/.complete" ]; then
    step_done "skipped (cached: $(find "$JARS" -name '*.jar' | wc -l) jars, Cassandra $CASSANDRA_VERSION)"
else
    command -v mvn >/dev/null 2>&1 || apt_install maven
    rm -rf "$JARS.tmp"
    log "mvn: resolving cassandra-all $CASSANDRA_VERSION; log: $CACHE/maven.log"
    # -Dmaven.repo.local keeps the download cache with ours, not in ~/.m2.
    mvn -B -q -f "$SRC/pom.xml" -Dmaven.repo.local="$CACHE/m2" -Dcassandra.lib.dir="$JARS.tmp" package \
            >"$CACHE/maven.log" 2>&1 \
        || { show_log_tail "$CACHE/maven.log" 40; die "Maven could not resolve org.apache.cassandra:cassandra-all:$CASSANDRA_VERSION (log: $CACHE/maven.log)"; }
    ls "$JARS.tmp"/cassandra-all-"$CASSANDRA_VERSION".jar >/dev/null 2>&1 \
        || die "Maven ran but cassandra-all-$CASSANDRA_VERSION.jar is not in $JARS.tmp"
    touch "$JARS.tmp/.complete"
    rm -rf "$JARS"; mv "$JARS.tmp" "$JARS"
    # keep only the current jar set
    find "$CACHE" -maxdepth 1 -name 'jars-*' ! -name "$(basename "$JARS")" -exec rm -rf {} +
    step_done "resolved $(find "$JARS" -name '*.jar' | wc -l) jars (Cassandra $CASSANDRA_VERSION)"
fi

# ---------------------------------------------------------------------------
step "4/4 image"
MINOR_TAG=${CASSANDRA_VERSION%.*}
INPUTS=$({ echo "base=$BASE_IMAGE jars=$POM_KEY"; for f in "${IMAGE_FILES[@]}"; do echo "== $f"; cat "$SRC/$f"; done; } | sha)
current=$(docker image inspect -f '{{ index .Config.Labels "pdict.inputs" }}' "$IMAGE:$CASSANDRA_VERSION" 2>/dev/null || true)
if [ "$REBUILD" = 0 ] && [ "$current" = "$INPUTS" ]; then
    docker tag "$IMAGE:$CASSANDRA_VERSION" "$IMAGE:$MINOR_TAG"
    step_done "skipped ($IMAGE:$CASSANDRA_VERSION is up to date)"
else
    CTX=$CACHE/context
    rm -rf "$CTX"; mkdir -p "$CTX"
    cp -al "$JARS" "$CTX/lib" 2>/dev/null || cp -a "$JARS" "$CTX/lib"
    rm -f "$CTX/lib/.complete"
    for f in "${IMAGE_FILES[@]}"; do cp "$SRC/$f" "$CTX/$f"; done
    chmod 0755 "$CTX/entrypoint.sh"
    log "docker build $IMAGE:$CASSANDRA_VERSION; log: $CACHE/docker-build.log"
    DOCKER_BUILDKIT=0 docker build \
            --build-arg BASE_IMAGE="$BASE_IMAGE" \
            --label pdict.inputs="$INPUTS" \
            --label pdict.image=cassandra \
            --label org.opencontainers.image.title="pdict Cassandra test node" \
            --label org.opencontainers.image.version="$CASSANDRA_VERSION" \
            -t "$IMAGE:$CASSANDRA_VERSION" -t "$IMAGE:$MINOR_TAG" \
            "$CTX" >"$CACHE/docker-build.log" 2>&1 \
        || { show_log_tail "$CACHE/docker-build.log"; die "docker build failed (log: $CACHE/docker-build.log)"; }
    rm -rf "$CTX"
    # drop the previous, now untagged, builds of this image
    docker image prune -f --filter label=pdict.image=cassandra >/dev/null 2>&1 || true
    step_done "built $IMAGE:$CASSANDRA_VERSION and $IMAGE:$MINOR_TAG"
fi

ms=$(($(now_ms) - TOTAL_T0))
printf 'build-cassandra-image: done in %d.%01ds: %s:%s = %s:%s\n' $((ms / 1000)) $((ms % 1000 / 100)) \
    "$IMAGE" "$MINOR_TAG" "$IMAGE" "$CASSANDRA_VERSION" >&2
