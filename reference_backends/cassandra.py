"""CassandraDict: a dict whose data lives in one Cassandra table.

Every change goes to the cluster at once (no local cache); keys and values are
JSON (see :mod:`reference_backends.codec`); iteration pages through the table
in token order, one page in memory at a time.

Table layout: ``key text PRIMARY KEY`` (the key's identity), ``spelling text``
(the key as first inserted), ``value text``, ``taken uuid`` (linearizable mode
only, see below).  The table's comment names the mode it was made for.

Two write paths: ``mode=``
--------------------------
A row is never written both with and without a lightweight transaction (LWT):
Cassandra does not order LWT writes (server ballot timestamps) against plain
writes (the request's timestamp), and mixing them on one row loses writes as
soon as a clock is a few milliseconds off.  So a table belongs to one mode for
its whole life; opening it in the other is an IncompatibleStoreError.

``"linearizable"`` (the default)
    Every mutation is an LWT: ``[]=``, ``update`` (one LWT per key, in
    order), ``del``, ``pop``, ``popitem`` and ``setdefault``; reads at
    ``consistency_level``.  Every operation is linearizable: ``setdefault``
    has one winner, each value is popped by exactly one caller, an
    acknowledged write is never lost, whatever the clocks say (LWT timestamps
    come from Paxos, not from the client).  When an LWT's outcome is unknown
    (it timed out, or its connection broke after it was sent; the driver is
    told never to resend it) the store reads the row at the serial consistency level, which
    completes any Paxos round in flight, and answers from what it finds: a
    pop tags the row with a UUID of its own to recognise its own deletion.
    Cost: one Paxos round (four message delays, at ``serial_consistency_level``)
    per mutation instead of one write; ``pop`` and ``del`` also read first.
``"fast"``
    Plain writes, last write wins, timestamps given by the coordinator (never
    the client's clock: a session given in this mode must have
    ``use_client_timestamp = False``).  ``update`` is one logged batch (all or
    nothing) when it fits the server's batch limit (a bigger one is several
    batches in order, each all or nothing).  ``setdefault``, ``pop``,
    ``popitem``, ``del`` and a first write of a key spelled unlike its
    identity (``True``, ``1.0``) are a read then a write: *not atomic*.  Two
    concurrent ``pop`` calls may both return the value; two ``setdefault``
    calls may both "win"; writes issued through different coordinators closer
    together than the skew of their clocks can be ordered by those clocks.

Why linearizable is the default: a dict user expects a read to see the last
write, ``setdefault`` to have one winner and ``pop`` to hand a value to one
caller, and nobody reading ``d[k] = v`` expects it to vanish because of a
clock.  Fast mode is the opt-in for single-writer or last-write-wins data.

Consistency per operation (``consistency_level`` defaults to LOCAL_QUORUM,
``serial_consistency_level`` to LOCAL_SERIAL):

=====================================  =========================================
``[]``, ``get``, ``in``, iteration,    reads at ``consistency_level``
``len``, ``==``, views
mutations, linearizable mode           LWT: Paxos at ``serial_consistency_level``,
                                       commit at ``consistency_level``
mutations, fast mode                   writes at ``consistency_level``
``clear``                              fast: ``TRUNCATE`` (needs every node up);
                                       linearizable: one LWT per key, several
                                       in flight
=====================================  =========================================

Limits, checked before anything is written: a key's identity is at most
65,535 bytes of UTF-8 (Cassandra's partition key limit); a key and value
together must fit the server's ``max_mutation_size`` (read from
``system_views.settings``, 16 MiB by default) less a margin.  A store that
breaks one raises ValueError and writes nothing, also in ``update``.

``len()`` is a scan: it counts the rows page by page in token order (each
page a bounded request, ``count_page_size`` rows), so it stays correct on a
big table, in time proportional to its size.  Iteration has no order
(``ordering="none"``): rows come in token order, a hash of the key.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .base import StoreBase, encoded_rows
from .cassandra_writes import WRITE_PATHS, ContentionError
from .errors import IncompatibleStoreError

try:
    from cassandra import (ConsistencyLevel, OperationTimedOut, ReadFailure, ReadTimeout, Unavailable,
                           WriteFailure, WriteTimeout, WriteType)
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable, Session
    from cassandra.connection import ConnectionException
    from cassandra.policies import ConstantReconnectionPolicy, DCAwareRoundRobinPolicy, TokenAwarePolicy
    from cassandra.query import BatchStatement, BatchType, SimpleStatement
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "CassandraDict needs the cassandra-driver package: pip install 'pdict[cassandra]' "
        f"(or pip install cassandra-driver); import failed: {exc}"
    ) from exc

# After the driver import, so that a missing driver gives the message above.
from .cassandra_cql import (MAX_KEY_BYTES, NoResendAfterConnectionError, ServerLimits, batches, check_sizes,
                            consistency, identifier, read_limits, replication_cql, schema_retry, session_cache)
from .cassandra_scan import TableScans
from .cassandra_table import create_table

__all__ = ["CassandraDict", "CassandraUnavailableError", "ContentionError", "MODES"]

MODES = tuple(WRITE_PATHS)
_DEFAULT_REPLICATION = {"class": "SimpleStrategy", "replication_factor": 1}
_UNAVAILABLE = (Unavailable, ReadTimeout, WriteTimeout, ReadFailure, WriteFailure, NoHostAvailable,
                OperationTimedOut, ConnectionException)
#: Errors after which a lightweight transaction may or may not have been applied.
_UNKNOWN_OUTCOME = (WriteTimeout, OperationTimedOut, ConnectionException, NoHostAvailable)
#: Read errors after which the read is tried again (never Unavailable: that is final).
_READ_RETRIED = (ReadTimeout, ReadFailure, OperationTimedOut, ConnectionException)
READ_RETRIES = 2
#: Seconds the client waits for TRUNCATE (it flushes every node).
TRUNCATE_TIMEOUT = 120.0


class CassandraUnavailableError(ConnectionError):
    """The cluster could not serve an operation at the store's consistency level
    (too few replicas up, a timeout, no node reachable).  The message names the
    operation, the consistency level and every node with its state.  For a
    write it says whether the outcome is unknown."""


class CassandraDict(TableScans, StoreBase):
    """A mutable mapping stored in table ``keyspace.table`` of a Cassandra cluster.

    ``CassandraDict(contact_points=("127.0.0.1",), port=9042, keyspace="dict", table="dict", *args, **kwargs)``:
    the remaining arguments fill the store as ``dict(*args, **kwargs)`` would.
    The keyspace and table are created if they do not exist.

    Keyword-only options (these names are therefore not available as keys in
    the ``**kwargs`` that fill the store):

    ``mode``               ``"linearizable"`` (default) or ``"fast"``: see the module.
    ``session``            an existing ``cassandra.cluster.Session`` to use
                           instead of connecting; ``close()`` leaves it open.
    ``consistency_level``  for reads and writes (name or ``ConsistencyLevel``;
                           default ``LOCAL_QUORUM``).
    ``serial_consistency_level``  for lightweight transactions (default ``LOCAL_SERIAL``).
    ``replication``        replication map of the keyspace *if this creates it*
                           (default SimpleStrategy, replication_factor 1: one node).
    ``fetch_size``         rows per page while iterating (default 1000).
    ``count_page_size``    rows per page while ``len()`` counts (default 5000).
    ``connect_timeout``    seconds to wait for the cluster (default 10).
    ``request_timeout``    seconds the client waits for one request (default 15;
                           a session given keeps its own).

    Differences from dict: as SqliteDict (values are JSON round trips, keys are
    str, int, float, bool, None or tuples of them), plus no order (token
    order) and so no ``reversed``; ``len`` is a table scan (see the module).
    A store opened before ``os.fork()`` connects again on first use in the child.
    """

    def __init__(
        self,
        contact_points: Iterable[str] = ("127.0.0.1",),
        port: int = 9042,
        keyspace: str = "dict",
        table: str = "dict",
        *args: Any,
        mode: str = "linearizable",
        session: Session | None = None,
        consistency_level: Any = "LOCAL_QUORUM",
        serial_consistency_level: Any = "LOCAL_SERIAL",
        replication: Mapping[str, Any] | None = None,
        fetch_size: int = 1000,
        count_page_size: int = 5000,
        connect_timeout: float = 10.0,
        request_timeout: float = 15.0,
        **kwargs: Any,
    ) -> None:
        if isinstance(contact_points, str):
            contact_points = (contact_points,)
        self.contact_points = tuple(contact_points)
        self.port = int(port)
        self.keyspace = identifier("keyspace", keyspace)
        self.table = identifier("table", table)
        if mode not in WRITE_PATHS:
            raise ValueError(f"unknown mode {mode!r}; CassandraDict has modes {', '.join(MODES)}")
        self.mode = mode
        self.consistency_level = consistency(consistency_level)
        self.serial_consistency_level = consistency(serial_consistency_level)
        for name, value in (("fetch_size", fetch_size), ("count_page_size", count_page_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, not {value!r}")
        self.fetch_size = fetch_size
        self.count_page_size = count_page_size
        self._connect_timeout = connect_timeout
        self._request_timeout = request_timeout
        self._writes = WRITE_PATHS[mode](self)
        replication_text = replication_cql(replication or _DEFAULT_REPLICATION)
        self._cluster: Cluster | None = None
        self._pid = os.getpid()
        if session is None:
            session = self._connect()
        elif mode == "fast" and getattr(session, "use_client_timestamp", False):
            raise ValueError(
                "CassandraDict(mode='fast') orders writes by the coordinators' clocks, never the client's: "
                "give it a session with use_client_timestamp = False"
            )
        self._session: Any = session
        try:
            create_table(session, self.keyspace, self.table, self.mode, replication_text, self._describe())
            self._prepare()
        except BaseException:
            self.close()
            raise
        if args or kwargs:
            self.update(*args, **kwargs)

    # -- connection ------------------------------------------------------------
    def _connect(self) -> Any:
        """A cluster connection of this store's own (closed by close())."""
        profile = ExecutionProfile(
            load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy(), shuffle_replicas=False),
            request_timeout=self._request_timeout,
        )
        self._cluster = Cluster(
            list(self.contact_points), port=self.port, execution_profiles={EXEC_PROFILE_DEFAULT: profile},
            connect_timeout=self._connect_timeout, control_connection_timeout=self._connect_timeout,
            idle_heartbeat_interval=2, idle_heartbeat_timeout=5,
            # a node marked down (a pause, a restart) is tried again every second, not after minutes
            reconnection_policy=ConstantReconnectionPolicy(1.0, max_attempts=None),
        )
        try:
            session = self._cluster.connect()
        except NoHostAvailable as exc:
            self._cluster.shutdown()
            self._cluster = None
            raise ConnectionError(
                f"cannot reach Cassandra at {', '.join(self.contact_points)} port {self.port}: {exc}"
            ) from None
        session.use_client_timestamp = False  # fast mode: the coordinator's clock orders writes
        return session

    def _session_now(self) -> Any:
        """The session, reconnecting in a child process after os.fork() (the
        driver's connections and threads do not survive a fork)."""
        self._check_open()
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._cluster = None  # the parent's: never shut down from the child
            self._session = self._connect()
            self._prepare()
        return self._session

    # -- set-up ------------------------------------------------------------
    def _qualified(self) -> str:
        return f'"{self.keyspace}"."{self.table}"'

    def _prepare(self) -> None:
        cache = session_cache(self._session)
        limits = cache.get("limits")
        if limits is None:
            limits = cache["limits"] = read_limits(self._session)
        self.limits: ServerLimits = limits
        t = self._qualified()
        common = {
            "get": (f"SELECT value FROM {t} WHERE key = ?", False),
            "first": (f"SELECT key, spelling, value FROM {t} LIMIT 1", False),
        }
        self._statements: dict[str, Any] = {}
        for name, (cql, lwt) in {**common, **self._writes.statements(t)}.items():
            key = (cql, self.consistency_level, self.serial_consistency_level if lwt else None)
            prepared = cache.get(key)
            if prepared is None:
                prepared = schema_retry(lambda: self._session.prepare(cql))
                prepared.consistency_level = self.consistency_level
                if lwt:
                    prepared.serial_consistency_level = self.serial_consistency_level
                # Reads may be sent to another node by the driver; a lightweight
                # transaction never is (its unknown outcome is resolved by _lwt).
                prepared.is_idempotent = cql.startswith("SELECT")
                if lwt:
                    prepared.retry_policy = NoResendAfterConnectionError()
                cache[key] = prepared
            self._statements[name] = prepared
        self._truncate = SimpleStatement(f"TRUNCATE {t}", consistency_level=self.consistency_level)
        self._scans: dict[str, Any] = {}
        self._popped_token: int | None = None

    # -- running statements ------------------------------------------------------
    def _run(self, statement: Any, params: Any = None, what: str = "request", timeout: Any = None,
             read: bool = False, paging_state: Any = None) -> Any:
        """Execute; map the driver's availability errors to CassandraUnavailableError.
        A read that timed out is tried again :data:`READ_RETRIES` times: a node that
        died a moment ago is still chosen as a replica until gossip convicts it."""
        session = self._session_now()
        options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        if paging_state is not None:
            options["paging_state"] = paging_state
        for attempt in range(READ_RETRIES + 1 if read else 1):
            try:
                return schema_retry(lambda: session.execute(statement, params, **options))
            except _READ_RETRIED as exc:
                if not read or attempt == READ_RETRIES:
                    raise self._unavailable(what, exc) from None
            except _UNAVAILABLE as exc:
                raise self._unavailable(what, exc) from None
        raise AssertionError("unreachable")

    def _run_named(self, name: str, params: Any) -> Any:
        return self._run(self._statements[name], params, name, read=name in ("get", "has", "first"))

    def _lwt(self, name: str, params: Any, identity: str, resolve: Any) -> Any:
        """Run a lightweight transaction; its ResultSet, or True when its outcome
        is unknown (a timeout, a connection lost after sending: the driver never
        resends it, see NoResendAfterConnectionError) and the SERIAL read of the
        row shows it applied (``resolve(row)``).  When the read shows it did
        not, the LWT runs again."""
        session = self._session_now()
        for _ in range(3):
            try:
                return session.execute(self._statements[name], params)
            except _UNKNOWN_OUTCOME as exc:
                if isinstance(exc, WriteTimeout) and getattr(exc, "write_type", WriteType.CAS) != WriteType.CAS:
                    raise self._unavailable(name, exc) from None
                if resolve(self._serial_row(identity)):
                    return True
            except _UNAVAILABLE as exc:
                raise self._unavailable(name, exc) from None
        raise self._unavailable(name, TimeoutError("three lightweight transactions in a row timed out"))

    def _serial_row(self, identity: str) -> Any:
        """The row read at the serial consistency level (completes Paxos rounds in
        flight); tried again after a timeout, as every read is."""
        statement = self._statements["serial_get"].bind((identity,))
        statement.consistency_level = self.serial_consistency_level
        return self._run(statement, None, "serial read", read=True).one()

    def _unavailable(self, what: str, exc: BaseException) -> CassandraUnavailableError:
        level = ConsistencyLevel.value_to_name.get(self.consistency_level, str(self.consistency_level))
        detail = str(exc)
        if isinstance(exc, Unavailable):
            detail = f"{exc.required_replicas} replicas required, {exc.alive_replicas} alive"
        elif isinstance(exc, (WriteTimeout, OperationTimedOut, WriteFailure)) and what not in ("get", "has", "first"):
            detail += " (the write's outcome is unknown)"
        return CassandraUnavailableError(
            f"{self._describe()}: {what} at {level} failed: {type(exc).__name__}: {detail}; nodes: {self._nodes()}"
        )

    def _nodes(self) -> str:
        try:
            hosts = self._session.cluster.metadata.all_hosts()
            return ", ".join(
                f"{h.endpoint.address}:{h.endpoint.port} {'up' if h.is_up else 'down'}"
                for h in sorted(hosts, key=lambda h: str(h.endpoint.address))
            ) or "none known"
        except Exception:
            return ", ".join(self.contact_points)

    # -- limits (see cassandra_cql.check_sizes) --------------------------------------
    def _check_sizes(self, identity: str, spelling: str | None, text: str) -> None:
        check_sizes(self.limits, identity, spelling, text, self._describe())

    def _batches(self, writes: list[tuple[str, tuple[Any, ...]]]) -> list[list[tuple[str, tuple[Any, ...]]]]:
        return batches(self.limits, writes)

    def _run_batch(self, writes: list[tuple[str, tuple[Any, ...]]]) -> None:
        if len(writes) == 1:
            self._run_named(*writes[0])
            return
        batch = BatchStatement(batch_type=BatchType.LOGGED, consistency_level=self.consistency_level)
        for name, params in writes:
            batch.add(self._statements[name], params)
        self._run(batch, None, "update (logged batch)")

    # -- lifecycle -----------------------------------------------------------
    def _release(self) -> None:
        """Shut down the cluster connection this store opened (not a session it was given)."""
        if self._cluster is not None and self._pid == os.getpid():
            self._cluster.shutdown()
        self._cluster = None
        self._session = None

    def _describe(self) -> str:
        return f"CassandraDict({self.keyspace}.{self.table}, mode={self.mode})"

    def delete(self) -> None:
        """DROP THE WHOLE KEYSPACE ``self.keyspace``, WITH EVERY TABLE IN IT.

        As in the original persistentdicts, ``delete()`` removes the keyspace,
        not just this store's table: any other store (or application data) in
        the same keyspace is destroyed too, on every node, irrecoverably.  Use
        ``clear()`` to empty just this store.  The store is closed afterwards.
        """
        self._run(f'DROP KEYSPACE IF EXISTS "{self.keyspace}"', None, "drop keyspace")
        self.close()

    def __repr__(self) -> str:
        return f"<{self._describe()} {'closed' if self.closed else 'open'}>"

    # -- storage primitives (see StoreBase) --------------------------------------
    def _load(self, identity: str) -> str | None:
        row = self._run_named("get", (identity,)).one()
        return None if row is None else row.value

    def _has(self, identity: str) -> bool:
        row = self._run_named("has", (identity,)).one()
        return row is not None and self._writes.live(getattr(row, "spelling", ""))

    def _store(self, identity: str, spelling: str | None, text: str) -> None:
        self._check_sizes(identity, spelling, text)
        self._writes.store(identity, spelling, text)

    def _remove(self, identity: str) -> bool:
        return self._writes.remove(identity)

    def _take(self, identity: str) -> str | None:
        return self._writes.take(identity)

    def _take_item(self) -> tuple[str, str | None, str] | None:
        return self._writes.take_item()

    def _store_absent(self, identity: str, spelling: str | None, text: str) -> str | None:
        self._check_sizes(identity, spelling, text)
        return self._writes.store_absent(identity, spelling, text)

    # -- whole table -------------------------------------------------------------
    def __len__(self) -> int:
        """The number of keys: a scan counting the live rows page by page in token
        order (``count_page_size`` rows per request), proportional to the table."""
        if self.mode == "fast":
            return sum(1 for _ in self._scan("token(key)", self.count_page_size))
        return sum(1 for row in self._scan("spelling", self.count_page_size) if row.spelling is not None)

    def clear(self) -> None:
        """Fast mode: TRUNCATE the table (needs every node up).  Linearizable mode:
        each key taken by its own LWT, :data:`~.cassandra_writes.CLEAR_CONCURRENCY`
        at a time, a page of the scan at a time (TRUNCATE is not a Paxos write:
        on a cluster, the Paxos state it leaves behind brings truncated rows back)."""
        if self.mode == "fast":
            self._run(self._truncate, None, "clear (TRUNCATE)", timeout=TRUNCATE_TIMEOUT)
            return
        self._writes.take_all(self._rows(True, True))

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """As dict.update.  Every key and value is encoded and checked against the
        server's limits before anything is written, so a value JSON cannot hold or
        a key or value too big leaves the store unchanged.  Fast mode writes one
        logged batch (all or nothing) when it fits the batch limit, otherwise
        several in order; linearizable mode writes the keys in order, one LWT each."""
        rows: dict[str, tuple[str, str | None, str]] = {}
        for identity, spelling, text in encoded_rows(other, kwargs):
            self._check_sizes(identity, spelling, text)
            first = rows.get(identity)
            # dict.update: a repeated key keeps its first spelling and takes the last value.
            rows[identity] = (identity, first[1] if first else spelling, text)
        if rows:
            self._session_now()
            self._writes.update(rows.values())

    # -- iteration (see StoreBase._rows) ---------------------------------------------
    def _rows(self, forward: bool, values: bool) -> Iterator[tuple[str, str | None, str | None]]:
        """The driver pages through the table in token order, ``fetch_size`` rows at a time."""
        if not forward:
            raise TypeError("a CassandraDict is not reversible: rows come in token order, which is no order")
        rows = self._scan("key, spelling, value" if values else "key, spelling", self.fetch_size)
        live = self._writes.live
        if values:
            return ((r.key, r.spelling or None, r.value) for r in rows if live(r.spelling))
        return ((r.key, r.spelling or None, None) for r in rows if live(r.spelling))
