"""Order: iteration, reversed and popitem follow the declared ordering.

Scenario: the contract's *Order* clause.  With ``ordering="insertion"``, an
overwrite keeps a key's place and a delete plus re-insert moves it to the end;
with ``"sorted"``, iteration follows the spec's ``order_key``.  The five keys
are the domain's, inserted out of their sorted order (and not in reverse
sorted order either), so a store that sorts cannot pass for insertion order.
"""

from __future__ import annotations

import pytest

AREA = "order"

insertion = pytest.mark.pdict_requires(ordering="insertion")

#: Insertion order of the domain's five keys: neither sorted nor reverse sorted.
SHUFFLE = (3, 1, 4, 0, 2)


def _keys(harness) -> list:
    keys = harness.domain.keys(5)
    return [keys[i] for i in SHUFFLE]


def _filled(harness):
    """A store holding the five keys in SHUFFLE order, with five distinct values; and both lists."""
    keys, values = _keys(harness), harness.domain.values(5)
    store = harness.new()
    for k, v in zip(keys, values):
        store[k] = v
    return store, keys, values


@insertion
def test_iteration_follows_insertion(harness):
    """Keys iterate in the order they were first inserted (not sorted, not hashed)."""
    d = harness.domain
    store, keys, values = _filled(harness)
    assert list(store) == d.keys_back(keys)
    assert list(store.keys()) == d.keys_back(keys)
    assert [d.read(v) for v in store.values()] == [d.value_back(v) for v in values]
    assert [(k, d.read(v)) for k, v in store.items()] == list(d.expect(zip(keys, values)).items())


@insertion
def test_overwrite_keeps_place(harness):
    """Overwriting a key's value (by [], update and setdefault) does not move it."""
    d = harness.domain
    store, keys, values = _filled(harness)
    store[keys[1]] = values[0]
    store.update({keys[0]: values[1]})
    assert d.same_value(store.setdefault(keys[2], values[0]), values[2])
    assert list(store) == d.keys_back(keys)
    assert d.same_value(store[keys[1]], values[0]) and d.same_value(store[keys[2]], values[2])


@insertion
def test_delete_and_reinsert_moves_to_end(harness):
    """A deleted key inserted again goes to the end."""
    store, keys, values = _filled(harness)
    del store[keys[1]]
    store[keys[1]] = values[0]
    assert list(store) == harness.domain.keys_back(keys[:1] + keys[2:] + keys[1:2])


@insertion
def test_pop_and_reinsert_moves_to_end(harness):
    """A popped key inserted again goes to the end."""
    store, keys, values = _filled(harness)
    store.pop(keys[0])
    store[keys[0]] = values[0]
    assert list(store) == harness.domain.keys_back(keys[1:] + keys[:1])


@insertion
def test_update_inserts_in_argument_order(harness):
    """update() inserts new keys in the argument's order, then the keywords' (str keys)."""
    d = harness.domain
    keys, values = _keys(harness), d.values(2)
    store = harness.new()
    store.update([(keys[0], values[0]), (keys[1], values[1])])
    store.update({keys[2]: values[0], keys[3]: values[1]})
    expected = keys[:4]
    if "str" in harness.caps.key_types:
        store.update(y=values[0], b=values[1])
        expected += ["y", "b"]
    assert list(store) == d.keys_back(expected)


@insertion
def test_constructor_keeps_argument_order(harness):
    """Keys given to the constructor keep their order (pairs, then keywords for str keys)."""
    d = harness.domain
    keys, value = _keys(harness), d.value()
    kwargs = {"k": value} if "str" in harness.caps.key_types else {}
    store = harness.new([(k, value) for k in keys[:3]], **kwargs)
    assert list(store) == d.keys_back(keys[:3] + list(kwargs))


