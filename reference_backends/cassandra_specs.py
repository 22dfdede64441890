"""Backend specs that certify CassandraDict with the kit, one per mode and topology.

Registered as ``pdict_conformance.backends`` entry points:

==================  ==============  =====================================  ==========
name                mode            service (what the kit starts)          consistency
==================  ==============  =====================================  ==========
cassandra           linearizable    ``cassandra``: one node                LOCAL_QUORUM
cassandra-fast      fast            ``cassandra``: one node                LOCAL_QUORUM
cassandra-cluster   linearizable    ``cassandra-cluster``: three nodes,    QUORUM,
                                    keyspace replication 3                 SERIAL
==================  ==============  =====================================  ==========

Stores live in one keyspace per spec; tables are reused between tests
because creating a table is a slow schema change (emptied with TRUNCATE in
fast mode, key by key with LWTs in linearizable mode; a linearizable table
holding many dead rows is dropped).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, ClassVar

from pdict_conformance import BackendSpec

from .specs import JSON_STORE_CAPABILITIES

#: A linearizable store whose table holds more rows than this, dead ones included,
#: is dropped, not emptied for reuse: the rows a linearizable pop or clear() leaves
#: dead stay (for TAKEN_TTL) and every later scan of the table reads them again.
REUSE_MAX_ROWS = 100

#: What CassandraDict declares in every mode.
CASSANDRA_CAPABILITIES: dict[str, Any] = {
    **JSON_STORE_CAPABILITIES,
    "ordering": "none",
    "popitem": "any",
    "reversed": False,
    "mutation_during_iteration": "tolerated",
    "persistent": True,
    "shared_handles": True,
    # Durability: an acknowledged write is on the cluster at the consistency level,
    # whatever happens to the client process afterwards.
    "crash_durability": "acknowledged",
    "processes": "shared",
    "thread_safe": True,  # the driver's sessions are thread-safe
    "after_fork": "works",  # a store reconnects on first use in the child
    # LWTs cannot be batched across partitions, and a batch that does not fit
    # the server's limit is written key by key: update() is not all-or-nothing.
    "update_atomic": False,
}


class CassandraSpec(BackendSpec):
    """CassandraDict in linearizable mode on the single node the kit starts
    (or the cluster given with --pdict-cassandra-contact-points)."""

    name: ClassVar[str] = "reference_backends.CassandraDict (linearizable, one node)"
    distribution = "pdict"
    services: ClassVar[tuple[str, ...]] = ("cassandra",)
    mode: ClassVar[str] = "linearizable"
    keyspace: ClassVar[str] = "pdict_kit"
    replication: ClassVar[dict[str, Any]] = {"class": "SimpleStrategy", "replication_factor": 1}
    consistency_level: ClassVar[str] = "LOCAL_QUORUM"
    serial_consistency_level: ClassVar[str] = "LOCAL_SERIAL"
    capabilities = {**CASSANDRA_CAPABILITIES, "atomic_rmw": "processes"}

    def __init__(self) -> None:
        self.contact_points: tuple[str, ...] = ()
        self.port = 9042
        self.cluster: Any = None
        self.session: Any = None
        self._free: list[str] = []
        self._made = 0
        self._tag = uuid.uuid4().hex[:12]  # table names unique to this process

    # -- session --------------------------------------------------------------
    def start(self, services: Any) -> None:
        service = services[self.services[0]]
        self._connect(tuple(service.contact_points), int(service.port))

    def handoff(self) -> dict[str, Any]:
        """What a fresh child process needs to reach the same stores."""
        return {"contact_points": list(self.contact_points), "port": self.port, "keyspace": self.keyspace,
                "mode": self.mode}

    def adopt(self, state: dict[str, Any]) -> None:
        """In a fresh child process: connect to the cluster the parent's spec started."""
        self._connect(tuple(state["contact_points"]), int(state["port"]))

    def _connect(self, contact_points: tuple[str, ...], port: int) -> None:
        from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
        from cassandra.policies import ConstantReconnectionPolicy, DCAwareRoundRobinPolicy, TokenAwarePolicy

        self.contact_points, self.port = contact_points, port
        profile = ExecutionProfile(
            load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy(), shuffle_replicas=False),
            request_timeout=30,
        )
        self.cluster = Cluster(
            list(contact_points), port=port, execution_profiles={EXEC_PROFILE_DEFAULT: profile},
            # a node the driver marked down under load is tried again every second, not after minutes
            reconnection_policy=ConstantReconnectionPolicy(1.0, max_attempts=None),
        )
        self.session = self.cluster.connect()
        self.session.use_client_timestamp = False  # fast mode needs the coordinator's clock

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.shutdown()
            self.cluster = None

    # -- stores -----------------------------------------------------------------
    def new_location(self, scratch: Path) -> str:
        """A table of this process's own (parallel workers share the keyspace)."""
        if self._free:
            return self._free.pop()
        self._made += 1
        return f"store_{self._tag}_{self._made}"

    def open(self, location: Any, *args: Any, **kwargs: Any):
        from reference_backends.cassandra import CassandraDict

        return CassandraDict(
            self.contact_points, self.port, self.keyspace, location, *args,
            session=self.session, mode=self.mode, replication=self.replication,
            consistency_level=self.consistency_level, serial_consistency_level=self.serial_consistency_level,
            **kwargs,
        )

    def destroy(self, location: Any) -> None:
        """Empty the table for reuse: TRUNCATE in fast mode; in linearizable mode
        clear() (one LWT per key: TRUNCATE would mix write paths), or DROP a
        table of more than REUSE_MAX_ROWS rows, dead ones included."""
        if self.mode == "fast":
            self.session.execute(f'TRUNCATE "{self.keyspace}"."{location}"', timeout=120)
            self._free.append(location)
            return
        table = f'"{self.keyspace}"."{location}"'
        rows = self.session.execute(f"SELECT key FROM {table} LIMIT {REUSE_MAX_ROWS + 1}", timeout=60)
        if len(rows.all()) > REUSE_MAX_ROWS:
            self.session.execute(f"DROP TABLE IF EXISTS {table}", timeout=120)
            return
        store = self.open(location)
        try:
            store.clear()
        finally:
            store.close()
        self._free.append(location)


class CassandraFastSpec(CassandraSpec):
    """CassandraDict in fast mode: last write wins, read-modify-writes not atomic."""

    name = "reference_backends.CassandraDict (fast, one node)"
    mode = "fast"
    keyspace = "pdict_kit_fast"
    capabilities = {**CASSANDRA_CAPABILITIES, "atomic_rmw": "none"}


class CassandraClusterSpec(CassandraSpec):
    """CassandraDict in linearizable mode on the three-node cluster the kit starts:
    keyspace replication 3, QUORUM reads and writes, SERIAL transactions."""

    name = "reference_backends.CassandraDict (linearizable, three nodes, RF 3, QUORUM)"
    services = ("cassandra-cluster",)
    keyspace = "pdict_kit_cluster"
    replication = {"class": "SimpleStrategy", "replication_factor": 3}
    consistency_level = "QUORUM"
    serial_consistency_level = "SERIAL"
