"""Opening a SqliteDict: the shared open errors, plain paths, existing tables of
another schema, planted triggers, read-only files, and the options of open()."""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from forking import run_in_fork
from reference_backends import SqliteDict
from reference_backends.errors import (
    CorruptStoreError,
    IncompatibleStoreError,
    InvalidNameError,
    ReadOnlyStoreError,
)


# -- the open errors every backend shares ----------------------------------------

def test_missing_folder_is_filenotfounderror_naming_the_path(tmp_path):
    path = tmp_path / "nope" / "a.db"
    with pytest.raises(FileNotFoundError) as caught:
        SqliteDict(str(path))
    assert caught.value.filename == str(path) and "nope" in str(caught.value)
    assert not (tmp_path / "nope").exists()


def test_folder_as_path_is_isadirectoryerror_naming_the_path(tmp_path):
    with pytest.raises(IsADirectoryError) as caught:
        SqliteDict(str(tmp_path))
    assert caught.value.filename == str(tmp_path)


@pytest.mark.parametrize("damage", ["junk", "truncated-header", "garbled-pages"])
def test_corrupt_file_is_corruptstoreerror_naming_the_path(tmp_path, damage):
    path = tmp_path / "a.db"
    if damage == "junk":
        path.write_bytes(b"this is not a database" * 100)
    else:
        SqliteDict(str(path), "dict", "DEFERRED", ((f"k{i}", "v" * 100) for i in range(200))).close()
        data = bytearray(path.read_bytes())
        if damage == "truncated-header":
            data = data[:50]
        else:
            data[100:4096] = b"\xa5" * (4096 - 100)  # the schema page
        path.write_bytes(bytes(data))
    with pytest.raises(CorruptStoreError, match="a.db"):
        SqliteDict(str(path))


@pytest.mark.parametrize("table", ["sqlite_master", "sqlite_sequence", "SQLITE_foo", 'x"; DROP TABLE dict; --', "1a", ""])
def test_reserved_or_invalid_table_name_is_invalidnameerror(tmp_path, table):
    with pytest.raises(InvalidNameError, match="table name") as caught:
        SqliteDict(str(tmp_path / "a.db"), table)
    assert "a.db" in str(caught.value)
    assert not (tmp_path / "a.db").exists()
    assert issubclass(InvalidNameError, ValueError)


def test_no_sqlite3_error_escapes_from_open(tmp_path):
    """Whatever goes wrong while opening, the caller sees an OSError or ValueError kind."""
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\0" * 10 + b"x" * 5000)
    for args in ((str(junk),), (str(tmp_path / "x" / "y.db"),), (str(tmp_path),), (str(tmp_path / "a.db"), "sqlite_x")):
        with pytest.raises((OSError, ValueError)) as caught:
            SqliteDict(*args)
        assert not isinstance(caught.value, sqlite3.Error)


# -- paths ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["file:data.db?mode=memory", "file:x.db?nolock=1", "file::memory:"])
def test_file_colon_path_is_a_plain_file_name(tmp_path, monkeypatch, name):
    """Without uri=True a path starting with 'file:' names a file in the folder:
    its query does not turn persistence or locking off."""
    monkeypatch.chdir(tmp_path)
    with SqliteDict(name) as d:
        d["a"] = 1
    assert (tmp_path / name).is_file()
    with SqliteDict(name) as d:
        assert d["a"] == 1


def test_uri_mode_is_asked_for(tmp_path):
    """With uri=True the query applies: mode=memory keeps nothing."""
    uri = f"file:{tmp_path / 'a.db'}?mode=memory"
    with SqliteDict.open(uri, uri=True) as d:
        d["a"] = 1
        assert d["a"] == 1
    assert not (tmp_path / "a.db").exists()
    with SqliteDict.open(f"file:{tmp_path / 'b.db'}", uri=True) as d:
        d["b"] = 2
    with SqliteDict(str(tmp_path / "b.db")) as d:
        assert d["b"] == 2


def test_relative_path_is_fixed_at_open(tmp_path, monkeypatch):
    """A relative path names the file in the folder current at open, whatever comes later."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    monkeypatch.chdir(tmp_path / "one")
    with SqliteDict("a.db") as d:
        os.chdir(tmp_path / "two")
        d["k"] = 1
        assert d.path == "a.db"
    assert not (tmp_path / "two" / "a.db").exists()
    with SqliteDict(str(tmp_path / "one" / "a.db")) as d:
        assert d["k"] == 1


# -- existing tables -------------------------------------------------------------

def _raw(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


def test_an_applications_table_of_the_same_name_is_refused(tmp_path):
    """The store never adds its triggers or size table to a table it did not make."""
    path = tmp_path / "app.db"
    _raw(path, "CREATE TABLE dict (name TEXT, age INT)", "INSERT INTO dict VALUES ('ann', 3)")
    with pytest.raises(IncompatibleStoreError, match="app.db") as caught:
        SqliteDict(str(path))
    assert "'dict'" in str(caught.value)
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master ORDER BY name")] == ["dict"]
    assert conn.execute("SELECT * FROM dict").fetchall() == [("ann", 3)]
    conn.close()


@pytest.mark.parametrize(
    "planted",
    [
        'CREATE TRIGGER evil AFTER INSERT ON "dict" BEGIN DELETE FROM "dict"; END',
        "CREATE TRIGGER evil AFTER UPDATE ON DICT BEGIN SELECT 1; END",  # names ignore case
        'CREATE TRIGGER evil2 BEFORE DELETE ON "dict__gaps" BEGIN SELECT 1; END',
        'CREATE INDEX extra ON "dict" (value)',
        'DROP TRIGGER "dict__gaps_delete"',
        'DROP TABLE "dict__gaps"',
    ],
)
def test_a_store_carrying_objects_it_did_not_create_is_refused(tmp_path, planted):
    """Planted (or removed) triggers, indexes and tables make the file unusable,
    so a planted trigger never runs on the store's writes."""
    path = tmp_path / "a.db"
    SqliteDict(str(path), "dict", "DEFERRED", a=1).close()
    _raw(path, planted)
    with pytest.raises(IncompatibleStoreError, match="a.db"):
        SqliteDict(str(path))


