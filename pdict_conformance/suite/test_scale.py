"""Sizes past typical page sizes: iteration, len, clear and update on thousands of keys.

Scenario: a store that pages its queries (100, 1000, 4096 rows...) must still
yield every key exactly once, keep ``len`` exact, and clear everything.
Keys and values come from the declared domain (``harness.domain``): the i-th
key holds the i-th value.  Without ``len`` (``sized=False``) the counts are
taken by iteration.
"""

from __future__ import annotations

import pytest

AREA = "scale"

#: More than two pages of 1000 or 4096 rows, not a round number.
N = 5003


def _filled(harness, n: int = N):
    """A store holding the domain's first n keys, the i-th with the i-th value; and both lists."""
    keys, values = harness.domain.keys(n), harness.domain.values(n)
    store = harness.new()
    store.update(zip(keys, values))
    return store, keys, values


def _rep(items) -> list[str]:
    return sorted(map(repr, items))


def test_len_and_iteration_past_page_sizes(harness):
    """After inserting N keys, len is N and iteration yields each key exactly once."""
    store, keys, _ = _filled(harness)
    if harness.caps.sized:
        assert len(store) == N
    seen = list(store)
    assert len(seen) == N
    assert _rep(seen) == _rep(harness.domain.keys_back(keys))


def test_items_and_values_past_page_sizes(harness):
    """items() and values() over N keys pair every key with its value, once."""
    d = harness.domain
    store, keys, values = _filled(harness)
    items = list(store.items())
    assert len(items) == N
    assert {k: d.read(v) for k, v in items} == d.expect(zip(keys, values))
    assert _rep(d.read(v) for v in store.values()) == _rep(d.value_back(v) for v in values)


@pytest.mark.pdict_requires(ordering="insertion")
def test_insertion_order_past_page_sizes(harness):
    """Insertion order holds across page boundaries, also after overwrites and deletes."""
    store, keys, values = _filled(harness)
    store[keys[0]] = values[1]
    del store[keys[1000]]
    store[keys[1000]] = values[0]
    want = keys[:1000] + keys[1001:] + [keys[1000]]
    assert list(store) == harness.domain.keys_back(want)


@pytest.mark.pdict_requires(ordering="insertion", reversed=(True, "mapping_only"))
def test_reversed_past_page_sizes(harness):
    """reversed() over N keys is exactly the reverse of iteration."""
    store, _, _ = _filled(harness)
    assert list(reversed(store)) == list(store)[::-1]


def test_len_tracks_deletes_past_page_sizes(harness):
    """Deleting every third key keeps len exact (no stale count) and iteration consistent."""
    store, keys, _ = _filled(harness)
    for key in keys[0::3]:
        del store[key]
    remaining = N - len(range(0, N, 3))
    assert harness.domain.size(store) == remaining
    assert keys[0] not in store and keys[1] in store


def test_clear_past_page_sizes(harness):
    """clear() on N keys leaves nothing: len 0, no iteration, no key found."""
    store, keys, values = _filled(harness)
    store.clear()
    assert harness.domain.size(store) == 0
    assert list(store) == [] and list(store.items()) == []
    assert keys[1] not in store
    store[keys[0]] = values[0]
    assert harness.domain.size(store) == 1


def test_update_overlapping_past_page_sizes(harness):
    """update() with N pairs half of which exist overwrites those and adds the rest."""
    d = harness.domain
    store, keys, values = _filled(harness)
    more_keys, more_values = d.keys(N + N // 2), d.values(N + N // 2)
    store.update({more_keys[i]: more_values[i - N // 2] for i in range(N // 2, N + N // 2)})
    assert d.size(store) == N + N // 2
    assert d.same_value(store[keys[0]], values[0])
    assert d.same_value(store[keys[N - 1]], more_values[N - 1 - N // 2])


def test_popitem_drains_past_page_sizes(harness):
    """popitem() N times returns N distinct keys and empties the store."""
    store, _, _ = _filled(harness, 1500)
    seen = {repr(store.popitem()[0]) for _ in range(1500)}
    assert len(seen) == 1500 and harness.domain.size(store) == 0
