"""SqliteDict: a dict whose data lives in one SQLite table.

Every change is written to the database at once (no local cache), keys and
values are stored as JSON (see :mod:`reference_backends.codec`), and
iteration pages through the table, so a store far larger than RAM iterates in
flat memory.  The table layout, and the check that an existing file holds
exactly it, are in :mod:`reference_backends.sqlite_schema`; paths, read-only
files, durability and error translation in :mod:`reference_backends.sqlite_open`.

Options.  ``SqliteDict(path, table, isolation_level, *args, **kwargs)`` keeps
the persistentdicts signature, where every other argument is initial content
(``SqliteDict("a.db", "t", "DEFERRED", durability=1)`` stores the key
``"durability"``), so no keyword can be an option there.  The options that
signature cannot carry are keyword-only arguments of the classmethod
:meth:`SqliteDict.open`, which opens an empty-or-existing store (fill it with
``update()``):

``durability``  ``"process_crash"`` (default: WAL, ``synchronous=NORMAL``;
                every acknowledged write survives a kill of the process, a
                power loss may undo the last ones) or ``"power_loss"``
                (``synchronous=FULL``: also survives a power loss, at the cost
                of an fsync per write; ``benchmarks/bench_sqlite_durability.py``
                measures it).
``uri``         False (default): ``path`` is a plain file name, even when it
                starts with ``file:``.  True: ``path`` is an SQLite ``file:``
                URI and its query parameters apply.
``read_only``   Open an existing file for reading only.  A file this process
                may not write opens read-only by itself.  Writes on a
                read-only store raise ReadOnlyStoreError and change nothing.

Open errors (shared by every backend, see :mod:`reference_backends.errors`):
a missing folder raises FileNotFoundError, a folder given as the path
IsADirectoryError, a file that is not SQLite (or is damaged) CorruptStoreError,
a reserved or malformed table name (``sqlite_master``) InvalidNameError, and a
table of that name that the store did not make (or carrying triggers, indexes
or views it did not create) IncompatibleStoreError; each names the path.  No
``sqlite3`` exception escapes from opening.  Afterwards a write on a read-only
store raises ReadOnlyStoreError, on a full disk StoreFullError (the transaction
is rolled back: nothing written), a lock held by another connection for longer
than ``timeout`` StoreBusyError, and damage found later CorruptStoreError.

Concurrency: the file is in WAL mode with a busy timeout, so several processes
read and write it at once; threads share one connection behind a lock.
``pop``, ``popitem`` and ``setdefault`` are single SQL statements and
``update`` is one transaction (a value JSON cannot hold leaves the store
unchanged), so they are atomic across threads and processes.

After ``os.fork()`` a file store opens its own connection in the child on
first use (the parent's is left untouched); if that fails, the use raises
StoreForkedError with the cause.  An in-memory store cannot follow a fork (its
data is in the parent): any use in the child raises StoreForkedError.
"""

from __future__ import annotations

import ctypes
import dataclasses
import itertools
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from .base import EncodedRow, StoreBase
from .errors import CorruptStoreError, InvalidNameError, ReadOnlyStoreError, StoreForkedError
from .sqlite_open import SYNCHRONOUS, Location, connect, error_code, error_name, resolve, translate
from .sqlite_schema import Statements

__all__ = ["SqliteDict"]

_ISOLATION_LEVELS = ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")
_live: "weakref.WeakValueDictionary[int, SqliteDict]" = weakref.WeakValueDictionary()
#: Connections inherited from the parent by a forked child: kept referenced and
#: never closed here, since closing them could disturb the parent's WAL and locks.
_inherited: list[Any] = []


