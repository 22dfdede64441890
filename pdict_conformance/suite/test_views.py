"""Views: keys(), values() and items() are live, sized, and support set operations.

Scenario: dict's view objects (``collections.abc`` KeysView, ValuesView,
ItemsView behaviour): a view made before a change shows the change.
"""

from __future__ import annotations

AREA = "views"


def test_views_are_live(store):
    """A view taken before changes reflects them: len, membership and iteration."""
    keys, values, items = store.keys(), store.values(), store.items()
    store["a"] = 1
    store["b"] = 2
    assert len(keys) == len(values) == len(items) == 2
    assert "a" in keys and 2 in values and ("b", 2) in items
    del store["a"]
    assert sorted(keys) == ["b"] and list(values) == [2] and list(items) == [("b", 2)]
    store.clear()
    assert len(keys) == 0 and list(items) == []


def test_keys_view_set_operations(harness):
    """keys() supports &, |, -, ^ and isdisjoint against sets, giving sets."""
    store = harness.new(a=1, b=2, c=3)
    keys = store.keys()
    assert keys & {"a", "x"} == {"a"}
    assert keys | {"x"} == {"a", "b", "c", "x"}
    assert keys - {"a"} == {"b", "c"}
    assert keys ^ {"a", "x"} == {"b", "c", "x"}
    assert {"a", "x"} & keys == {"a"}
    assert keys.isdisjoint({"x", "y"}) and not keys.isdisjoint({"c"})


def test_keys_view_compares_as_set(harness):
    """keys() == a set of the same keys; <= and < work as for sets."""
    store = harness.new(a=1, b=2)
    assert store.keys() == {"a", "b"}
    assert store.keys() <= {"a", "b", "c"}
    assert store.keys() < {"a", "b", "c"}
    assert not store.keys() == {"a"}


def test_items_view_set_operations(harness):
    """items() with hashable values supports set operations over (key, value) pairs."""
    store = harness.new(a=1, b=2)
    items = store.items()
    assert items & {("a", 1), ("a", 2)} == {("a", 1)}
    assert items - {("b", 2)} == {("a", 1)}
    assert items == {("a", 1), ("b", 2)}


def test_items_membership_checks_value(harness):
    """(k, v) in items() is True only when k maps to v."""
    store = harness.new(a=1)
    assert ("a", 1) in store.items()
    assert ("a", 2) not in store.items()
    assert ("b", 1) not in store.items()


def test_values_membership(harness):
    """v in values() is True when some key maps to v."""
    store = harness.new(a=1, b="x")
    assert "x" in store.values() and 1 in store.values() and 2 not in store.values()


def test_view_mapping_attribute(harness):
    """Views built by the store iterate the same store (len and content agree with it)."""
    store = harness.new(a=1, b=2)
    for view in (store.keys(), store.values(), store.items()):
        assert len(view) == len(store)
        assert len(list(view)) == len(store)
