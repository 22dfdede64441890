"""The SQL of one SqliteDict store, and the check that a file holds exactly it.

Layout of a store named ``T``:

``T``        ``id INTEGER PRIMARY KEY`` (insertion order), ``key`` (the key's
             identity, unique), ``spelling`` (the key as first inserted, NULL
             when equal to the identity), ``value`` (JSON).
``T__gaps``  one row holding the number of ids from 1 to ``max(id)`` that no
             row has, kept exact by one trigger on delete (``T__gaps_delete``),
             so ``len()`` is ``max(id) - gaps``: two indexed reads, not a scan.

Why this layout: a new row takes ``max(id) + 1`` (SQLite's rowid rule), so an
insert leaves the gap count as it is and costs no write beyond its row, where a
row counter costs a second write on every insert (a quarter of an insert's
time, ``python -m benchmarks.profile_hotpaths``).  A delete must still write:
deleting a row below the highest changes nothing else an O(1) read can see.
Deleting the highest row shrinks ``max(id)`` past the gaps below it, which the
trigger takes back.  ``clear()`` drops the trigger for its one ``DELETE`` (a
table without triggers is emptied page by page, in flat memory, where a
trigger makes SQLite collect every rowid first) and restores it in the same
transaction.

Stores of the earlier layout (a ``T__size`` row counter kept by the triggers
``T__count_insert`` and ``T__count_delete``) are converted when first opened
for writing, in one transaction; opened read-only they are refused with that
advice.

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
        gaps = f'"{table}__gaps"'
        trigger = f'"{table}__gaps_delete"'
        max_id = f"coalesce((SELECT max(id) FROM {t}), 0)"
        self.restore_trigger = (
            f"CREATE TRIGGER {trigger} AFTER DELETE ON {t} "
            # +1 for the deleted id; when it was the highest, max(id) fell by
            # old.id - max(id), and that many ids stop counting (the gaps among them).
            f"BEGIN UPDATE {gaps} SET gaps = gaps + 1 + min(0, {max_id} - old.id); END"
        )
        self.schema = (
            f"CREATE TABLE {t} (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
            "spelling TEXT, value TEXT NOT NULL)",
            f"CREATE TABLE {gaps} (one INTEGER PRIMARY KEY CHECK (one = 0), gaps INTEGER NOT NULL)",
            f"INSERT INTO {gaps} VALUES (0, 0)",
            self.restore_trigger,
        )
        self.tables = (table, f"{table}__gaps")
        self.trigger_names = (f"{table}__gaps_delete",)
        self.gaps_rows = f"SELECT gaps FROM {gaps}"
        #: Empty the table in flat memory: only a table without triggers is
        #: truncated page by page (run inside one write transaction).
        self.clear_statements = (
            f"DROP TRIGGER {trigger}",
            f"DELETE FROM {t}",
            f"UPDATE {gaps} SET gaps = 0",
            self.restore_trigger,
        )
        old_size = f'"{table}__size"'
        #: Convert a store of the earlier layout (inside one write transaction).
        self.convert_v1 = (
            f'DROP TRIGGER "{table}__count_insert"',
            f'DROP TRIGGER "{table}__count_delete"',
            *self.schema[1:3],
            f"UPDATE {gaps} SET gaps = {max_id} - (SELECT n FROM {old_size})",
            f"DROP TABLE {old_size}",
            self.restore_trigger,
        )
        self.get = f"SELECT value FROM {t} WHERE key = ?"
        self.contains = f"SELECT 1 FROM {t} WHERE key = ?"
        insert = f"INSERT INTO {t} (key, spelling, value) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
        self.upsert = insert + "value = excluded.value"
        self.delete = f"DELETE FROM {t} WHERE key = ?"
        self.pop = f"DELETE FROM {t} WHERE key = ? RETURNING value"
        self.popitem = f"DELETE FROM {t} WHERE id = (SELECT max(id) FROM {t}) RETURNING key, spelling, value"
        self.insert_new = f"INSERT INTO {t} (key, spelling, value) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING 1"
        self.size = f"SELECT {max_id} - gaps FROM {gaps}"
        self._table = t

    def page(self, columns: str, forward: bool) -> str:
        op, order = (">", "ASC") if forward else ("<", "DESC")
        return f"SELECT {columns} FROM {self._table} WHERE id {op} ? ORDER BY id {order} LIMIT ?"

    # -- the objects in a file -----------------------------------------------------
    def found(self, conn: sqlite3.Connection) -> set[SchemaObject]:
        """The schema objects in ``conn``'s main database that bear one of this
        store's names or are attached to one of its tables."""
        t = self.table
        tables = (*self.tables, f"{t}__size")
        names = [n.lower() for n in (*tables, *self.trigger_names, f"{t}__count_insert", f"{t}__count_delete")]
        marks = ", ".join("?" * len(names))
        # SQLite names are case-insensitive: a trigger "ON DICT" is on table dict.
        rows = conn.execute(
            f"SELECT type, lower(name), lower(tbl_name), lower(sql) FROM main.sqlite_master "
            f"WHERE lower(name) IN ({marks}) OR lower(tbl_name) IN ({', '.join('?' * len(tables))})",
            (*names, *(n.lower() for n in tables)),
        ).fetchall()
        return {tuple(row) for row in rows}  # type: ignore[misc]

    def create(self, conn: sqlite3.Connection) -> None:
        for statement in self.schema:
            conn.execute(statement)

    def expected(self) -> frozenset[SchemaObject]:
        """Exactly what :meth:`create` leaves in sqlite_master."""
        return _expected(self.table)

    def is_v1(self, found: set[SchemaObject]) -> bool:
        """Whether ``found`` is exactly a store of the earlier layout (a row counter)."""
        return found == _expected_v1(self.table)

    def convert(self, conn: sqlite3.Connection) -> None:
        """Turn the earlier layout into this one (inside the caller's write transaction)."""
        for statement in self.convert_v1:
            conn.execute(statement)

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
def _expected_v1(table: str) -> frozenset[SchemaObject]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for statement in v1_schema(table):
            conn.execute(statement)
        return frozenset(Statements(table).found(conn))
    finally:
        conn.close()


def v1_schema(table: str) -> tuple[str, ...]:
    """The statements of the earlier layout, which :meth:`Statements.convert` turns into this one."""
    t, size = f'"{table}"', f'"{table}__size"'
    return (
        f"CREATE TABLE {t} (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, spelling TEXT, value TEXT NOT NULL)",
        f"CREATE TABLE {size} (one INTEGER PRIMARY KEY CHECK (one = 0), n INTEGER NOT NULL)",
        f"INSERT INTO {size} VALUES (0, 0)",
        f'CREATE TRIGGER "{table}__count_insert" AFTER INSERT ON {t} BEGIN UPDATE {size} SET n = n + 1; END',
        f'CREATE TRIGGER "{table}__count_delete" AFTER DELETE ON {t} BEGIN UPDATE {size} SET n = n - 1; END',
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
