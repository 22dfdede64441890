"""SqliteDict's own contract beyond the kit: arguments, injection, concurrency, closing."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
import tracemalloc

import pytest

from reference_backends import SqliteDict
from reference_backends.errors import CorruptStoreError


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


def test_closed_store_raises_a_clear_error(tmp_path):
    """Every operation on a closed store raises ValueError saying it is closed."""
    d = SqliteDict(str(tmp_path / "a.db"), "dict", "DEFERRED", a=1)
    d.close()
    for op in (lambda: d["a"], lambda: d.__setitem__("b", 1), lambda: len(d), lambda: list(d), d.clear):
        with pytest.raises(ValueError, match="closed"):
            op()
    d.close()  # closing twice is harmless


def test_not_a_database_file_is_reported(tmp_path):
    """Opening a file that is not SQLite names the path."""
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CorruptStoreError, match="junk.db"):
        SqliteDict(str(path))


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


def _writer(path: str, start: int, count: int) -> None:
    with SqliteDict(path) as d:
        for i in range(start, start + count):
            d[f"k{i}"] = i


def test_several_processes_write_one_file(tmp_path):
    """Four processes creating one new file and writing 300 keys each at once lose nothing."""
    path = str(tmp_path / "a.db")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, n * 300, 300)) for n in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with SqliteDict(path) as d:
        assert len(d) == 1200 and len(list(d)) == 1200


def test_several_threads_share_one_store(tmp_path):
    """Eight threads on one SqliteDict: every write lands, len is exact."""
    with SqliteDict(str(tmp_path / "a.db")) as d:
        def work(n: int) -> None:
            for i in range(200):
                d[f"{n}-{i}"] = i
                d.get(f"{n}-{i // 2}")

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(d) == 1600


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_store_works_in_a_forked_child(tmp_path):
    """A child forked with the store open uses its own connection; the parent's keeps working."""
    with SqliteDict(str(tmp_path / "a.db"), "dict", "DEFERRED", a=1) as d:
        pid = os.fork()
        if pid == 0:  # the child: write, then leave without running the parent's cleanup
            try:
                d["child"] = d["a"] + 1
                os._exit(0)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert d["child"] == 2
        d["parent"] = 3
        assert len(d) == 3


def test_second_python_process_reads_the_file(tmp_path):
    """Another interpreter opens the file and reads what this one wrote (JSON, no pickle)."""
    path = str(tmp_path / "a.db")
    with SqliteDict(path) as d:
        d[(1, "a")] = {"x": [1.5, None]}
    code = "from reference_backends import SqliteDict; d = SqliteDict(%r); print(list(d.items()))" % path
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[((1, 'a'), {'x': [1.5, None]})]"


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
