"""CassandraDict: a dict whose data lives in one Cassandra table.

Every change goes to the cluster at once (no local cache); keys and values are
JSON (see :mod:`reference_backends.codec`); iteration pages through the table
in token order with the driver's paging, one page in memory at a time.

Table layout: ``key text PRIMARY KEY`` (the key's identity), ``spelling text``
(the key as first inserted, null when equal to the identity), ``value text``.

Consistency, per operation (``consistency_level`` defaults to LOCAL_QUORUM;
lightweight transactions use LOCAL_SERIAL for their Paxos phase):

=====================================  =========================================
``[]``, ``get``, ``in``, iteration,    reads at ``consistency_level``
``len``, ``==``, views
``[]=``, ``update``                    writes at ``consistency_level``; a key
                                       whose spelling differs from its identity
                                       (``True``, ``1.0``) is first written with
                                       ``INSERT ... IF NOT EXISTS`` so the first
                                       spelling wins
``del``                                ``DELETE ... IF EXISTS`` (LWT): KeyError
                                       only if the key really was absent
``pop``, ``popitem``                   read, then ``DELETE ... IF value = ?``
                                       (LWT), retried if another client changed
                                       the value meanwhile: the returned value is
                                       the one deleted
``setdefault``                         ``INSERT ... IF NOT EXISTS`` (LWT): one
                                       round trip, atomic
``clear``                              ``TRUNCATE`` (needs every replica up)
=====================================  =========================================

``len()`` is ``SELECT COUNT(*)``: a scan of the whole table on every call,
proportional to its size and spread over the cluster.  Call it sparingly on a
big table.  Iteration has no order (``ordering="none"``): rows come in token
order, which is a hash of the key.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .base import StoreBase, encoded_rows

try:
    from cassandra import ConsistencyLevel
    from cassandra.cluster import Cluster, NoHostAvailable, Session
    from cassandra.query import SimpleStatement
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "CassandraDict needs the cassandra-driver package: pip install 'pdict[cassandra]' "
        f"(or pip install cassandra-driver); import failed: {exc}"
    ) from exc

__all__ = ["CassandraDict"]

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,47}\Z")
_DEFAULT_REPLICATION = {"class": "SimpleStrategy", "replication_factor": 1}
_LWT_RETRIES = 50


def _identifier(kind: str, name: Any) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(
            f"invalid {kind} name {name!r}: a CQL identifier is a letter followed by letters, "
            "digits or underscores, at most 48 characters"
        )
    return name


def _consistency(level: Any) -> int:
    if isinstance(level, str):
        try:
            return getattr(ConsistencyLevel, level.upper())
        except AttributeError:
            raise ValueError(f"unknown consistency level {level!r}") from None
    if level not in ConsistencyLevel.value_to_name:
        raise ValueError(f"unknown consistency level {level!r}")
    return level


def _replication_cql(replication: Mapping[str, Any]) -> str:
    parts = []
    for name, value in replication.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.]+", name):
            raise ValueError(f"invalid replication option name {name!r}")
        text = str(value)
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", text):
            raise ValueError(f"invalid replication option value {value!r} for {name!r}")
        parts.append(f"'{name}': '{text}'")
    return "{" + ", ".join(parts) + "}"


class CassandraDict(StoreBase):
    """A mutable mapping stored in table ``keyspace.table`` of a Cassandra cluster.

    ``CassandraDict(contact_points=("127.0.0.1",), port=9042, keyspace="dict", table="dict", *args, **kwargs)``:
    the remaining arguments fill the store as ``dict(*args, **kwargs)`` would.
    The keyspace and table are created if they do not exist.

    Keyword-only options (these names are therefore not available as keys in
    the ``**kwargs`` that fill the store):

    ``session``            an existing ``cassandra.cluster.Session`` to use
                           instead of connecting; ``close()`` leaves it open.
    ``consistency_level``  for reads and writes (name or ``ConsistencyLevel``;
                           default ``LOCAL_QUORUM``).
    ``serial_consistency_level``  for lightweight transactions (default ``LOCAL_SERIAL``).
    ``replication``        replication map of the keyspace *if this creates it*
                           (default SimpleStrategy, replication_factor 1: one node).
    ``fetch_size``         rows per page while iterating (default 1000).
    ``connect_timeout``    seconds to wait for the cluster (default 10).

    Differences from dict: as SqliteDict (values are JSON round trips, keys are
    str, int, float, bool, None or tuples of them), plus no order (token
    order) and so no ``reversed``; ``len`` is a table scan (see the module).
    """

    def __init__(
        self,
        contact_points: Iterable[str] = ("127.0.0.1",),
        port: int = 9042,
        keyspace: str = "dict",
        table: str = "dict",
        *args: Any,
        session: Session | None = None,
        consistency_level: Any = "LOCAL_QUORUM",
        serial_consistency_level: Any = "LOCAL_SERIAL",
        replication: Mapping[str, Any] | None = None,
        fetch_size: int = 1000,
        connect_timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        if isinstance(contact_points, str):
            contact_points = (contact_points,)
        self.contact_points = tuple(contact_points)
        self.port = int(port)
        self.keyspace = _identifier("keyspace", keyspace)
        self.table = _identifier("table", table)
        self.consistency_level = _consistency(consistency_level)
        self.serial_consistency_level = _consistency(serial_consistency_level)
        if not isinstance(fetch_size, int) or fetch_size < 1:
            raise ValueError(f"fetch_size must be a positive int, not {fetch_size!r}")
        self.fetch_size = fetch_size
        replication_cql = _replication_cql(replication or _DEFAULT_REPLICATION)
        self._cluster: Cluster | None = None
        if session is None:
            self._cluster = Cluster(
                list(self.contact_points), port=self.port,
                connect_timeout=connect_timeout, control_connection_timeout=connect_timeout,
            )
            try:
                session = self._cluster.connect()
            except NoHostAvailable as exc:
                self._cluster.shutdown()
                raise ConnectionError(
                    f"cannot reach Cassandra at {', '.join(self.contact_points)} port {self.port}: {exc}"
                ) from None
        self._session: Any = session
        try:
            self._create_schema(replication_cql)
            self._prepare()
        except BaseException:
            self.close()
            raise
        if args or kwargs:
            self.update(*args, **kwargs)

    # -- set-up ------------------------------------------------------------
    def _qualified(self) -> str:
        return f'"{self.keyspace}"."{self.table}"'

    def _create_schema(self, replication_cql: str) -> None:
        s = self._session
        s.execute(f'CREATE KEYSPACE IF NOT EXISTS "{self.keyspace}" WITH replication = {replication_cql}')
        s.execute(
            f"CREATE TABLE IF NOT EXISTS {self._qualified()} "
            "(key text PRIMARY KEY, spelling text, value text)"
        )

    def _prepare(self) -> None:
        t = self._qualified()
        prepare = self._session.prepare

        def stmt(cql: str, lwt: bool = False) -> Any:
            p = prepare(cql)
            p.consistency_level = self.consistency_level
            if lwt:
                p.serial_consistency_level = self.serial_consistency_level
            return p

        self._get = stmt(f"SELECT value FROM {t} WHERE key = ?")
        self._has_key = stmt(f"SELECT key FROM {t} WHERE key = ?")
        self._set = stmt(f"UPDATE {t} SET value = ? WHERE key = ?")
        self._insert_new = stmt(f"INSERT INTO {t} (key, spelling, value) VALUES (?, ?, ?) IF NOT EXISTS", lwt=True)
        self._delete = stmt(f"DELETE FROM {t} WHERE key = ? IF EXISTS", lwt=True)
        self._delete_if = stmt(f"DELETE FROM {t} WHERE key = ? IF value = ?", lwt=True)
        self._first = stmt(f"SELECT key, spelling, value FROM {t} LIMIT 1")
        self._count = stmt(f"SELECT COUNT(*) FROM {t}")
        self._truncate = f"TRUNCATE {t}"
        self._scans: dict[str, Any] = {}

    def _scan(self, columns: str) -> Iterator[Any]:
        statement = self._scans.get(columns)
        if statement is None:
            statement = SimpleStatement(
                f"SELECT {columns} FROM {self._qualified()}",
                fetch_size=self.fetch_size, consistency_level=self.consistency_level,
            )
            self._scans[columns] = statement
        return iter(self._run(statement))

    def _run(self, statement: Any, params: Any = None) -> Any:
        if self._session is None:
            raise ValueError(f"CassandraDict({self.keyspace}.{self.table}) is closed")
        return self._session.execute(statement, params)

    # -- lifecycle -----------------------------------------------------------
    def close(self) -> None:
        """Shut down the cluster connection this store opened (not a session it was given)."""
        if self._cluster is not None:
            self._cluster.shutdown()
            self._cluster = None
        self._session = None

    def __enter__(self) -> "CassandraDict":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def delete(self) -> None:
        """DROP THE WHOLE KEYSPACE ``self.keyspace``, WITH EVERY TABLE IN IT.

        As in the original persistentdicts, ``delete()`` removes the keyspace,
        not just this store's table: any other store (or application data) in
        the same keyspace is destroyed too, on every node, irrecoverably.  Use
        ``clear()`` to empty just this store.  The store is closed afterwards.
        """
        self._run(f'DROP KEYSPACE IF EXISTS "{self.keyspace}"')
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._session is None else "open"
        return f"<CassandraDict {self.keyspace}.{self.table} {state}>"

    # -- storage primitives (see StoreBase) --------------------------------------
    def _load(self, identity: str) -> str | None:
        row = self._run(self._get, (identity,)).one()
        return None if row is None else row.value

    def _has(self, identity: str) -> bool:
        return self._run(self._has_key, (identity,)).one() is not None

    def _store(self, identity: str, spelling: str | None, text: str) -> None:
        if spelling is not None:
            # The first spelling must win: only a new row takes this one.
            if self._run(self._insert_new, (identity, spelling, text)).was_applied:
                return
        self._run(self._set, (text, identity))

    def _remove(self, identity: str) -> bool:
        return self._run(self._delete, (identity,)).was_applied

    def _delete_if_holds(self, identity: str, text: str) -> bool:
        """Delete the row if it still holds ``text`` (LWT); whether it did."""
        return self._run(self._delete_if, (identity, text)).was_applied

    def _take(self, identity: str) -> str | None:
        for attempt in range(_LWT_RETRIES):
            row = self._run(self._get, (identity,)).one()
            if row is None:
                return None
            if self._delete_if_holds(identity, row.value):
                return row.value
            time.sleep(0.001 * attempt)
        raise RuntimeError(f"pop: the value of {identity} kept changing under concurrent writers")

    def _take_item(self) -> tuple[str, str | None, str] | None:
        """The first row in token order."""
        for attempt in range(_LWT_RETRIES):
            row = self._run(self._first).one()
            if row is None:
                return None
            if self._delete_if_holds(row.key, row.value):
                return row.key, row.spelling, row.value
            time.sleep(0.001 * attempt)
        raise RuntimeError("popitem(): items kept changing under concurrent writers")

    def _store_absent(self, identity: str, spelling: str | None, text: str) -> str:
        result = self._run(self._insert_new, (identity, spelling, text))
        return text if result.was_applied else result.one().value

    # -- whole table -------------------------------------------------------------
    def __len__(self) -> int:
        """The number of keys: a ``SELECT COUNT(*)`` scan of the whole table."""
        return self._run(self._count).one()[0]

    def clear(self) -> None:
        self._run(self._truncate)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """As dict.update; every key and value is encoded before anything is written,
        so a value JSON cannot hold leaves the store unchanged."""
        rows = list(encoded_rows(other, kwargs))
        for identity, spelling, text in rows:
            self._store(identity, spelling, text)

    # -- iteration (see StoreBase._rows) ---------------------------------------------
    def _rows(self, forward: bool, values: bool) -> Iterator[tuple[str, str | None, str | None]]:
        """The driver pages through the table in token order, ``fetch_size`` rows at a time."""
        if not forward:
            raise TypeError("a CassandraDict is not reversible: rows come in token order, which is no order")
        rows = self._scan("key, spelling, value" if values else "key, spelling")
        if values:
            return ((row.key, row.spelling, row.value) for row in rows)
        return ((row.key, row.spelling, None) for row in rows)
