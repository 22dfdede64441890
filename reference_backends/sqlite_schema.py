"""The SQL of one SqliteDict store, and the check that a file holds exactly it.

Layout of a store named ``T``:

``T``        ``id INTEGER PRIMARY KEY`` (insertion order), ``key`` (the key's
             identity, unique), ``spelling`` (the key as first inserted, NULL
             when equal to the identity), ``value`` (JSON).
``T__size``  one row holding the number of keys, kept exact by two triggers
             (``T__count_insert``, ``T__count_delete``), so ``len()`` is one
             indexed read, not a scan.

A file is used only if it holds all of these objects exactly as the store
creates them and nothing else attached to them (no other trigger, index or
view on those tables, no object of another type under those names), or none of
them (then they are created).  Anything else is an application's table or a
planted trigger: :class:`~reference_backends.errors.IncompatibleStoreError`.
"""

from __future__ import annotations

import functools
import re
import sqlite3

from .errors import IncompatibleStoreError, InvalidNameError

_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}\Z")

#: One schema object as sqlite_master lists it: (type, name, tbl_name, sql).
SchemaObject = tuple[str, str, str, "str | None"]


def check_table_name(table: object) -> str:
    """``table`` if a store may use it, else InvalidNameError.

    A plain identifier (letters, digits, underscore, not starting with a digit,
    at most 63 characters), not starting with ``sqlite_`` (SQLite reserves those
    names, e.g. ``sqlite_master``)."""
    if not isinstance(table, str) or not _TABLE_NAME.match(table):
        raise InvalidNameError(
            f"invalid table name {table!r}: use letters, digits and underscores, "
            "not starting with a digit, at most 63 characters"
        )
    if table.lower().startswith("sqlite_"):
        raise InvalidNameError(f"invalid table name {table!r}: names starting with 'sqlite_' are reserved by SQLite")
    return table


class Statements:
    """The SQL of one table, built once per store (the name is validated)."""

    def __init__(self, table: str):
        self.table = check_table_name(table)
        t = f'"{table}"'
        size = f'"{table}__size"'
        self.schema = (
            f"CREATE TABLE {t} (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
            "spelling TEXT, value TEXT NOT NULL)",
            f"CREATE TABLE {size} (one INTEGER PRIMARY KEY CHECK (one = 0), n INTEGER NOT NULL)",
            f"INSERT INTO {size} VALUES (0, 0)",
            f'CREATE TRIGGER "{table}__count_insert" AFTER INSERT ON {t} '
            f"BEGIN UPDATE {size} SET n = n + 1; END",
            f'CREATE TRIGGER "{table}__count_delete" AFTER DELETE ON {t} '
            f"BEGIN UPDATE {size} SET n = n - 1; END",
        )
        self.tables = (table, f"{table}__size")
        self.get = f"SELECT value FROM {t} WHERE key = ?"
        self.contains = f"SELECT 1 FROM {t} WHERE key = ?"
        insert = f"INSERT INTO {t} (key, spelling, value) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
        self.upsert = insert + "value = excluded.value"
        self.delete = f"DELETE FROM {t} WHERE key = ?"
        self.pop = f"DELETE FROM {t} WHERE key = ? RETURNING value"
        self.popitem = f"DELETE FROM {t} WHERE id = (SELECT max(id) FROM {t}) RETURNING key, spelling, value"
        self.insert_new = f"INSERT INTO {t} (key, spelling, value) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING 1"
        self.size = f"SELECT n FROM {size}"
        self.clear = f"DELETE FROM {t}"
        self._table = t

    def page(self, columns: str, forward: bool) -> str:
        op, order = (">", "ASC") if forward else ("<", "DESC")
        return f"SELECT id, {columns} FROM {self._table} WHERE id {op} ? ORDER BY id {order} LIMIT ?"

    # -- the objects in a file -----------------------------------------------------
    def found(self, conn: sqlite3.Connection) -> set[SchemaObject]:
        """The schema objects in ``conn``'s main database that bear one of this
        store's names or are attached to one of its tables."""
        names = [n.lower() for n in (*self.tables, f"{self.table}__count_insert", f"{self.table}__count_delete")]
        marks = ", ".join("?" * len(names))
        # SQLite names are case-insensitive: a trigger "ON DICT" is on table dict.
        rows = conn.execute(
            f"SELECT type, lower(name), lower(tbl_name), lower(sql) FROM main.sqlite_master "
            f"WHERE lower(name) IN ({marks}) OR lower(tbl_name) IN (?, ?)",
            (*names, *(t.lower() for t in self.tables)),
        ).fetchall()
        return {tuple(row) for row in rows}  # type: ignore[misc]

    def create(self, conn: sqlite3.Connection) -> None:
        for statement in self.schema:
            conn.execute(statement)

    def expected(self) -> frozenset[SchemaObject]:
        """Exactly what :meth:`create` leaves in sqlite_master."""
        return _expected(self.table)

    def verify(self, found: set[SchemaObject], where: str) -> None:
        """Raise IncompatibleStoreError unless ``found`` is exactly this store's schema
        (compared without case, as SQLite compares names)."""
        expected = self.expected()
        if found == expected:
            return
        foreign = sorted(found - expected, key=lambda o: o[1])
        missing = sorted(expected - found, key=lambda o: o[1])
        parts = []
        if foreign:
            parts.append("holds " + ", ".join(f"{kind} {name!r}" for kind, name, _, _ in foreign)
                         + " that the store did not create (or created differently)")
        if missing:
            parts.append("lacks " + ", ".join(f"{kind} {name!r}" for kind, name, _, _ in missing))
        raise IncompatibleStoreError(
            f"{where}: table {self.table!r} is not a SqliteDict store or was altered: "
            + "; ".join(parts)
            + ". Use another table name (or file) for the store."
        )


@functools.lru_cache(maxsize=64)
def _expected(table: str) -> frozenset[SchemaObject]:
    statements = Statements(table)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        statements.create(conn)
        return frozenset(statements.found(conn))
    finally:
        conn.close()
