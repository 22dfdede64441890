"""Persistence and shared handles: what is written is there, for every handle.

Scenario: the contract's *Persistence* clause (``persistent`` and
``shared_handles``).  No cache may hide a change: a reopened store holds
exactly what was written, and a second handle sees each change at once,
including ``len`` (a stale count is a classic bug).
"""

from __future__ import annotations

import pytest

from pdict_conformance.domain import value_samples

AREA = "persistence"

persistent = pytest.mark.pdict_requires(persistent=True)
shared = pytest.mark.pdict_requires(shared_handles=True)


@persistent
def test_reopen_keeps_contents(harness):
    """Items written, then the store closed and reopened: the same items."""
    d = harness.domain
    (a, b, c), (v1, v2, v3) = d.keys(3), d.values(3)
    store = harness.new({a: v1, b: v2})
    store[c] = v3
    del store[a]
    again = harness.reopen(store)
    assert d.contents(again) == d.expect({b: v2, c: v3})
    assert d.size(again) == 2


@persistent
def test_reopen_keeps_value_types(harness):
    """Every sample value survives a reopen as its declared round trip."""
    samples = value_samples(harness.caps)
    keys = harness.domain.keys(len(samples))
    store = harness.new()
    for key, value in zip(keys, samples):
        store[key] = value
    again = harness.reopen(store)
    for key, value in zip(keys, samples):
        assert harness.domain.same_value(again[key], value), f"{value!r} after reopen"


@persistent
@pytest.mark.pdict_requires(ordering="insertion")
def test_reopen_keeps_order(harness):
    """Insertion order, with an overwrite and a re-insert, survives a reopen."""
    (a, m, z), (v1, v2) = harness.domain.keys(3), harness.domain.values(2)
    store = harness.new([(z, v1), (a, v1), (m, v1)])
    store[z] = v2
    del store[a]
    store[a] = v2
    assert list(harness.reopen(store)) == harness.domain.keys_back([z, m, a])


@persistent
def test_reopen_after_clear(harness):
    """A cleared store reopens empty, and len agrees."""
    keys, v = harness.domain.keys(2), harness.domain.value()
    store = harness.new({k: v for k in keys})
    store.clear()
    again = harness.reopen(store)
    assert harness.domain.size(again) == 0 and list(again) == []


@persistent
@pytest.mark.pdict_requires(key_types={"int", "bool", "float"}, key_type_preserved=True)
def test_reopen_keeps_key_objects(harness):
    """Keys come back as first inserted after a reopen (True stays True, 2.0 stays 2.0)."""
    v = harness.domain.value()
    store = harness.new()
    store[True] = v
    store[2.0] = v
    store[3] = v
    keys = list(harness.reopen(store))
    assert sorted((type(k).__name__, k) for k in keys) == [("bool", True), ("float", 2.0), ("int", 3)]


@persistent
def test_fresh_location_is_empty(harness):
    """A new store never sees another store's data."""
    harness.new({harness.domain.key(): harness.domain.value()})
    assert harness.domain.size(harness.new()) == 0


@shared
def test_second_handle_sees_writes(harness):
    """A write through one handle is seen at once through the other, both ways."""
    d = harness.domain
    (a, b), (v1, v2) = d.keys(2), d.values(2)
    first = harness.new()
    second = harness.second_handle(first)
    first[a] = v1
    assert d.same_value(second[a], v1) and a in second
    second[b] = v2
    assert d.same_value(first[b], v2)


@shared
def test_second_handle_len_is_not_stale(harness):
    """len() through a second handle follows inserts, deletes and clear() through the first."""
    d = harness.domain
    (a, b, c), v = d.keys(3), d.value()
    first = harness.new()
    second = harness.second_handle(first)
    assert d.size(second) == 0
    first.update({a: v, b: v, c: v})
    assert d.size(second) == 3
    del first[a]
    assert d.size(second) == 2
    first.clear()
    assert d.size(second) == 0
    assert list(second) == []


@shared
def test_second_handle_sees_deletes_and_overwrites(harness):
    """Deletes and overwrites through one handle show through the other (no cached values)."""
    d = harness.domain
    (a, b), (v1, v2) = d.keys(2), d.values(2)
    first = harness.new({a: v1, b: v1})
    second = harness.second_handle(first)
    assert d.same_value(second[a], v1)
    first[a] = v2
    assert d.same_value(second[a], v2)
    del first[b]
    assert b not in second
    with pytest.raises(KeyError):
        second[b]


@shared
def test_second_handle_pop_and_setdefault(harness):
    """pop and setdefault through one handle act on what the other wrote."""
    d = harness.domain
    k, (v1, v2) = d.key(), d.values(2)
    first = harness.new()
    second = harness.second_handle(first)
    first[k] = v1
    assert d.same_value(second.setdefault(k, v2), v1)
    assert d.same_value(second.pop(k), v1)
    assert k not in first
    assert first.setdefault(k, v2) is v2
    assert d.same_value(second[k], v2)


@shared
def test_closing_one_handle_leaves_the_other_working(harness):
    """Closing the first handle does not close the second."""
    d = harness.domain
    (a, b), (v1, v2) = d.keys(2), d.values(2)
    first = harness.new({a: v1})
    second = harness.second_handle(first)
    harness.close(first)
    assert d.same_value(second[a], v1)
    second[b] = v2
    assert d.size(second) == 2