@pytest.mark.pdict_requires(ordering="insertion", popitem="last")
def test_popitem_is_lifo(harness):
    """popitem() removes the last inserted item, then the one before."""
    d = harness.domain
    store, keys, values = _filled(harness)
    store[keys[0]] = values[1]  # an overwrite keeps its place
    for i in (4, 3):
        key, value = store.popitem()
        assert key == d.key_back(keys[i]) and d.same_value(value, values[i]), (key, value)
    assert list(store) == d.keys_back(keys[:3])


@pytest.mark.pdict_requires(ordering=("insertion", "sorted"), popitem="first")
def test_popitem_takes_first(harness):
    """With popitem='first', popitem() removes the first item in iteration order."""
    store, _, _ = _filled(harness)
    first = list(store)[0]
    assert store.popitem()[0] == first
    assert first not in list(store)


def test_popitem_until_empty(harness):
    """popitem() returns every item exactly once, then raises KeyError."""
    d = harness.domain
    store, keys, values = _filled(harness)
    popped = [store.popitem() for _ in keys]
    assert {k: d.read(v) for k, v in popped} == d.expect(zip(keys, values))
    with pytest.raises(KeyError):
        store.popitem()


@pytest.mark.pdict_requires(ordering="insertion", reversed=(True, "mapping_only"))
def test_reversed(harness):
    """reversed() on the mapping gives reverse insertion order."""
    store, keys, _ = _filled(harness)
    assert list(reversed(store)) == harness.domain.keys_back(keys[::-1])


@pytest.mark.pdict_requires(ordering="insertion", reversed=True)
def test_reversed_views(harness):
    """reversed() on the keys, values and items views gives reverse insertion order."""
    d = harness.domain
    store, keys, values = _filled(harness)
    assert list(reversed(store.keys())) == d.keys_back(keys[::-1])
    assert [d.read(v) for v in reversed(store.values())] == [d.value_back(v) for v in values[::-1]]
    assert [(k, d.read(v)) for k, v in reversed(store.items())] == list(d.expect(zip(keys, values)).items())[::-1]


@pytest.mark.pdict_requires(reversed="mapping_only")
@pytest.mark.parametrize("view", ["keys", "values", "items"])
def test_views_not_reversible_when_declared(harness, view):
    """With reversed='mapping_only', reversed() of a view raises TypeError, and reversed(store) works."""
    store, keys, _ = _filled(harness)
    with pytest.raises(TypeError):
        reversed(getattr(store, view)())
    assert sorted(map(repr, reversed(store))) == sorted(map(repr, harness.domain.keys_back(keys)))


@pytest.mark.pdict_requires(reversed=False)
def test_not_reversible_when_declared(harness):
    """With reversed=False, reversed(store) raises TypeError."""
    store, _, _ = _filled(harness)
    with pytest.raises(TypeError):
        reversed(store)


@pytest.mark.pdict_requires(ordering="sorted")
def test_sorted_iteration(harness):
    """With ordering='sorted', iteration follows the spec's order_key whatever the insertion order."""
    store, keys, _ = _filled(harness)
    want = sorted(harness.domain.keys_back(keys), key=harness.spec.order_key)
    assert list(store) == want
    assert [k for k, _ in store.items()] == want


@pytest.mark.pdict_requires(ordering="sorted", reversed=(True, "mapping_only"))
def test_sorted_reversed(harness):
    """With ordering='sorted', reversed() is the sorted order backwards."""
    store, keys, _ = _filled(harness)
    want = sorted(harness.domain.keys_back(keys), key=harness.spec.order_key, reverse=True)
    assert list(reversed(store)) == want


def test_views_pair_up(harness):
    """keys(), values() and items() walk one order, whatever the ordering: the i-th value
    and item belong to the i-th key."""
    d = harness.domain
    store, keys, values = _filled(harness)
    listed = list(store.keys())
    assert [d.read(v) for v in store.values()] == [d.read(store[k]) for k in listed]
    assert [(k, d.read(v)) for k, v in store.items()] == [(k, d.read(store[k])) for k in listed]