class SqliteDict(StoreBase):
    """A mutable mapping stored in table ``table`` of the SQLite database ``path``.

    ``SqliteDict(path=":memory:", table="dict", isolation_level="DEFERRED", *args, **kwargs)``:
    the remaining arguments fill the store as ``dict(*args, **kwargs)`` would.
    ``isolation_level`` is the ``BEGIN`` mode of multi-statement transactions
    (``DEFERRED``, ``IMMEDIATE`` or ``EXCLUSIVE``).  ``table`` must be a plain
    identifier (letters, digits, underscore; at most 63 characters) not
    starting with ``sqlite_``.  Options beyond these: :meth:`open`.

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
    #: Seconds an operation waits for another connection's write lock before
    #: raising StoreBusyError.
    timeout = 30.0

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        table: str = "dict",
        isolation_level: str = "DEFERRED",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        self._open(path, table, isolation_level, "process_crash", False, False)
        if args or kwargs:
            try:
                self.update(*args, **kwargs)
            except BaseException:
                self.close()
                raise

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] = ":memory:",
        table: str = "dict",
        isolation_level: str = "DEFERRED",
        *,
        durability: str = "process_crash",
        uri: bool = False,
        read_only: bool = False,
    ) -> "SqliteDict":
        """The store at ``path`` with options the constructor cannot take (see
        the module docstring): ``durability`` ("process_crash" or "power_loss"),
        ``uri`` (``path`` is an SQLite ``file:`` URI) and ``read_only``."""
        store = cls.__new__(cls)  # a subclass's own __init__ does not run
        store._open(path, table, isolation_level, durability, uri, read_only)
        return store

    def _open(self, path: Any, table: Any, isolation_level: Any, durability: str, uri: bool, read_only: bool) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"SqliteDict(path, table, isolation_level, *args, **kwargs): path must be a str or "
                f"path, not {type(path).__name__}; pass initial contents after isolation_level or as keywords"
            )
        path = os.fspath(path)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        try:
            self._sql = Statements(table)
        except InvalidNameError as exc:
            raise InvalidNameError(f"SqliteDict({path!r}): {exc}") from None
        if isolation_level not in _ISOLATION_LEVELS:
            raise ValueError(f"isolation_level must be one of {', '.join(_ISOLATION_LEVELS)}, not {isolation_level!r}")
        if durability not in SYNCHRONOUS:
            raise ValueError(f"durability must be one of {', '.join(map(repr, SYNCHRONOUS))}, not {durability!r}")
        self.path: str = path
        self.table: str = table
        self.isolation_level: str = isolation_level
        self.durability: str = durability
        self._conn: Any = _Closed(self)
        self._location: Location = resolve(path, uri, read_only)
        self._lock = threading.RLock()
        self._conn = self._connect()
        _live[id(self)] = self

    @property
    def read_only(self) -> bool:
        """Whether the store was opened read-only (asked for, or the file is not writable)."""
        return self._location.read_only

    # -- connection --------------------------------------------------------
    def _describe(self) -> str:
        location = getattr(self, "_location", None)
        where = location.describe() if location is not None else getattr(self, "path", "?")
        return f"SqliteDict({where!r}, table={getattr(self, 'table', '?')!r})"

    def _connect(self) -> sqlite3.Connection:
        """A connection on a checked store (created when absent); errors in the shared kinds."""
        try:
            try:
                return self._connect_as(self._location)
            except sqlite3.OperationalError as exc:
                location = self._location
                if error_code(exc) != 8 or location.private or location.read_only:
                    raise
                # SQLITE_READONLY on a file we may write: its folder is read-only.
                self._location = location = dataclasses.replace(
                    location, read_only=True, target=location.target.replace("mode=rwc", "mode=ro")
                )
                return self._connect_as(location)
        except sqlite3.Error as exc:
            raise translate(exc, self._describe(), opening=True) from None

    def _connect_as(self, location: Location) -> sqlite3.Connection:
        try:
            conn = connect(location, self.durability, self.timeout)
            return self._checked(conn)
        except sqlite3.OperationalError as exc:
            # A read-only WAL database without its -wal/-shm files, in a folder
            # this process cannot write: nobody can be writing it (a writer would
            # have to create the -wal file), so it is read as immutable.
            name = error_name(exc)
            if name == "SQLITE_READONLY" and not os.access(os.path.dirname(location.describe()) or ".", os.W_OK):
                name = "SQLITE_READONLY_DIRECTORY"  # Python 3.10 gives no extended code
            if not location.read_only or name not in ("SQLITE_READONLY_DIRECTORY", "SQLITE_CANTOPEN"):
                raise
            if os.path.exists(location.describe() + "-wal"):
                raise
            return self._checked(connect(location, self.durability, self.timeout, immutable=True))

    def _checked(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        """``conn`` once the file holds exactly this store's schema (made if absent)."""
        try:
            sql = self._sql
            found = sql.found(conn)
            if not found or sql.is_v1(found):
                if self._location.read_only:
                    raise ReadOnlyStoreError(
                        f"{self._describe()}: the file is read-only and holds no store of that name" if not found
                        else f"{self._describe()}: the store has the layout of an earlier SqliteDict; "
                        "open it once for writing to convert it"
                    )
                # IMMEDIATE: take the write lock first (waiting for it), so that
                # processes creating the same store at once do not deadlock.
                conn.execute("BEGIN IMMEDIATE")
                try:
                    found = sql.found(conn)
                    if not found:
                        sql.create(conn)
                    elif sql.is_v1(found):
                        sql.convert(conn)
                    found = sql.found(conn)
                    conn.execute("COMMIT")
                finally:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
            sql.verify(found, self._describe())
            if len(conn.execute(sql.gaps_rows).fetchall()) != 1:
                raise CorruptStoreError(f"{self._describe()}: the gap count table does not hold exactly one row")
        except BaseException:
            conn.close()
            raise
        return conn

    def _release(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, _Closed(self)
            if isinstance(conn, sqlite3.Connection):
                conn.close()
        _live.pop(id(self), None)

    def _forked(self) -> None:
        """In a child just after os.fork(): never use the parent's connection."""
        if isinstance(self._conn, sqlite3.Connection):
            _inherited.append(self._conn)
            # One reference more than anything will drop: the object is never
            # deallocated, not even at interpreter exit, so sqlite3_close never
            # runs on the parent's connection in this process.
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(self._conn))
        self._lock = threading.RLock()
        if not self._closed:
            self._conn = _Forked(self)

    def _failed(self, exc: sqlite3.Error) -> Exception:
        return translate(exc, self._describe())

    # -- storage primitives (see StoreBase) --------------------------------
    def _load(self, identity: str) -> str | None:
        try:
            with self._lock:
                row = self._conn.execute(self._sql.get, (identity,)).fetchone()
        except sqlite3.Error as exc:
            raise self._failed(exc) from None
        return None if row is None else row[0]

    def _has(self, identity: str) -> bool:
        try:
            with self._lock:
                return self._conn.execute(self._sql.contains, (identity,)).fetchone() is not None
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _store(self, identity: str, spelling: str | None, text: str) -> None:
        try:
            with self._lock:
                self._conn.execute(self._sql.upsert, (identity, spelling, text))
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _remove(self, identity: str) -> bool:
        try:
            with self._lock:
                return self._conn.execute(self._sql.delete, (identity,)).rowcount > 0
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _take(self, identity: str) -> str | None:
        try:
            with self._lock:
                row = self._conn.execute(self._sql.pop, (identity,)).fetchone()
        except sqlite3.Error as exc:
            raise self._failed(exc) from None
        return None if row is None else row[0]

    def _take_item(self) -> tuple[str, str | None, str] | None:
        """The most recently inserted item (LIFO, as dict)."""
        try:
            with self._lock:
                return self._conn.execute(self._sql.popitem).fetchone()
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _store_absent(self, identity: str, spelling: str | None, text: str) -> str | None:
        # Two autocommit statements: the insert takes effect if the key is absent;
        # otherwise the read sees the value (or, if another process deleted the
        # key in between, the insert is tried again).
        try:
            with self._lock:
                while True:
                    if self._conn.execute(self._sql.insert_new, (identity, spelling, text)).fetchone():
                        return None
                    row = self._conn.execute(self._sql.get, (identity,)).fetchone()
                    if row is not None:
                        return row[0]
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _count(self) -> int:
        try:
            with self._lock:
                return self._conn.execute(self._sql.size).fetchone()[0]
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _clear(self) -> None:
        """One transaction, emptying the table in flat memory (see sqlite_schema)."""
        try:
            with self._lock:
                conn = self._conn
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in self._sql.clear_statements:
                        conn.execute(statement)
                    conn.execute("COMMIT")
                finally:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _update(self, rows: list[EncodedRow]) -> None:
        """One transaction: all rows or, on any error, none."""
        try:
            with self._lock:
                self._conn.execute(f"BEGIN {self.isolation_level}")
                conn = self._conn
                try:
                    conn.executemany(self._sql.upsert, rows)
                    conn.execute("COMMIT")
                finally:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _rows(self, forward: bool, values: bool) -> Iterator[tuple[Any, ...]]:
        """Keyset paging by rowid: one query per ``page_size`` rows, no long read
        transaction.  Without ``values`` a row's third item is its rowid."""
        if not values:
            return itertools.chain.from_iterable(self._pages("key, spelling, id", forward, 2))
        return (row[1:] for page in self._pages("id, key, spelling, value", forward, 0) for row in page)

    def _pages(self, columns: str, forward: bool, id_at: int) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of ``columns`` a page at a time; ``id_at``: where the rowid is."""
        query = self._sql.page(columns, forward)
        position = -1 if forward else (1 << 63) - 1
        while True:
            try:
                with self._lock:
                    rows = self._conn.execute(query, (position, self.page_size)).fetchall()
            except sqlite3.Error as exc:
                raise self._failed(exc) from None
            yield rows
            if len(rows) < self.page_size:
                return
            position = rows[-1][id_at]


class _Closed:
    """Stands in for the connection of a closed store (a thread that passed the
    closed check just before another thread closed the store lands here)."""

    __slots__ = ("store",)

    def __init__(self, store: SqliteDict):
        self.store = store

    def __getattr__(self, name: str) -> Any:
        self.store._raise_closed()


class _Forked:
    """Stands in for the parent's connection in a forked child: the first use
    connects anew (file stores) or raises StoreForkedError (in-memory stores)."""

    __slots__ = ("store",)

    def __init__(self, store: SqliteDict):
        self.store = store

    def __getattr__(self, name: str) -> Any:
        store = self.store
        if store._conn is not self:  # reconnected meanwhile
            return getattr(store._conn, name)
        if store._location.private:
            raise StoreForkedError(
                f"{store._describe()} was opened before os.fork(): an in-memory store exists only "
                "in the parent process; open a new store in the child"
            )
        try:
            conn = store._connect()
        except Exception as exc:
            raise StoreForkedError(
                f"{store._describe()} was opened before os.fork() and cannot reconnect in the child: {exc}"
            ) from exc
        store._conn = conn
        return getattr(conn, name)


def _after_fork_in_child() -> None:
    for store in list(_live.values()):
        store._forked()


os.register_at_fork(after_in_child=_after_fork_in_child)
