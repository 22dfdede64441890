"""dict's methods beyond item access: equality, copy, fromkeys, |, |=, setdefault, get.

Scenario: each method's documented dict behaviour, one aspect per test, so a
certificate shows which method is off.
"""

from __future__ import annotations

import pytest

AREA = "methods"


def test_equality_compares_values(harness):
    """A store equals a dict with the same items, and not one with the same keys but another value."""
    store = harness.new(a=1, b="x")
    assert store == {"a": 1, "b": "x"}
    assert store != {"a": 1, "b": "y"}
    assert not store == {"a": 2, "b": "x"}
    assert store != {"a": 1}
    assert store != {"a": 1, "b": "x", "c": None}


def test_equality_ignores_order(harness):
    """Equality does not depend on insertion order."""
    store = harness.new([("a", 1), ("b", 2)])
    assert store == {"b": 2, "a": 1}


def test_equality_with_non_mapping_is_false(store):
    """A store is not equal to a list or None."""
    assert store != []
    assert store != None  # noqa: E711


def test_get_present_and_missing(harness):
    """get returns the value for a present key, None or the default for a missing one."""
    store = harness.new(a=1)
    assert store.get("a") == 1 and store.get("a", 2) == 1
    assert store.get("b") is None and store.get("b", 2) == 2


def test_setdefault_present_keeps_value(harness):
    """setdefault on a present key returns its value and writes nothing."""
    store = harness.new(a=1)
    assert store.setdefault("a", 2) == 1
    assert store["a"] == 1 and len(store) == 1


def test_setdefault_missing_inserts(store):
    """setdefault on a missing key stores the default and returns it; None by default."""
    assert store.setdefault("a", 5) == 5
    assert store.setdefault("b") is None
    assert dict(store.items()) == {"a": 5, "b": None}


@pytest.mark.pdict_requires(copy=("same_type", "dict"))
def test_copy_is_independent(harness):
    """copy() has the same items, and changes to either side do not show in the other."""
    store = harness.new(a=1, b=2)
    snapshot = store.copy()
    try:
        assert dict(snapshot.items()) == {"a": 1, "b": 2}
        store["c"] = 3
        del store["a"]
        assert dict(snapshot.items()) == {"a": 1, "b": 2}
        snapshot["z"] = 0
        assert "z" not in store
    finally:
        if snapshot is not store and not isinstance(snapshot, dict):
            harness.spec.close(snapshot)


@pytest.mark.pdict_requires(fromkeys=True)
def test_fromkeys_sets_every_key_to_the_value(harness):
    """fromkeys(keys, value) maps every key to value, in key order, duplicates once."""
    store = harness.fromkeys(["a", "b", "a", "c"], 0)
    assert dict(store.items()) == {"a": 0, "b": 0, "c": 0}
    assert len(store) == 3


@pytest.mark.pdict_requires(fromkeys=True)
def test_fromkeys_default_is_none(harness):
    """fromkeys(keys) maps every key to None."""
    assert dict(harness.fromkeys("xy").items()) == {"x": None, "y": None}


@pytest.mark.pdict_requires(operators=True)
def test_or_merges_without_changing_the_store(harness):
    """store | other has both sides' items, other winning; the store is unchanged."""
    store = harness.new(a=1, b=2)
    merged = store | {"b": 3, "c": 4}
    assert dict(merged.items()) == {"a": 1, "b": 3, "c": 4}
    assert dict(store.items()) == {"a": 1, "b": 2}
    reverse = {"b": 3, "c": 4} | store
    assert dict(reverse.items()) == {"a": 1, "b": 2, "c": 4}


@pytest.mark.pdict_requires(operators=True)
def test_ior_updates_in_place_and_returns_the_store(harness):
    """store |= other updates the store itself (the same object) with other's items."""
    store = harness.new(a=1)
    before = store
    store |= {"a": 2, "b": 3}
    assert store is before
    assert dict(store.items()) == {"a": 2, "b": 3}
    store |= [("c", 4)]
    assert store["c"] == 4


@pytest.mark.pdict_requires(operators=True)
def test_or_with_non_mapping_raises_typeerror(store):
    """store | a list raises TypeError."""
    with pytest.raises(TypeError):
        store | [("a", 1)]