def test_a_view_under_the_size_tables_name_is_refused(tmp_path):
    path = tmp_path / "a.db"
    _raw(path, 'CREATE TABLE "dict" (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, spelling TEXT, value TEXT NOT NULL)',
         'CREATE VIEW "dict__gaps" AS SELECT 0 AS one, 42 AS gaps')
    with pytest.raises(IncompatibleStoreError, match="view"):
        SqliteDict(str(path))


def test_table_names_ignore_case_as_in_sqlite(tmp_path):
    """"Dict" names the store made as "dict" (SQLite names ignore case)."""
    path = str(tmp_path / "a.db")
    SqliteDict(path, "dict", "DEFERRED", a=1).close()
    with SqliteDict(path, "DICT") as d:
        assert d["a"] == 1 and len(d) == 1


def test_other_tables_in_the_file_are_left_alone(tmp_path):
    """An application's other tables (and their triggers) do not matter."""
    path = tmp_path / "a.db"
    _raw(path, "CREATE TABLE app (x)", "CREATE TRIGGER app_t AFTER INSERT ON app BEGIN SELECT 1; END")
    with SqliteDict(str(path), "dict", "DEFERRED", a=1) as d:
        assert d["a"] == 1


# -- read-only files -------------------------------------------------------------

def _check_read_only(path: str) -> None:
    d = SqliteDict(path)
    assert d.read_only, "not opened read-only"
    assert dict(d.items()) == {"a": 1, "b": [2]} and len(d) == 2 and d["a"] == 1
    writes = (lambda: d.__setitem__("c", 3), lambda: d.pop("a"), d.popitem, d.clear,
              lambda: d.update(c=3), lambda: d.setdefault("c", 3), lambda: d.__delitem__("a"))
    for write in writes:
        with pytest.raises(ReadOnlyStoreError, match="a.db"):
            write()
    assert dict(d.items()) == {"a": 1, "b": [2]}
    d.close()


def _as_unprivileged(check, *args: str) -> None:
    """Run ``check(*args)`` in a forked child as a user who may read but not write
    the files made here (nobody, when the tests run as root); its failure fails the test."""

    def child() -> None:
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
        check(*args)

    report = run_in_fork(child)
    assert report == "", report


@pytest.mark.parametrize(
    ("file_mode", "folder_mode"),
    [(0o444, 0o777), (0o444, 0o755), (0o666, 0o755)],
    ids=["file-read-only", "both-read-only", "folder-read-only"],
)
def test_a_read_only_file_opens_for_reading_and_refuses_writes(file_mode, folder_mode):
    """Reads work, each write raises ReadOnlyStoreError and changes nothing;
    also where the reader cannot write the folder (no -wal/-shm file can be
    made, so even a writable file cannot take a write)."""
    folder = Path(tempfile.mkdtemp(prefix="pdict-ro-"))  # under /tmp: reachable by nobody
    try:
        path = folder / "a.db"
        SqliteDict(str(path), "dict", "DEFERRED", a=1, b=[2]).close()
        path.chmod(file_mode)
        folder.chmod(folder_mode)
        _as_unprivileged(_check_read_only, str(path))
    finally:
        shutil.rmtree(folder)


def test_read_only_can_be_asked_for(tmp_path):
    path = str(tmp_path / "a.db")
    SqliteDict(path, "dict", "DEFERRED", a=1).close()
    with SqliteDict.open(path, read_only=True) as d:
        assert d.read_only and d["a"] == 1
        with pytest.raises(ReadOnlyStoreError, match="a.db"):
            d["b"] = 2
    with pytest.raises(FileNotFoundError):
        SqliteDict.open(str(tmp_path / "none.db"), read_only=True)


# -- options ---------------------------------------------------------------------

def test_keywords_are_contents_not_options(tmp_path):
    """The constructor keeps dict's keywords: durability=... is a key."""
    with SqliteDict(str(tmp_path / "a.db"), "dict", "DEFERRED", durability="power_loss") as d:
        assert d.durability == "process_crash" and d["durability"] == "power_loss"


@pytest.mark.parametrize(("durability", "synchronous"), [("process_crash", 1), ("power_loss", 2)])
def test_durability_sets_synchronous(tmp_path, durability, synchronous):
    with SqliteDict.open(str(tmp_path / "a.db"), durability=durability) as d:
        assert d.durability == durability
        with d._lock:
            assert d._conn.execute("PRAGMA synchronous").fetchone()[0] == synchronous
            assert d._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_unknown_durability_is_refused():
    with pytest.raises(ValueError, match="durability"):
        SqliteDict.open(durability="sometimes")
