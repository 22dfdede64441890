"""Every store the benchmarks measure, in one table (:data:`STORES`).

Each entry says how to open a fresh store in a folder of its own, through
public constructors and the mapping API only, which operations it can do,
and with which durability settings, so that the two sides of every
comparison are set the same way:

* **SQLite family**, baseline ``raw sqlite3``: what an application writes by
  hand with SqliteDict's settings: WAL, ``synchronous=NORMAL``, autocommit
  (one transaction per write), a ``key TEXT PRIMARY KEY, value TEXT`` table
  holding JSON text in both columns, ``update`` as ``executemany`` in one
  transaction, ``len`` as ``count(*)``.  diskcache.Index uses WAL and
  ``synchronous=NORMAL`` by default (and pickles); sqlitedict is opened with
  ``autocommit=True, journal_mode="WAL"`` (it has no ``synchronous`` setting,
  so SQLite's default, FULL, applies: stricter than the others; it pickles).
* **Kyoto Cabinet family**, per database type, baseline ``raw kyotocabinet``:
  the binding opened ``OWRITER | OCREATE | OAUTOTRAN`` (automatic
  transactions: each write is rolled back from a write-ahead log if the
  process dies during it; for the file types ``.kch`` and ``.kct`` that log
  cut back after each write, as KyotoCabinetDict does, without which a kill
  can break the file: see ``reference_backends.kyotocabinet.walfile``; both
  sides keep every acknowledged write) and KyotoCabinetDict's tuning of the
  type (``#msiz=0`` for the memory-mapped types, so that a full disk is an
  error and not SIGBUS; see ``reference_backends.kyotocabinet.formats``),
  JSON text keys and values, ``update`` in one transaction, iteration on a
  cursor.  ``raw kyotocabinet (log not cut)`` is the file types' baseline
  with Kyoto Cabinet's log left as it leaves it, for the cost of the cut;
  ``raw kyotocabinet (no autotran)`` is the baseline without automatic
  transactions, for the cost of durability.  A ``.kcx`` text database can
  only append and walk: its raw store appends one ``[key, value]`` JSON line
  per set and walks the lines; its raw get, delete, update and len are not
  applicable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The operations of a ratio benchmark, in table order.
OPERATIONS = ("set", "get", "delete", "update", "iterate", "items", "len")

#: Kyoto Cabinet database types (file extensions), as Kyoto Cabinet names them.
KYOTO_TYPES = ("kch", "kct", "kcd", "kcf", "kcx")


class RawSqlite:
    """The hand-written SQLite baseline: SqliteDict's pragmas, one statement per operation."""

    def __init__(self, path: str):
        import sqlite3

        self.conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS t (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    def __setitem__(self, k: Any, v: Any) -> None:
        self.conn.execute("INSERT OR REPLACE INTO t (key, value) VALUES (?, ?)", (json.dumps(k), json.dumps(v)))

    def __getitem__(self, k: Any) -> Any:
        row = self.conn.execute("SELECT value FROM t WHERE key = ?", (json.dumps(k),)).fetchone()
        if row is None:
            raise KeyError(k)
        return json.loads(row[0])

    def __delitem__(self, k: Any) -> None:
        if self.conn.execute("DELETE FROM t WHERE key = ?", (json.dumps(k),)).rowcount == 0:
            raise KeyError(k)

    def update(self, pairs: dict[Any, Any]) -> None:
        self.conn.execute("BEGIN")
        try:
            self.conn.executemany(
                "INSERT OR REPLACE INTO t (key, value) VALUES (?, ?)",
                ((json.dumps(k), json.dumps(v)) for k, v in pairs.items()),
            )
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def __iter__(self) -> Iterator[Any]:
        for (k,) in self.conn.execute("SELECT key FROM t"):
            yield json.loads(k)

    def items(self) -> Iterator[tuple[Any, Any]]:
        for k, v in self.conn.execute("SELECT key, value FROM t"):
            yield json.loads(k), json.loads(v)

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM t").fetchone()[0]

    def clear(self) -> None:
        self.conn.execute("DELETE FROM t")

    def close(self) -> None:
        self.conn.close()


class RawKyoto:
    """The hand-written Kyoto Cabinet baseline on one database of the path's type."""

    def __init__(self, path: str, autotran: bool = True, cut_log: bool = False):
        import kyotocabinet as kc

        from reference_backends.kyotocabinet.formats import FORMATS
        from reference_backends.kyotocabinet.walfile import WriteAheadLog

        self.log = WriteAheadLog(path) if cut_log else None

        self.db = kc.DB()
        mode = kc.DB.OWRITER | kc.DB.OCREATE | (kc.DB.OAUTOTRAN if autotran else 0)
        if not self.db.open(path + FORMATS[Path(path).suffix].tuning, mode):
            raise OSError(f"cannot open {path}: {self.db.error()}")
        # A .kcx text database appends lines and walks them: a record is one ``[key, value]`` line.
        self.text = path.endswith(".kcx")

    def __setitem__(self, k: Any, v: Any) -> None:
        done = (self.db.append("", json.dumps([k, v])) if self.text
                else self.db.set(json.dumps(k), json.dumps(v)))
        if not done:
            raise OSError(str(self.db.error()))
        if self.log is not None:
            self.log.empty()

    def __getitem__(self, k: Any) -> Any:
        found = self.db.get(json.dumps(k))
        if found is None:
            raise KeyError(k)
        return json.loads(found)

    def __delitem__(self, k: Any) -> None:
        if not self.db.remove(json.dumps(k)):
            raise KeyError(k)
        if self.log is not None:
            self.log.empty()

    def update(self, pairs: dict[Any, Any]) -> None:
        if not self.db.begin_transaction():
            raise OSError(str(self.db.error()))
        ok = False
        try:
            for k, v in pairs.items():
                if not self.db.set(json.dumps(k), json.dumps(v)):
                    raise OSError(str(self.db.error()))
            ok = True
        finally:
            self.db.end_transaction(ok)
        if self.log is not None:
            self.log.empty()

    def _walk(self, fetch: Callable[[Any], Any]) -> Iterator[Any]:
        cursor = self.db.cursor()
        try:
            if cursor.jump():
                while True:
                    got = fetch(cursor)
                    if got is None:
                        return
                    yield got
        finally:
            cursor.disable()

    def __iter__(self) -> Iterator[Any]:
        if self.text:
            for line in self._walk(lambda c: c.get_value(True)):
                yield json.loads(line)[0]
            return
        for k in self._walk(lambda c: c.get_key(True)):
            yield json.loads(k)

    def items(self) -> Iterator[tuple[Any, Any]]:
        if self.text:
            for line in self._walk(lambda c: c.get_value(True)):
                k, v = json.loads(line)
                yield k, v
            return
        for k, v in self._walk(lambda c: c.get(True)):
            yield json.loads(k), json.loads(v)

    def __len__(self) -> int:
        return self.db.count()

    def clear(self) -> None:
        self.db.clear()

    def close(self) -> None:
        if self.log is not None:
            self.log.forget()
        self.db.close()


@dataclass(frozen=True)
class Store:
    """One contender: how to open it fresh in ``folder``, and what it can do."""

    name: str
    family: str  # "sqlite" or "kyotocabinet"
    role: str  # "baseline" (ratios divide by it), "subject" (ours), "peer" (other libraries), "reference"
    opener: Callable[[Path], Any]
    durability: str
    group: str = ""  # the comparison group (a Kyoto type); "" for the SQLite family
    cannot: frozenset[str] = field(default_factory=frozenset)  # operations it cannot do
    settle: Callable[[Any], None] = lambda store: None  # wait until writes are done (sqlitedict's thread)
    closer: Callable[[Any], None] = lambda store: store.close()

    def open(self, folder: Path) -> Any:
        folder.mkdir(parents=True, exist_ok=True)
        return self.opener(folder)

    def close(self, store: Any) -> None:
        self.closer(store)


def _sqlite_dict(folder: Path) -> Any:
    from reference_backends import SqliteDict

    return SqliteDict(str(folder / "store.db"))


def _diskcache_index(folder: Path) -> Any:
    import diskcache

    return diskcache.Index(str(folder / "index"))


def _sqlitedict(folder: Path) -> Any:
    import sqlitedict

    return sqlitedict.SqliteDict(str(folder / "store.sqlite"), autocommit=True, journal_mode="WAL")


def _sqlitedict_settle(store: Any) -> None:
    store.commit(blocking=True)


def _kyoto_dict(kind: str) -> Callable[[Path], Any]:
    def open_(folder: Path) -> Any:
        from reference_backends import KyotoCabinetDict

        return KyotoCabinetDict(str(folder / f"store.{kind}"))

    return open_


def _raw_kyoto(kind: str, autotran: bool, cut_log: bool = False) -> Callable[[Path], Any]:
    return lambda folder: RawKyoto(str(folder / f"store.{kind}"), autotran, cut_log)


_SQLITE_SETTINGS = "WAL, synchronous=NORMAL, autocommit per write"
_KYOTO_TEXT_CANNOT = frozenset({"get", "delete", "update", "len"})


def _kyoto_stores() -> list[Store]:
    from reference_backends.kyotocabinet.formats import FORMATS  # no binding needed

    out = []
    for kind in KYOTO_TYPES:
        raw_cannot = _KYOTO_TEXT_CANNOT if kind == "kcx" else frozenset()
        cut = FORMATS[f".{kind}"].file_log  # the same guarantee as KyotoCabinetDict needs the log cut
        out += [
            Store(f"raw kyotocabinet .{kind}", "kyotocabinet", "baseline", _raw_kyoto(kind, True, cut_log=cut),
                  "OAUTOTRAN" + (", write-ahead log cut back after each write" if cut else "")
                  + ", KyotoCabinetDict's tuning", kind, raw_cannot),
            Store(f"KyotoCabinetDict .{kind}", "kyotocabinet", "subject", _kyoto_dict(kind),
                  "as the backend declares (crash_durability)", kind),
            Store(f"raw kyotocabinet .{kind} (no autotran)", "kyotocabinet", "reference", _raw_kyoto(kind, False),
                  "no automatic transactions (no durability promise)", kind, raw_cannot),
        ]
        if cut:
            out.append(Store(f"raw kyotocabinet .{kind} (log not cut)", "kyotocabinet", "reference",
                             _raw_kyoto(kind, True), "OAUTOTRAN alone (a kill can leave a log that breaks the file)",
                             kind))
    return out


#: Every contender; the benchmarks select from it by family and group.
STORES: tuple[Store, ...] = (
    Store("raw sqlite3", "sqlite", "baseline", lambda folder: RawSqlite(str(folder / "raw.db")), _SQLITE_SETTINGS),
    Store("SqliteDict", "sqlite", "subject", _sqlite_dict, _SQLITE_SETTINGS + " (its defaults)"),
    Store("diskcache.Index", "sqlite", "peer", _diskcache_index, "WAL, synchronous=NORMAL (its defaults), pickle",
          closer=lambda index: index.cache.close()),
    Store("sqlitedict", "sqlite", "peer", _sqlitedict,
          "WAL, synchronous=FULL (SQLite's default; no setting), autocommit=True, pickle", settle=_sqlitedict_settle),
    *_kyoto_stores(),
)

BY_NAME: dict[str, Store] = {s.name: s for s in STORES}


def select(family: str, group: str | None = None, names: list[str] | None = None) -> list[Store]:
    """The stores of ``family`` (and ``group``), optionally only those named; unknown names are an error."""
    chosen = [s for s in STORES if s.family == family and (group is None or s.group == group)]
    if names:
        unknown = [n for n in names if n not in BY_NAME]
        if unknown:
            raise SystemExit(f"unknown store(s) {', '.join(map(repr, unknown))}; known: {', '.join(BY_NAME)}")
        chosen = [s for s in chosen if s.name in names]
    return chosen


def baseline(stores: list[Store]) -> Store:
    found = [s for s in stores if s.role == "baseline"]
    if len(found) != 1:
        raise SystemExit(f"a comparison needs exactly one baseline store, got {[s.name for s in found]}")
    return found[0]


def check_importable(stores: list[Store]) -> None:
    """Fail at once, with the fix, when a contender's library is missing (never skip it silently)."""
    needs = {"diskcache.Index": "diskcache", "sqlitedict": "sqlitedict"}
    for s in stores:
        module = needs.get(s.name) or ("kyotocabinet" if s.family == "kyotocabinet" else None)
        if module is None:
            continue
        try:
            __import__(module)
        except ImportError as exc:
            hint = ("scripts/install-kyotocabinet.sh .venv" if module == "kyotocabinet"
                    else "pip install -e '.[bench]' (or scripts/setup.sh)")
            raise SystemExit(f"benchmark contender {s.name!r} needs the module {module!r}: {exc}; run {hint}")
