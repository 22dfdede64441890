"""Persistence and shared handles: what is written is there, for every handle.

Scenario: the contract's *Persistence* clause (``persistent`` and
``shared_handles``).  No cache may hide a change: a reopened store holds
exactly what was written, and a second handle sees each change at once,
including ``len`` (a stale count is a classic bug).
"""

from __future__ import annotations

import pytest

from pdict_conformance.domain import expected, same, value_samples

AREA = "persistence"

persistent = pytest.mark.pdict_requires(persistent=True)
shared = pytest.mark.pdict_requires(shared_handles=True)


@persistent
def test_reopen_keeps_contents(harness):
    """Items written, then the store closed and reopened: the same items."""
    store = harness.new(a=1, b=[1, 2])
    store["c"] = "three"
    del store["a"]
    again = harness.reopen(store)
    assert dict(again.items()) == {"b": [1, 2], "c": "three"}
    assert len(again) == 2


@persistent
def test_reopen_keeps_value_types(harness):
    """Every sample value survives a reopen as its declared round trip."""
    samples = value_samples(harness.caps)
    store = harness.new()
    for i, value in enumerate(samples):
        store[f"k{i}"] = value
    again = harness.reopen(store)
    for i, value in enumerate(samples):
        assert same(again[f"k{i}"], expected(value, harness.caps)), f"{value!r} after reopen"


@persistent
@pytest.mark.pdict_requires(ordering="insertion")
def test_reopen_keeps_order(harness):
    """Insertion order, with an overwrite and a re-insert, survives a reopen."""
    store = harness.new([("z", 1), ("a", 2), ("m", 3)])
    store["z"] = 10
    del store["a"]
    store["a"] = 20
    assert list(harness.reopen(store)) == ["z", "m", "a"]


@persistent
def test_reopen_after_clear(harness):
    """A cleared store reopens empty, and len agrees."""
    store = harness.new(a=1, b=2)
    store.clear()
    again = harness.reopen(store)
    assert len(again) == 0 and list(again) == []


@persistent
@pytest.mark.pdict_requires(key_types={"int", "bool", "float"}, key_type_preserved=True)
def test_reopen_keeps_key_objects(harness):
    """Keys come back as first inserted after a reopen (True stays True, 2.0 stays 2.0)."""
    store = harness.new()
    store[True] = 1
    store[2.0] = 2
    store[3] = 3
    keys = list(harness.reopen(store))
    assert sorted((type(k).__name__, k) for k in keys) == [("bool", True), ("float", 2.0), ("int", 3)]


@persistent
def test_fresh_location_is_empty(harness):
    """A new store never sees another store's data."""
    harness.new(a=1)
    assert len(harness.new()) == 0


@shared
def test_second_handle_sees_writes(harness):
    """A write through one handle is seen at once through the other, both ways."""
    first = harness.new()
    second = harness.second_handle(first)
    first["a"] = 1
    assert second["a"] == 1 and "a" in second
    second["b"] = 2
    assert first["b"] == 2


@shared
def test_second_handle_len_is_not_stale(harness):
    """len() through a second handle follows inserts, deletes and clear() through the first."""
    first = harness.new()
    second = harness.second_handle(first)
    assert len(second) == 0
    first.update(a=1, b=2, c=3)
    assert len(second) == 3
    del first["a"]
    assert len(second) == 2
    first.clear()
    assert len(second) == 0
    assert list(second) == []


@shared
def test_second_handle_sees_deletes_and_overwrites(harness):
    """Deletes and overwrites through one handle show through the other (no cached values)."""
    first = harness.new(a=1, b=2)
    second = harness.second_handle(first)
    assert second["a"] == 1
    first["a"] = "new"
    assert second["a"] == "new"
    del first["b"]
    assert "b" not in second
    with pytest.raises(KeyError):
        second["b"]


@shared
def test_second_handle_pop_and_setdefault(harness):
    """pop and setdefault through one handle act on what the other wrote."""
    first = harness.new()
    second = harness.second_handle(first)
    first["k"] = "v"
    assert second.setdefault("k", "other") == "v"
    assert second.pop("k") == "v"
    assert "k" not in first
    assert first.setdefault("k", "new") == "new"
    assert second["k"] == "new"


@shared
def test_closing_one_handle_leaves_the_other_working(harness):
    """Closing the first handle does not close the second."""
    first = harness.new(a=1)
    second = harness.second_handle(first)
    harness.close(first)
    assert second["a"] == 1
    second["b"] = 2
    assert len(second) == 2
