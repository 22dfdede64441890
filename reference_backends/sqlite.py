"""SqliteDict: a dict whose data lives in one SQLite table.

Every change is written to the database at once (no local cache), keys and
values are stored as JSON (see :mod:`reference_backends.codec`), and
iteration pages through the table, so a store far larger than RAM iterates in
flat memory.

Layout of a store named ``T``:

``T``        ``id INTEGER PRIMARY KEY`` (insertion order), ``key`` (the key's
             identity, unique), ``spelling`` (the key as first inserted, NULL
             when equal to the identity), ``value`` (JSON).
``T__size``  one row holding the number of keys, kept exact by two triggers,
             so ``len()`` is one indexed read, not a scan.

Concurrency: the file is opened in WAL mode with a busy timeout, so several
processes can read and write it at once; threads share one connection behind
a lock; a forked child opens its own connection on first use.  Operations that
read and write (``pop``, ``popitem``, ``setdefault``) are single SQL
statements, and ``update`` is one transaction: a value JSON cannot hold
leaves the store unchanged.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from .base import StoreBase, encoded_rows

__all__ = ["SqliteDict"]

_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}\Z")
_ISOLATION_LEVELS = ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")
_live: "weakref.WeakValueDictionary[int, SqliteDict]" = weakref.WeakValueDictionary()


class _Closed:
    """Stands in for the connection of a closed store."""

    def __init__(self, path: str):
        self.path = path

    def __getattr__(self, name: str) -> Any:
        raise ValueError(f"SqliteDict({self.path!r}) is closed")


class SqliteDict(StoreBase):
    """A mutable mapping stored in table ``table`` of the SQLite database ``path``.

    ``SqliteDict(path=":memory:", table="dict", isolation_level="DEFERRED", *args, **kwargs)``:
    the remaining arguments fill the store as ``dict(*args, **kwargs)`` would.
    ``isolation_level`` is the ``BEGIN`` mode of multi-statement transactions
    (``DEFERRED``, ``IMMEDIATE`` or ``EXCLUSIVE``).  ``table`` must be a plain
    identifier (letters, digits, underscore; at most 63 characters).

    Differences from dict, all of them consequences of storing JSON:
    values come back as their JSON round trip (a tuple comes back as a list),
    values JSON cannot hold raise TypeError, keys are limited to str, int,
    float (not NaN), bool, None and tuples of them, a stored value is a copy
    (mutating the object afterwards does not change the store), ``copy()``
    returns a plain dict snapshot, and changing the store while iterating is
    allowed (keys untouched during the iteration are each seen exactly once).
    """

    #: Rows fetched per query while iterating.
    page_size = 1000

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        table: str = "dict",
        isolation_level: str = "DEFERRED",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"SqliteDict(path, table, isolation_level, *args, **kwargs): path must be a str or "
                f"path, not {type(path).__name__}; pass initial contents after isolation_level or as keywords"
            )
        if not isinstance(table, str) or not _TABLE_NAME.match(table):
            raise ValueError(
                f"invalid table name {table!r}: use letters, digits and underscores, "
                "not starting with a digit, at most 63 characters"
            )
        if isolation_level not in _ISOLATION_LEVELS:
            raise ValueError(f"isolation_level must be one of {', '.join(_ISOLATION_LEVELS)}, not {isolation_level!r}")
        self.path = os.fspath(path)
        self.table = table
        self.isolation_level = isolation_level
        self._lock = threading.RLock()
        self._sql = _Statements(table)
        self._conn: Any = self._connect()
        _live[id(self)] = self
        if args or kwargs:
            self.update(*args, **kwargs)

    # -- connection --------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        except sqlite3.OperationalError as exc:
            raise sqlite3.OperationalError(f"cannot open SQLite database {self.path!r}: {exc}") from None
        try:
            if self.path != ":memory:" and not self.path.startswith("file::memory:"):
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            if not self._schema_exists(conn):
                # IMMEDIATE: take the write lock first (waiting for it), so that
                # processes creating the same store at once do not deadlock.
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in self._sql.schema:
                        conn.execute(statement)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise sqlite3.DatabaseError(f"cannot use {self.path!r} as a SqliteDict store: {exc}") from None
        return conn

    def _schema_exists(self, conn: sqlite3.Connection) -> bool:
        names = self._sql.schema_objects
        query = f"SELECT count(*) FROM sqlite_master WHERE name IN ({', '.join('?' * len(names))})"
        return conn.execute(query, names).fetchone()[0] == len(names)

    def _after_fork(self) -> None:
        # The parent's connection must not be used in the child; leave it be.
        if not isinstance(self._conn, _Closed):
            self._lock = threading.RLock()
            self._conn = self._connect()

    def close(self) -> None:
        """Close the connection; every later operation raises ValueError."""
        with self._lock:
            conn, self._conn = self._conn, _Closed(self.path)
            if isinstance(conn, sqlite3.Connection):
                conn.close()
        _live.pop(id(self), None)

    def __enter__(self) -> "SqliteDict":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if isinstance(self._conn, _Closed) else "open"
        return f"<SqliteDict path={self.path!r} table={self.table!r} {state}>"

    # -- storage primitives (see StoreBase) --------------------------------
    def _load(self, identity: str) -> str | None:
        with self._lock:
            row = self._conn.execute(self._sql.get, (identity,)).fetchone()
        return None if row is None else row[0]

    def _has(self, identity: str) -> bool:
        with self._lock:
            return self._conn.execute(self._sql.contains, (identity,)).fetchone() is not None

    def _store(self, identity: str, spelling: str | None, text: str) -> None:
        with self._lock:
            self._conn.execute(self._sql.upsert, (identity, spelling, text))

    def _remove(self, identity: str) -> bool:
        with self._lock:
            return self._conn.execute(self._sql.delete, (identity,)).rowcount > 0

    def _take(self, identity: str) -> str | None:
        with self._lock:
            row = self._conn.execute(self._sql.pop, (identity,)).fetchone()
        return None if row is None else row[0]

    def _take_item(self) -> tuple[str, str | None, str] | None:
        """The most recently inserted item (LIFO, as dict)."""
        with self._lock:
            return self._conn.execute(self._sql.popitem).fetchone()

    def _store_absent(self, identity: str, spelling: str | None, text: str) -> str:
        with self._lock:
            return self._conn.execute(self._sql.setdefault, (identity, spelling, text)).fetchone()[0]

    # -- whole store -------------------------------------------------------
    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute(self._sql.size).fetchone()[0]

    def clear(self) -> None:
        with self._lock:
            self._conn.execute(self._sql.clear)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """As dict.update, in one transaction: on any error nothing is written."""
        rows = list(encoded_rows(other, kwargs))
        if not rows:
            return
        with self._lock:
            conn = self._conn
            conn.execute(f"BEGIN {self.isolation_level}")
            try:
                conn.executemany(self._sql.upsert, rows)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @classmethod
    def fromkeys(cls, iterable: Iterable[Any], value: Any = None) -> "SqliteDict":
        """A new in-memory SqliteDict with each key of ``iterable`` set to ``value``."""
        return cls(":memory:", "dict", "DEFERRED", ((key, value) for key in iterable))

    # -- iteration (see StoreBase._rows) ---------------------------------------
    def _rows(self, forward: bool, values: bool) -> Iterator[tuple[str, str | None, str | None]]:
        """Keyset paging by rowid: one query per ``page_size`` rows, no long read transaction."""
        query = self._sql.page("key, spelling, value" if values else "key, spelling, NULL", forward)
        position = -1 if forward else (1 << 63) - 1
        while True:
            with self._lock:
                rows = self._conn.execute(query, (position, self.page_size)).fetchall()
            for row in rows:
                yield row[1:]
            if len(rows) < self.page_size:
                return
            position = rows[-1][0]


class _Statements:
    """The SQL of one table, built once per store (the name is validated)."""

    def __init__(self, table: str):
        t = f'"{table}"'
        size = f'"{table}__size"'
        self.schema = (
            f"CREATE TABLE IF NOT EXISTS {t} (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
            "spelling TEXT, value TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {size} (one INTEGER PRIMARY KEY CHECK (one = 0), n INTEGER NOT NULL)",
            f"INSERT OR IGNORE INTO {size} VALUES (0, (SELECT count(*) FROM {t}))",
            f'CREATE TRIGGER IF NOT EXISTS "{table}__count_insert" AFTER INSERT ON {t} '
            f"BEGIN UPDATE {size} SET n = n + 1; END",
            f'CREATE TRIGGER IF NOT EXISTS "{table}__count_delete" AFTER DELETE ON {t} '
            f"BEGIN UPDATE {size} SET n = n - 1; END",
        )
        self.schema_objects = (table, f"{table}__size", f"{table}__count_insert", f"{table}__count_delete")
        self.get = f"SELECT value FROM {t} WHERE key = ?"
        self.contains = f"SELECT 1 FROM {t} WHERE key = ?"
        insert = f"INSERT INTO {t} (key, spelling, value) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
        self.upsert = insert + "value = excluded.value"
        self.delete = f"DELETE FROM {t} WHERE key = ?"
        self.pop = f"DELETE FROM {t} WHERE key = ? RETURNING value"
        self.popitem = f"DELETE FROM {t} WHERE id = (SELECT max(id) FROM {t}) RETURNING key, spelling, value"
        self.setdefault = insert + "value = value RETURNING value"
        self.size = f"SELECT n FROM {size}"
        self.clear = f"DELETE FROM {t}"
        self._table = t

    def page(self, columns: str, forward: bool) -> str:
        op, order = (">", "ASC") if forward else ("<", "DESC")
        return f"SELECT id, {columns} FROM {self._table} WHERE id {op} ? ORDER BY id {order} LIMIT ?"


def _reconnect_after_fork() -> None:
    for store in list(_live.values()):
        store._after_fork()


os.register_at_fork(after_in_child=_reconnect_after_fork)
