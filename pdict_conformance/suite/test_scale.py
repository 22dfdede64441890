"""Sizes past typical page sizes: iteration, len, clear and update on thousands of keys.

Scenario: a store that pages its queries (100, 1000, 4096 rows...) must still
yield every key exactly once, keep ``len`` exact, and clear everything.
"""

from __future__ import annotations

import pytest

AREA = "scale"

#: More than two pages of 1000 or 4096 rows, not a round number.
N = 5003


def _filled(harness, n: int = N):
    store = harness.new()
    store.update((f"k{i:05d}", i) for i in range(n))
    return store


def test_len_and_iteration_past_page_sizes(harness):
    """After inserting N keys, len is N and iteration yields each key exactly once."""
    store = _filled(harness)
    assert len(store) == N
    keys = list(store)
    assert len(keys) == N
    assert set(keys) == {f"k{i:05d}" for i in range(N)}


def test_items_and_values_past_page_sizes(harness):
    """items() and values() over N keys pair every key with its value, once."""
    store = _filled(harness)
    items = list(store.items())
    assert len(items) == N
    assert dict(items) == {f"k{i:05d}": i for i in range(N)}
    assert sorted(store.values()) == list(range(N))


@pytest.mark.pdict_requires(ordering="insertion")
def test_insertion_order_past_page_sizes(harness):
    """Insertion order holds across page boundaries, also after overwrites and deletes."""
    store = _filled(harness)
    store["k00000"] = "overwritten"
    del store["k01000"]
    store["k01000"] = "moved"
    want = [f"k{i:05d}" for i in range(N) if i != 1000] + ["k01000"]
    assert list(store) == want


@pytest.mark.pdict_requires(ordering="insertion", reversed=True)
def test_reversed_past_page_sizes(harness):
    """reversed() over N keys is exactly the reverse of iteration."""
    store = _filled(harness)
    assert list(reversed(store)) == list(store)[::-1]


def test_len_tracks_deletes_past_page_sizes(harness):
    """Deleting every third key keeps len exact (no stale count) and iteration consistent."""
    store = _filled(harness)
    for i in range(0, N, 3):
        del store[f"k{i:05d}"]
    remaining = N - len(range(0, N, 3))
    assert len(store) == remaining
    assert len(list(store)) == remaining
    assert "k00000" not in store and "k00001" in store


def test_clear_past_page_sizes(harness):
    """clear() on N keys leaves nothing: len 0, no iteration, no key found."""
    store = _filled(harness)
    store.clear()
    assert len(store) == 0
    assert list(store) == [] and list(store.items()) == []
    assert "k00001" not in store
    store["again"] = 1
    assert len(store) == 1


def test_update_overlapping_past_page_sizes(harness):
    """update() with N pairs half of which exist overwrites those and adds the rest."""
    store = _filled(harness)
    store.update({f"k{i:05d}": -i for i in range(N // 2, N + N // 2)})
    assert len(store) == N + N // 2
    assert store["k00000"] == 0 and store[f"k{N - 1:05d}"] == -(N - 1)
    assert len(list(store)) == len(store)


def test_popitem_drains_past_page_sizes(harness):
    """popitem() N times returns N distinct keys and empties the store."""
    store = _filled(harness, 1500)
    seen = {store.popitem()[0] for _ in range(1500)}
    assert len(seen) == 1500 and len(store) == 0
