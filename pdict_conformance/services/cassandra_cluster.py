"""The ``cassandra-cluster`` service: three Cassandra nodes on the loopback, as ccm does.

Each node is a container of the ``--pdict-cassandra-image`` image (never
pulled) on the host's network, bound to its own loopback address
(127.0.N.2, .3, .4: the first block whose CQL and storage ports are free), so
the driver reaches every node on port 9042 and nothing touches a Docker
bridge address.  Nodes join one at a time, each once the previous answers
CQL, with one token each (evenly spaced ``initial_token``), seeds = the first
node, a one-second ring delay and no wait for gossip to settle, and a small
heap (``--pdict-cassandra-cluster-heap``, default 768M) so three fit a small
machine.  The service yields once the driver sees every node up.

With ``--pdict-cassandra-cluster-contact-points`` an existing cluster is used
instead (its nodes cannot then be stopped by the failure tests).

What the spec receives is a :class:`ClusterService`: a CassandraService plus
the :class:`Node` handles the backend's failure tests use (kill, pause, start).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from . import containers
from .cassandra import BUILD_HINT, CQL_PORT, DEFAULT_IMAGE, STARTUP_TIMEOUT, parse_contact_points, tail_logs, wait_for_cql
from .protocol import ServiceError

NODES = 3
STORAGE_PORT = 7000
DEFAULT_HEAP = "768M"
#: A cluster that fails to start (a node that does not join, a write at ALL that
#: never succeeds) is removed and started again, this many attempts in all.
START_ATTEMPTS = 2
#: Server-side request timeouts of the cluster's nodes (cassandra.yaml names).
SERVER_SETTINGS = {
    # CREATE TABLE IF NOT EXISTS sent to two nodes at once makes one table, not two
    # conflicting ones (the id is derived from the name)
    "use_deterministic_table_id": "true",
}
SERVER_TIMEOUTS = {"read_request_timeout": "4000ms", "write_request_timeout": "4000ms",
                   "range_request_timeout": "8000ms", "cas_contention_timeout": "2000ms",
                   "request_timeout": "8000ms"}
DOCKER_HINT = ("start one with scripts/ensure-dockerd.sh, or pass --pdict-cassandra-cluster-contact-points "
               "to use a running cluster")


def initial_tokens(n: int) -> list[int]:
    """``n`` evenly spaced Murmur3 tokens."""
    return [-(2**63) + i * (2**64 // n) for i in range(n)]


def _port_free(address: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def free_loopback_block(n: int = NODES, first: int = 0) -> tuple[str, ...]:
    """``n`` loopback addresses 127.0.B.2.. (B from ``first``) whose CQL and storage ports are free."""
    for block in range(first, 64):
        addresses = tuple(f"127.0.{block}.{2 + i}" for i in range(n))
        if all(_port_free(a, p) for a in addresses for p in (CQL_PORT, STORAGE_PORT)):
            return addresses
    raise ServiceError("no free block of loopback addresses 127.0.B.2-4 (ports 9042 and 7000) in 127.0.0-63.*")


PROBE_KEYSPACE = "pdict_service_probe"


def wait_until_all_serve(addresses: tuple[str, ...], timeout: float = STARTUP_TIMEOUT) -> None:
    """Wait until every node, as coordinator, writes and reads at consistency ALL
    (so each sees every other up through gossip, not just the driver)."""
    from cassandra import ConsistencyLevel
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import WhiteListRoundRobinPolicy
    from cassandra.query import SimpleStatement

    deadline = time.monotonic() + timeout
    pending = list(addresses)
    last: Any = None
    ddl = Cluster([addresses[0]], port=CQL_PORT, connect_timeout=5, control_connection_timeout=5,
                  max_schema_agreement_wait=60)
    try:  # the schema is made through one node only, then awaited everywhere
        session = ddl.connect()
        session.execute(f"CREATE KEYSPACE IF NOT EXISTS {PROBE_KEYSPACE} WITH replication = "
                        f"{{'class': 'SimpleStrategy', 'replication_factor': {len(addresses)}}}", timeout=60)
        session.execute(f"CREATE TABLE IF NOT EXISTS {PROBE_KEYSPACE}.up (node text PRIMARY KEY)", timeout=60)
    except Exception as exc:
        raise ServiceError(f"Cassandra node {addresses[0]} could not create {PROBE_KEYSPACE}: {exc}") from None
    finally:
        ddl.shutdown()
    while pending and time.monotonic() < deadline:
        address = pending[0]
        profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy([address]), request_timeout=10)
        cluster = Cluster([address], port=CQL_PORT, execution_profiles={EXEC_PROFILE_DEFAULT: profile},
                          connect_timeout=5, control_connection_timeout=5)
        try:
            session = cluster.connect()
            write = SimpleStatement(f"INSERT INTO {PROBE_KEYSPACE}.up (node) VALUES (%s)",
                                    consistency_level=ConsistencyLevel.ALL)
            session.execute(write, (address,))
            read = SimpleStatement(f"SELECT node FROM {PROBE_KEYSPACE}.up WHERE node = %s",
                                   consistency_level=ConsistencyLevel.ALL)
            if session.execute(read, (address,)).one() is not None:
                pending.pop(0)
                continue
        except Exception as exc:  # not all up yet: retry until the deadline
            last = exc
        finally:
            cluster.shutdown()
        time.sleep(0.5)
    if pending:
        raise ServiceError(f"Cassandra nodes {', '.join(pending)} did not serve a write at ALL "
                           f"within {timeout:.0f} s: {last}")


@dataclasses.dataclass
class Node:
    """One node of the cluster the kit started: its address and its container."""

    address: str
    container: Any

    def _wrapped(self) -> Any:
        return self.container.get_wrapped_container()

    def kill(self) -> None:
        """SIGKILL the node (the container stays, with its data)."""
        self._wrapped().kill()

    def pause(self) -> None:
        """Freeze the node's processes: it stops answering, its sockets stay open."""
        self._wrapped().pause()

    def unpause(self) -> None:
        self._wrapped().unpause()

    def start(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Start a killed node again and wait until it answers CQL."""
        self._wrapped().start()
        wait_for_cql((self.address,), CQL_PORT, timeout)


@dataclasses.dataclass(frozen=True)
class ClusterService:
    """Where the cluster is, and its nodes (empty for an existing cluster)."""

    contact_points: tuple[str, ...]
    port: int
    release_version: str = ""
    nodes: tuple[Node, ...] = ()
    #: Seconds from the first container start to every node up.
    start_seconds: float = 0.0


class ThreeNodeCluster:
    """The ``cassandra-cluster`` service (see the module)."""

    def __init__(self, image: str = DEFAULT_IMAGE, contact_points: str | None = None,
                 heap: str = DEFAULT_HEAP) -> None:
        self.image = image
        self.contact_points = contact_points
        self.heap = heap

    @classmethod
    def add_options(cls, group: Any) -> None:
        group.addoption(
            "--pdict-cassandra-cluster-contact-points", metavar="HOST[:PORT],...",
            help="use this existing Cassandra cluster (three nodes or more) instead of starting one",
        )
        group.addoption(
            "--pdict-cassandra-cluster-heap", default=DEFAULT_HEAP, metavar="SIZE",
            help=f"JVM heap of each node the kit starts (default {DEFAULT_HEAP})",
        )

    @classmethod
    def from_options(cls, getoption: Callable[[str], Any]) -> "ThreeNodeCluster":
        return cls(getoption("pdict_cassandra_image"), getoption("pdict_cassandra_cluster_contact_points"),
                   getoption("pdict_cassandra_cluster_heap"))

    def _container(self, address: str, seed: str, token: int) -> Any:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.wait_strategies import LogMessageWaitStrategy

        return (
            DockerContainer(self.image)
            .with_kwargs(network_mode="host", labels=containers.owner_labels())
            .with_env("CASSANDRA_LISTEN_ADDRESS", address)
            .with_env("CASSANDRA_BROADCAST_ADDRESS", address)
            .with_env("CASSANDRA_RPC_ADDRESS", address)
            .with_env("CASSANDRA_SEEDS", seed)
            .with_env("MAX_HEAP_SIZE", self.heap)
            .with_env("JVM_EXTRA_OPTS", f"-Dcassandra.initial_token={token} -Dcassandra.ring_delay_ms=1000 "
                      "-Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.consistent.rangemovement=false "
                      # schema changes in the commit log: a killed node comes back with its keyspaces
                      "-Dcassandra.unsafesystem=false -Dcassandra.test.flush_local_schema_changes=true "
                      # a schema push lost while a node pauses is pulled again within seconds
                      "-Dcassandra.schema_pull_interval_ms=5000 "
                      # short server timeouts: with too few replicas up, requests fail within seconds
                      "-Dcassandra.config.allow_system_properties=true "
                      + " ".join(f"-Dcassandra.settings.{k}={v}" for k, v in {**SERVER_SETTINGS, **SERVER_TIMEOUTS}.items()))
            .waiting_for(LogMessageWaitStrategy("Startup complete").with_startup_timeout(STARTUP_TIMEOUT))
        )

    @contextlib.contextmanager
    def provide(self) -> Iterator[ClusterService]:
        """Yield the running cluster; remove every node afterwards."""
        if self.contact_points:
            hosts, port = parse_contact_points(self.contact_points)
            yield ClusterService(hosts, port, wait_for_cql(hosts, port, 30.0, nodes=len(hosts)))
            return
        os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
        client = containers.docker_client(DOCKER_HINT)
        containers.remove_leftovers(client)
        containers.require_image(client, self.image, BUILD_HINT)
        nodes: list[Node] = []

        def remove_all() -> None:
            for node in nodes:
                with contextlib.suppress(Exception):
                    node.container.stop()

        started = time.monotonic()
        first_block = 0
        with containers.removed_on_exit(remove_all):
            for attempt in range(1, START_ATTEMPTS + 1):
                try:
                    addresses, version = self._start(nodes, first_block)
                    break
                except ServiceError as exc:
                    if attempt == START_ATTEMPTS:
                        raise
                    print(f"pdict: the three-node Cassandra cluster did not start (attempt {attempt} of "
                          f"{START_ATTEMPTS}); removing its nodes and starting it again. {exc}",
                          file=sys.stderr, flush=True)
                    # the next attempt uses the next free block, away from whatever the failed one met
                    first_block = int(nodes[0].address.split(".")[2]) + 1 if nodes else first_block
                    remove_all()
                    nodes.clear()
            yield ClusterService(addresses, CQL_PORT, version, tuple(nodes), time.monotonic() - started)

    def _start(self, nodes: list[Node], first_block: int = 0) -> tuple[tuple[str, ...], str]:
        """Start the nodes one at a time on a free loopback block (127.0.B.*, B
        from ``first_block``), appending each to ``nodes`` as it starts; return
        the addresses and the release version once every node serves a write
        at ALL."""
        addresses = free_loopback_block(first=first_block)
        for address, token in zip(addresses, initial_tokens(NODES)):
            node = Node(address, self._container(address, addresses[0], token))
            nodes.append(node)
            try:
                node.container.start()
                wait_for_cql((address,), CQL_PORT, STARTUP_TIMEOUT)
            except Exception as exc:
                raise ServiceError(
                    f"Cassandra node {address} ({self.image}) did not start: {exc}{tail_logs(node.container)}"
                ) from None
        try:
            version = wait_for_cql(addresses, CQL_PORT, 60.0, nodes=NODES)
            wait_until_all_serve(addresses)
        except ServiceError as exc:
            logs = "".join(f"\nnode {node.address}:{tail_logs(node.container, 8)}" for node in nodes)
            raise ServiceError(f"{exc}{logs}") from None
        return addresses, version
