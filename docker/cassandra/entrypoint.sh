#!/bin/bash
# Entrypoint of the pdict/cassandra image (also used by run-local.sh outside
# Docker): renders cassandra.yaml / cassandra-rackdc.properties from the
# templates and environment, then execs CassandraDaemon in the foreground.
#
# Environment (the subset of the official `cassandra` image's variables that
# testcontainers' CassandraContainer and common tooling set):
#   MAX_HEAP_SIZE       heap size, -Xms/-Xmx (default 768M)
#   HEAP_NEWSIZE        accepted for compatibility; ignored with G1 (as in
#                       Cassandra's own cassandra-env.sh)
#   JVM_OPTS            extra JVM options appended verbatim (word-split)
#   JVM_EXTRA_OPTS      more extra JVM options (word-split)
#   CASSANDRA_CLUSTER_NAME       (default "Test Cluster")
#   CASSANDRA_NUM_TOKENS         (default 1)
#   CASSANDRA_DC / CASSANDRA_RACK  (default datacenter1 / rack1), written to
#                       cassandra-rackdc.properties (GossipingPropertyFileSnitch)
#   CASSANDRA_ENDPOINT_SNITCH    (default SimpleSnitch)
#   CASSANDRA_LISTEN_ADDRESS     (default: this host's first address, "auto")
#   CASSANDRA_BROADCAST_ADDRESS  (default: listen address)
#   CASSANDRA_RPC_ADDRESS        (default 0.0.0.0)
#   CASSANDRA_BROADCAST_RPC_ADDRESS (default: broadcast address)
#   CASSANDRA_SEEDS              (default: broadcast address)
#   CASSANDRA_NATIVE_PORT        CQL port (default 9042)
#   CASSANDRA_STORAGE_PORT       inter-node port (default 7000)
#   CASSANDRA_JMX_PORT           if set, local-only JMX on that port (for nodetool)
#   CASSANDRA_FAST_JIT           1 (default): C1-only JIT, faster start and
#                       short test runs; 0: full tiered JIT
# Paths (the image sets them; run-local.sh overrides them):
#   CASSANDRA_HOME (jars in $CASSANDRA_HOME/lib), CASSANDRA_CONF_TEMPLATES,
#   CASSANDRA_CONF (rendered config), CASSANDRA_DATA
set -euo pipefail

CASSANDRA_HOME=${CASSANDRA_HOME:-/opt/cassandra}
CASSANDRA_CONF_TEMPLATES=${CASSANDRA_CONF_TEMPLATES:-$CASSANDRA_HOME/conf-templates}
CASSANDRA_CONF=${CASSANDRA_CONF:-/etc/cassandra}
CASSANDRA_DATA=${CASSANDRA_DATA:-/var/lib/cassandra}

die() { echo "entrypoint: $*" >&2; exit 1; }

