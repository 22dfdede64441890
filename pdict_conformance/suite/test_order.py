"""Order: iteration, reversed and popitem follow the declared ordering.

Scenario: the contract's *Order* clause.  With ``ordering="insertion"``, an
overwrite keeps a key's place and a delete plus re-insert moves it to the end;
with ``"sorted"``, iteration follows the spec's ``order_key``.
"""

from __future__ import annotations

import pytest

AREA = "order"

insertion = pytest.mark.pdict_requires(ordering="insertion")
KEYS = ["m", "b", "z", "a", "q"]


@insertion
def test_iteration_follows_insertion(store):
    """Keys iterate in the order they were first inserted (not sorted, not hashed)."""
    for i, k in enumerate(KEYS):
        store[k] = i
    assert list(store) == KEYS
    assert list(store.keys()) == KEYS
    assert list(store.values()) == list(range(len(KEYS)))
    assert list(store.items()) == list(zip(KEYS, range(len(KEYS))))


@insertion
def test_overwrite_keeps_place(store):
    """Overwriting a key's value does not move it."""
    for i, k in enumerate(KEYS):
        store[k] = i
    store["b"] = "new"
    store.update({"m": "also new"})
    assert store.setdefault("z", "ignored") == 2
    assert list(store) == KEYS
    assert store["b"] == "new" and store["z"] == 2


@insertion
def test_delete_and_reinsert_moves_to_end(store):
    """A deleted key inserted again goes to the end."""
    for i, k in enumerate(KEYS):
        store[k] = i
    del store["b"]
    store["b"] = "back"
    assert list(store) == ["m", "z", "a", "q", "b"]


@insertion
def test_pop_and_reinsert_moves_to_end(store):
    """A popped key inserted again goes to the end."""
    for i, k in enumerate(KEYS):
        store[k] = i
    store.pop("m")
    store["m"] = 0
    assert list(store)[-1] == "m"


@insertion
def test_update_inserts_in_argument_order(store):
    """update() inserts new keys in the argument's order, then the keywords'."""
    store.update([("z", 1), ("a", 2)], y=3, b=4)
    assert list(store) == ["z", "a", "y", "b"]


@insertion
def test_constructor_keeps_argument_order(harness):
    """Keys given to the constructor keep their order."""
    store = harness.new([("z", 1), ("a", 2), ("m", 3)], k=4)
    assert list(store) == ["z", "a", "m", "k"]


@pytest.mark.pdict_requires(ordering="insertion", popitem="last")
def test_popitem_is_lifo(store):
    """popitem() removes the last inserted item, then the one before."""
    for i, k in enumerate(KEYS):
        store[k] = i
    store["m"] = "overwritten"  # keeps its place
    assert store.popitem() == ("q", 4)
    assert store.popitem() == ("a", 3)
    assert list(store) == ["m", "b", "z"]


@pytest.mark.pdict_requires(ordering=("insertion", "sorted"), popitem="first")
def test_popitem_takes_first(harness, store):
    """With popitem='first', popitem() removes the first item in iteration order."""
    for i, k in enumerate(KEYS):
        store[k] = i
    first = list(store)[0]
    assert store.popitem()[0] == first


def test_popitem_until_empty(store):
    """popitem() returns every item exactly once, then raises KeyError."""
    items = {k: i for i, k in enumerate(KEYS)}
    store.update(items)
    popped = dict(store.popitem() for _ in range(len(items)))
    assert popped == items
    with pytest.raises(KeyError):
        store.popitem()


@pytest.mark.pdict_requires(ordering="insertion", reversed=True)
def test_reversed(store):
    """reversed() on the mapping and its views gives reverse insertion order."""
    for i, k in enumerate(KEYS):
        store[k] = i
    assert list(reversed(store)) == KEYS[::-1]
    assert list(reversed(store.keys())) == KEYS[::-1]
    assert list(reversed(store.values())) == list(range(len(KEYS)))[::-1]
    assert list(reversed(store.items())) == list(zip(KEYS, range(len(KEYS))))[::-1]


@pytest.mark.pdict_requires(ordering="sorted")
def test_sorted_iteration(harness, store):
    """With ordering='sorted', iteration follows the spec's order_key whatever the insertion order."""
    for i, k in enumerate(KEYS):
        store[k] = i
    want = sorted(KEYS, key=harness.spec.order_key)
    assert list(store) == want
    assert [k for k, _ in store.items()] == want


@pytest.mark.pdict_requires(ordering="sorted", reversed=True)
def test_sorted_reversed(harness, store):
    """With ordering='sorted', reversed() is the sorted order backwards."""
    for i, k in enumerate(KEYS):
        store[k] = i
    assert list(reversed(store)) == sorted(KEYS, key=harness.spec.order_key, reverse=True)


@pytest.mark.pdict_requires(ordering="insertion")
def test_views_agree_on_order(store):
    """keys(), values() and items() walk the same order."""
    for i, k in enumerate(KEYS):
        store[k] = i * 10
    assert list(zip(store.keys(), store.values())) == list(store.items())


def test_views_agree_whatever_the_order(store):
    """keys(), values() and items() pair up, whatever the ordering."""
    for i, k in enumerate(KEYS):
        store[k] = i * 10
    assert list(zip(store.keys(), store.values())) == list(store.items())
