#!/usr/bin/env bash
# Make sure a Docker daemon answers `docker info`; start one if not.
#
# Idempotent: returns at once when `docker info` already works. Otherwise
# (root only) installs Debian's docker.io when dockerd is missing, starts
# `dockerd` in the background (detached, log in $PDICT_DOCKERD_LOG) and waits
# until it answers, at most $PDICT_DOCKERD_WAIT seconds.
#
# Daemon flags: none are needed on this project's machines (Debian 12 VM,
# kernel with overlayfs, iptables-nft): the defaults give overlay2 storage and
# the docker0 bridge with published ports (-p) reachable on 127.0.0.1.
# Fallbacks, tried only when needed:
#   - no overlayfs in the kernel          -> --storage-driver=vfs (slow, big)
#   - dockerd dies on iptables/NAT setup  -> restarted with --iptables=false
#     --ip6tables=false: the bridge stays and -p still works for 127.0.0.1
#     through docker-proxy (the userland proxy), just without NAT rules.
# Extra flags can be given in PDICT_DOCKERD_FLAGS (word-split).
#
# Environment:
#   PDICT_DOCKERD_LOG    dockerd's log file (default /var/log/pdict-dockerd.log)
#   PDICT_DOCKERD_WAIT   seconds to wait for the daemon (default 60)
#   PDICT_DOCKERD_FLAGS  extra dockerd flags
set -euo pipefail

LOG=${PDICT_DOCKERD_LOG:-/var/log/pdict-dockerd.log}
WAIT=${PDICT_DOCKERD_WAIT:-60}

say() { echo "ensure-dockerd: $*" >&2; }
die() { echo "ensure-dockerd: ERROR: $*" >&2; exit 1; }

docker_ok() { command -v docker >/dev/null 2>&1 && timeout 15 docker info >/dev/null 2>&1; }

if docker_ok; then
    say "docker daemon is up"
    exit 0
fi

if [ -n "${DOCKER_HOST:-}" ] && [[ "$DOCKER_HOST" != unix://* ]]; then
    die "DOCKER_HOST=$DOCKER_HOST does not answer 'docker info', and it is not a local daemon this script can start"
fi

[ "$(id -u)" = 0 ] || die "docker does not answer and starting dockerd needs root (running as uid $(id -u))"

# --- install ---------------------------------------------------------------
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    say "installing docker.io (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -q && apt-get install -y -q --no-install-recommends docker.io iptables; } >/tmp/pdict-docker-install.log 2>&1; then
        tail -n 20 /tmp/pdict-docker-install.log >&2 || true
        die "apt-get install docker.io failed (full log: /tmp/pdict-docker-install.log)"
    fi
fi

# --- a daemon that is already starting: give it the same time -------------
wait_for_daemon() { # $1 = pid to watch (or empty); returns 0 when up, 1 when dead, 2 on timeout
    local pid=$1 deadline=$((SECONDS + WAIT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        docker_ok && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
        sleep 0.5
    done
    return 2
}

existing=$(pgrep -x dockerd | head -n1 || true)
if [ -n "$existing" ]; then
    say "dockerd (pid $existing) runs but does not answer yet; waiting up to ${WAIT}s"
    rc=0; wait_for_daemon "$existing" || rc=$?
    [ "$rc" = 0 ] && { say "docker daemon is up"; exit 0; }
    die "a dockerd (pid $existing) is running but 'docker info' fails; see its log (ours: $LOG) or stop it"
fi

# --- start -----------------------------------------------------------------
flags=()
if ! grep -qw overlay /proc/filesystems 2>/dev/null && ! modprobe overlay 2>/dev/null; then
    say "kernel has no overlayfs: using --storage-driver=vfs"
    flags+=(--storage-driver=vfs)
fi
# shellcheck disable=SC2206
flags+=(${PDICT_DOCKERD_FLAGS:-})

mkdir -p "$(dirname "$LOG")"
start_dockerd() {
    say "starting dockerd ${*:-(default flags)}; log: $LOG"
    echo "=== $(date -Is) ensure-dockerd: dockerd $*" >>"$LOG"
    setsid nohup dockerd "$@" >>"$LOG" 2>&1 </dev/null &
    DOCKERD_PID=$!
}

start_dockerd "${flags[@]}"
rc=0; wait_for_daemon "$DOCKERD_PID" || rc=$?
if [ "$rc" = 1 ] && tail -n 30 "$LOG" | grep -qiE 'iptables|nat chain|xtables|nf_tables'; then
    say "dockerd died on iptables setup; retrying with --iptables=false --ip6tables=false (ports still published via docker-proxy)"
    flags+=(--iptables=false --ip6tables=false)
    start_dockerd "${flags[@]}"
    rc=0; wait_for_daemon "$DOCKERD_PID" || rc=$?
fi

case "$rc" in
    0) say "docker daemon is up (dockerd pid $DOCKERD_PID)"; exit 0 ;;
    1) tail -n 15 "$LOG" >&2 || true
       die "dockerd exited during start-up; last lines of $LOG above" ;;
    *) tail -n 15 "$LOG" >&2 || true
       die "dockerd (pid $DOCKERD_PID) did not answer 'docker info' within ${WAIT}s; see $LOG" ;;
esac
