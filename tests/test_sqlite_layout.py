"""SqliteDict's table layout: ``len`` from ``max(id)`` and a gap count kept by a
delete trigger, ``clear`` without that trigger, and stores of the earlier
layout (a row counter) converted on their first writable open."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from reference_backends import SqliteDict
from reference_backends.errors import IncompatibleStoreError, ReadOnlyStoreError
from reference_backends.sqlite_schema import Statements, v1_schema


def _count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute('SELECT count(*) FROM "dict"').fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("deletes", [
    ["k0"], ["k9"], ["k9", "k8", "k7"], ["k8", "k9"], ["k5", "k9", "k8", "k6", "k7"],
    [f"k{i}" for i in range(10)], [f"k{i}" for i in reversed(range(10))],
])
def test_len_follows_deletes_below_and_at_the_highest_id(tmp_path, deletes):
    """Deleting the highest row takes back the gaps beneath it; len stays exact."""
    path = tmp_path / "a.db"
    with SqliteDict(str(path)) as d:
        d.update((f"k{i}", i) for i in range(10))
        for key in deletes:
            del d[key]
            assert len(d) == _count(path)
        d["new"] = 1  # takes max(id) + 1
        assert len(d) == _count(path) == 11 - len(deletes)


def test_len_after_popitem_pop_setdefault_and_clear(tmp_path):
    path = tmp_path / "a.db"
    with SqliteDict(str(path)) as d:
        d.update((f"k{i}", i) for i in range(5))
        d.popitem(), d.pop("k1"), d.setdefault("k1", 0), d.setdefault("k2", 9)
        assert len(d) == _count(path) == 4
        d.clear()
        assert len(d) == _count(path) == 0
        d["a"] = 1
        del d["a"]
        d.update(b=2, c=3)
        assert len(d) == _count(path) == 2
        assert list(d) == ["b", "c"]


def test_clear_leaves_the_layout_whole(tmp_path):
    """clear() drops the delete trigger for its DELETE and restores it in the same transaction."""
    path = tmp_path / "a.db"
    with SqliteDict(str(path)) as d:
        d.update(a=1, b=2)
        d.clear()
    with SqliteDict(str(path)) as d:  # the open check finds the exact layout
        d.update(a=1, b=2)
        del d["a"]
        assert len(d) == 1


def _v1_store(path: Path, items: list[tuple[str, int]], deleted: int = 0) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in v1_schema("dict"):
        conn.execute(statement)
    for key, value in items:
        conn.execute('INSERT INTO "dict" (key, spelling, value) VALUES (?, NULL, ?)', (json.dumps(key), json.dumps(value)))
    for key, _ in items[:deleted]:
        conn.execute('DELETE FROM "dict" WHERE key = ?', (json.dumps(key),))
    conn.close()


def test_a_store_of_the_earlier_layout_is_converted_with_its_contents(tmp_path):
    path = tmp_path / "old.db"
    _v1_store(path, [(f"k{i}", i) for i in range(6)], deleted=2)
    with SqliteDict(str(path)) as d:
        assert len(d) == 4 and dict(d) == {"k2": 2, "k3": 3, "k4": 4, "k5": 5}
        d["k9"] = 9
        del d["k5"]
        assert len(d) == _count(path) == 4
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert names == {"dict", "dict__gaps", "dict__gaps_delete", "sqlite_autoindex_dict_1"}
    assert Statements("dict").expected() == frozenset(Statements("dict").found(sqlite3.connect(path)))


def test_a_store_of_the_earlier_layout_opened_read_only_says_how_to_convert(tmp_path):
    path = tmp_path / "old.db"
    _v1_store(path, [("a", 1)])
    with pytest.raises(ReadOnlyStoreError, match="open it once for writing"):
        SqliteDict.open(str(path), read_only=True)


def test_an_altered_store_of_the_earlier_layout_is_not_converted(tmp_path):
    path = tmp_path / "old.db"
    _v1_store(path, [("a", 1)])
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute('CREATE TRIGGER evil AFTER INSERT ON "dict" BEGIN SELECT 1; END')
    conn.close()
    with pytest.raises(IncompatibleStoreError, match="evil"):
        SqliteDict(str(path))
