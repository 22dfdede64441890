"""Views: keys(), values() and items() are live, sized, and support set operations.

Scenario: dict's view objects (``collections.abc`` KeysView, ValuesView,
ItemsView behaviour): a view made before a change shows the change.  Keys and
values come from the declared domain (``harness.domain``).
"""

from __future__ import annotations

import pytest

AREA = "views"

sized = pytest.mark.pdict_requires(sized=True)


def test_views_are_live(harness):
    """A view taken before changes reflects them: size, membership and iteration."""
    d = harness.domain
    (a, b), (va, vb) = d.keys(2), d.hashable_values(2)
    store = harness.new()
    keys, values, items = store.keys(), store.values(), store.items()
    store[a] = va
    store[b] = vb
    if harness.caps.sized:
        assert len(keys) == len(values) == len(items) == 2
    assert a in keys and d.value_back(vb) in values and (b, vb) in items
    del store[a]
    assert list(keys) == d.keys_back([b])
    assert [d.read(v) for v in values] == [d.value_back(vb)]
    assert [(k, d.read(v)) for k, v in items] == [(d.key_back(b), d.value_back(vb))]
    store.clear()
    assert list(keys) == [] and list(items) == [] and list(values) == []
    if harness.caps.sized:
        assert len(keys) == len(values) == len(items) == 0


@sized
def test_keys_view_set_operations(harness):
    """keys() supports &, |, -, ^ and isdisjoint against sets, giving sets."""
    a, b, c, x, y = harness.domain.keys(5)
    a_, b_, c_ = harness.domain.keys_back([a, b, c])
    store = harness.new({a: harness.domain.value(), b: harness.domain.value(), c: harness.domain.value()})
    keys = store.keys()
    assert keys & {a_, x} == {a_}
    assert keys | {x} == {a_, b_, c_, x}
    assert keys - {a_} == {b_, c_}
    assert keys ^ {a_, x} == {b_, c_, x}
    assert {a_, x} & keys == {a_}
    assert keys.isdisjoint({x, y}) and not keys.isdisjoint({c_})


@sized
def test_keys_view_compares_as_set(harness):
    """keys() == a set of the same keys; <= and < work as for sets."""
    a, b, c = harness.domain.keys(3)
    a_, b_, c_ = harness.domain.keys_back([a, b, c])
    value = harness.domain.value()
    store = harness.new({a: value, b: value})
    assert store.keys() == {a_, b_}
    assert store.keys() <= {a_, b_, c_}
    assert store.keys() < {a_, b_, c_}
    assert not store.keys() == {a_}


@sized
def test_items_view_set_operations(harness):
    """items() with hashable values supports set operations over (key, value) pairs."""
    d = harness.domain
    (a, b), (v1, v2) = d.keys(2), d.hashable_values(2)
    a_, b_ = d.keys_back([a, b])
    store = harness.new({a: v1, b: v2})
    items = store.items()
    assert items & {(a_, v1), (a_, v2)} == {(a_, v1)}
    assert items - {(b_, v2)} == {(a_, v1)}
    assert items == {(a_, v1), (b_, v2)}


def test_items_membership_checks_value(harness):
    """(k, v) in items() is True only when k maps to v."""
    d = harness.domain
    (a, b), (v1, v2) = d.keys(2), d.hashable_values(2)
    store = harness.new({a: v1})
    assert (a, v1) in store.items()
    assert (a, v2) not in store.items()
    assert (b, v1) not in store.items()


def test_values_membership(harness):
    """v in values() is True when some key maps to v."""
    d = harness.domain
    (a, b), (v1, v2, v3) = d.keys(2), d.hashable_values(3)
    store = harness.new({a: v1, b: v2})
    assert v2 in store.values() and v1 in store.values() and v3 not in store.values()


def test_views_belong_to_their_own_store(harness):
    """Views of two stores each show their own store's items, not the other's."""
    d = harness.domain
    (a, b), (v1, v2) = d.keys(2), d.hashable_values(2)
    first = harness.new({a: v1})
    second = harness.new({b: v2})
    for store, key, value in ((first, a, v1), (second, b, v2)):
        assert list(store.keys()) == [d.key_back(key)]
        assert [d.read(v) for v in store.values()] == [d.value_back(value)]
        assert [(k, d.read(v)) for k, v in store.items()] == [(d.key_back(key), d.value_back(value))]
        if harness.caps.sized:
            assert len(store.keys()) == len(store.values()) == len(store.items()) == 1