# First IPv4 address of this host (the container's bridge address in Docker).
first_ip() {
    local ip=""
    ip=$(hostname -i 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' | grep -v '^127\.' | head -n1 || true)
    [ -n "$ip" ] || ip=$(getent ahostsv4 "$(hostname)" 2>/dev/null | awk '$1 !~ /^127\./ {print $1; exit}' || true)
    echo "${ip:-127.0.0.1}"
}

listen=${CASSANDRA_LISTEN_ADDRESS:-auto}
[ "$listen" = auto ] && listen=$(first_ip)
broadcast=${CASSANDRA_BROADCAST_ADDRESS:-$listen}
[ "$broadcast" = auto ] && broadcast=$(first_ip)
rpc=${CASSANDRA_RPC_ADDRESS:-0.0.0.0}
broadcast_rpc=${CASSANDRA_BROADCAST_RPC_ADDRESS:-$broadcast}
[ "$broadcast_rpc" = auto ] && broadcast_rpc=$(first_ip)
seeds=${CASSANDRA_SEEDS:-$broadcast}
cluster_name=${CASSANDRA_CLUSTER_NAME:-Test Cluster}
num_tokens=${CASSANDRA_NUM_TOKENS:-1}
snitch=${CASSANDRA_ENDPOINT_SNITCH:-SimpleSnitch}
native_port=${CASSANDRA_NATIVE_PORT:-9042}
storage_port=${CASSANDRA_STORAGE_PORT:-7000}
dc=${CASSANDRA_DC:-datacenter1}
rack=${CASSANDRA_RACK:-rack1}

case "$cluster_name$snitch$seeds$dc$rack" in
    *[\'\"\\\|]*) die "CASSANDRA_CLUSTER_NAME/ENDPOINT_SNITCH/SEEDS/DC/RACK must not contain quotes, backslashes or '|'" ;;
esac

mkdir -p "$CASSANDRA_CONF/triggers" "$CASSANDRA_DATA" || die "cannot create $CASSANDRA_CONF or $CASSANDRA_DATA"
[ -w "$CASSANDRA_DATA" ] || die "data directory $CASSANDRA_DATA is not writable by uid $(id -u)"

sed -e "s|@CLUSTER_NAME@|$cluster_name|" \
    -e "s|@NUM_TOKENS@|$num_tokens|" \
    -e "s|@SEEDS@|$seeds|" \
    -e "s|@LISTEN_ADDRESS@|$listen|" \
    -e "s|@BROADCAST_ADDRESS@|$broadcast|" \
    -e "s|@RPC_ADDRESS@|$rpc|" \
    -e "s|@BROADCAST_RPC_ADDRESS@|$broadcast_rpc|" \
    -e "s|@SNITCH@|$snitch|" \
    -e "s|@NATIVE_PORT@|$native_port|" \
    -e "s|@STORAGE_PORT@|$storage_port|" \
    -e "s|@DATA@|$CASSANDRA_DATA|g" \
    "$CASSANDRA_CONF_TEMPLATES/cassandra.yaml" > "$CASSANDRA_CONF/cassandra.yaml"
printf 'dc=%s\nrack=%s\nprefer_local=true\n' "$dc" "$rack" > "$CASSANDRA_CONF/cassandra-rackdc.properties"
cp "$CASSANDRA_CONF_TEMPLATES/logback.xml" "$CASSANDRA_CONF/logback.xml"

heap=${MAX_HEAP_SIZE:-768M}

jamm=$(ls "$CASSANDRA_HOME"/lib/jamm-*.jar 2>/dev/null | head -n1 || true)
[ -n "$jamm" ] || die "no jamm-*.jar in $CASSANDRA_HOME/lib (jars missing?)"

# Static JVM flags: one per line, lines not starting with '-' are comments
# (same convention as Cassandra's conf/jvm*-server.options).
mapfile -t static_opts < <(grep -E '^-' "$CASSANDRA_CONF_TEMPLATES/jvm17-server.options")

jit_opts=()
if [ "${CASSANDRA_FAST_JIT:-1}" = 1 ]; then
    jit_opts=(-XX:TieredStopAtLevel=1)
fi

jmx_opts=()
if [ -n "${CASSANDRA_JMX_PORT:-}" ]; then
    jmx_opts=("-Dcassandra.jmx.local.port=$CASSANDRA_JMX_PORT" -Dcom.sun.management.jmxremote.authenticate=false)
fi

# shellcheck disable=SC2206  # JVM_OPTS / JVM_EXTRA_OPTS are word-split on purpose, like cassandra-env.sh
extra_opts=(${JVM_OPTS:-} ${JVM_EXTRA_OPTS:-})

export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-4}

exec java \
    "${static_opts[@]}" \
    "${jit_opts[@]}" \
    "-Xms$heap" "-Xmx$heap" \
    "-javaagent:$jamm" \
    "-Dcassandra.config=file://$CASSANDRA_CONF/cassandra.yaml" \
    "-Dcassandra-rackdc.properties=file://$CASSANDRA_CONF/cassandra-rackdc.properties" \
    "-Dlogback.configurationFile=file://$CASSANDRA_CONF/logback.xml" \
    "-Dcassandra.logdir=$CASSANDRA_DATA/logs" \
    "-Dcassandra.storagedir=$CASSANDRA_DATA" \
    "-Dcassandra.triggers_dir=$CASSANDRA_CONF/triggers" \
    "${jmx_opts[@]}" \
    "${extra_opts[@]}" \
    -cp "$CASSANDRA_HOME/lib/*" \
    org.apache.cassandra.service.CassandraDaemon
