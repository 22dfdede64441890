"""SqliteDict's own contract beyond the kit: arguments, tables, transactions, memory.

Opening is in test_sqlite_open.py, processes, threads, fork and kills in
test_sqlite_concurrency.py, closing in test_lifecycle.py."""

from __future__ import annotations

import sqlite3
import tracemalloc

import pytest

from reference_backends import SqliteDict


def test_positional_arguments_fill_the_store(tmp_path):
    """path, table, isolation_level, then dict()'s arguments, as persistentdicts."""
    d = SqliteDict(str(tmp_path / "a.db"), "t", "IMMEDIATE", {"a": 1}, b=2)
    assert dict(d.items()) == {"a": 1, "b": 2}
    d.close()


def test_default_is_in_memory():
    """With no path the store lives in memory and starts empty."""
    with SqliteDict() as d:
        assert d.path == ":memory:" and len(d) == 0


def test_mapping_as_path_is_a_clear_typeerror():
    """Passing the initial contents where the path goes is a TypeError naming the signature."""
    with pytest.raises(TypeError, match="path must be a str"):
        SqliteDict({"a": 1})


@pytest.mark.parametrize(
    "table", ['x"; DROP TABLE dict; --', "a b", "1abc", "", "a" * 64, "t;", 'q"'],
)
def test_table_name_is_validated(tmp_path, table):
    """A table name that is not a plain identifier is rejected before any SQL runs."""
    with pytest.raises(ValueError, match="invalid table name"):
        SqliteDict(str(tmp_path / "a.db"), table)
    assert not (tmp_path / "a.db").exists()


def test_isolation_level_is_validated():
    """Only DEFERRED, IMMEDIATE and EXCLUSIVE are accepted."""
    with pytest.raises(ValueError, match="isolation_level"):
        SqliteDict(":memory:", "dict", "SERIALIZABLE")


def test_two_tables_in_one_file_are_separate(tmp_path):
    """Stores in different tables of one file do not see each other."""
    path = str(tmp_path / "a.db")
    with SqliteDict(path, "one") as a, SqliteDict(path, "two") as b:
        a["k"] = 1
        assert "k" not in b and len(b) == 0


def test_reopen_reads_what_was_written(tmp_path):
    """Data survives closing and reopening the file."""
    path = str(tmp_path / "a.db")
    with SqliteDict(path) as d:
        d.update({"a": [1, 2], True: None, 1.5: "x"})
    with SqliteDict(path) as d:
        assert list(d.items()) == [("a", [1, 2]), (True, None), (1.5, "x")]


def test_failed_update_writes_nothing(tmp_path):
    """update() with one value JSON cannot hold leaves the store unchanged."""
    with SqliteDict(str(tmp_path / "a.db"), "dict", "DEFERRED", keep=1) as d:
        with pytest.raises(TypeError):
            d.update([("a", 1), ("b", {1, 2}), ("c", 3)])
        assert dict(d.items()) == {"keep": 1}


def test_len_counter_survives_other_connections(tmp_path):
    """len() stays exact when another connection (raw sqlite3) inserts and deletes rows."""
    path = str(tmp_path / "a.db")
    with SqliteDict(path) as d:
        d.update(a=1, b=2)
        raw = sqlite3.connect(path, isolation_level=None)
        raw.execute("""INSERT INTO "dict" (key, spelling, value) VALUES ('"c"', NULL, '3')""")
        raw.execute("""DELETE FROM "dict" WHERE key = '"a"'""")
        raw.close()
        assert len(d) == 2 and set(d) == {"b", "c"}


def test_iteration_memory_is_flat(tmp_path):
    """Iterating 60,000 keys holds about one page of rows, not the whole table."""
    with SqliteDict(str(tmp_path / "a.db")) as d:
        d.update((f"key-{i:06d}-" + "x" * 40, i) for i in range(60000))
        tracemalloc.start()
        try:
            count = 0
            for _ in d.items():
                count += 1
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert count == 60000
        # 60,000 keys of ~50 characters would need well over 5 MB held at once.
        assert peak < 1_500_000, f"peak {peak} bytes while iterating"
