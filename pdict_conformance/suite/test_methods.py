"""dict's methods beyond item access: equality, copy, fromkeys, |, |=, setdefault, get.

Scenario: each method's documented dict behaviour, one aspect per test, so a
certificate shows which method is off.  Keys and values come from the declared
domain (``harness.domain``).  For a mapping class, ``fromkeys`` is the class's
own classmethod; for a spec, the spec's ``fromkeys``.
"""

from __future__ import annotations

import pytest

AREA = "methods"


def test_equality_compares_values(harness):
    """A store equals a dict with the same items, and not one with the same keys but another value."""
    d = harness.domain
    (a, b, c), (v1, v2, v3) = d.keys(3), d.hashable_values(3)
    store = harness.new({a: v1, b: v2})
    a_, b_, c_ = d.keys_back([a, b, c])
    back1, back2 = d.value_back(v1), d.value_back(v2)
    assert store == {a_: back1, b_: back2}
    assert store != {a_: back1, b_: d.value_back(v3)}
    assert not store == {a_: back2, b_: back2}
    assert store != {a_: back1}
    assert store != {a_: back1, b_: back2, c_: back1}


def test_equality_ignores_order(harness):
    """Equality does not depend on insertion order."""
    d = harness.domain
    (a, b), (v1, v2) = d.keys(2), d.hashable_values(2)
    store = harness.new([(a, v1), (b, v2)])
    assert store == {d.key_back(b): d.value_back(v2), d.key_back(a): d.value_back(v1)}


def test_equality_with_non_mapping_is_false(store):
    """A store is not equal to a list or None."""
    assert store != []
    assert store != None  # noqa: E711


def test_get_present_and_missing(harness):
    """get returns the value for a present key, None or the default for a missing one."""
    d = harness.domain
    (a, b), (v1, v2) = d.keys(2), d.values(2)
    store = harness.new({a: v1})
    assert d.same_value(store.get(a), v1) and d.same_value(store.get(a, v2), v1)
    assert store.get(b) is None and store.get(b, v2) is v2


def test_setdefault_present_keeps_value(harness):
    """setdefault on a present key returns its value and writes nothing."""
    d = harness.domain
    a, (v1, v2) = d.key(), d.values(2)
    store = harness.new({a: v1})
    assert d.same_value(store.setdefault(a, v2), v1)
    assert d.same_value(store[a], v1) and d.size(store) == 1


def test_setdefault_missing_inserts(harness):
    """setdefault on a missing key stores the default and returns the default object itself, as dict does."""
    d = harness.domain
    a, v = d.key(), d.value()
    store = harness.new()
    assert store.setdefault(a, v) is v
    assert d.contents(store) == d.expect({a: v})


@pytest.mark.pdict_requires(value_types={"none"})
def test_setdefault_default_is_none(harness):
    """setdefault(missing) stores and returns None."""
    a = harness.domain.key()
    store = harness.new()
    assert store.setdefault(a) is None
    assert a in store and store[a] is None


@pytest.mark.pdict_requires(copy=("same_type", "dict"))
def test_copy_is_independent(harness):
    """copy() has the same items, and changes to either side do not show in the other."""
    d = harness.domain
    (a, b, c, z), (v1, v2) = d.keys(4), d.values(2)
    store = harness.new({a: v1, b: v2})
    snapshot = store.copy()
    try:
        assert d.contents(snapshot) == d.expect({a: v1, b: v2})
        store[c] = v1
        del store[a]
        assert d.contents(snapshot) == d.expect({a: v1, b: v2})
        snapshot[z] = v2
        assert z not in store
    finally:
        if snapshot is not store and not isinstance(snapshot, dict):
            harness.spec.close(snapshot)


@pytest.mark.pdict_requires(copy="same_type")
def test_copy_is_of_the_same_type(harness):
    """With copy='same_type', copy() is a store of the store's own type."""
    store = harness.new({harness.domain.key(): harness.domain.value()})
    snapshot = store.copy()
    try:
        assert type(snapshot) is type(store)
    finally:
        if snapshot is not store and not isinstance(snapshot, dict):
            harness.spec.close(snapshot)


@pytest.mark.pdict_requires(fromkeys=True)
def test_fromkeys_sets_every_key_to_the_value(harness):
    """fromkeys(keys, value) maps every key to value, in key order, duplicates once."""
    d = harness.domain
    (a, b, c), v = d.keys(3), d.value()
    store = harness.fromkeys([a, b, a, c], v)
    assert d.contents(store) == d.expect({a: v, b: v, c: v})
    assert d.size(store) == 3


@pytest.mark.pdict_requires(fromkeys=True, value_types={"none"})
def test_fromkeys_default_is_none(harness):
    """fromkeys(keys) maps every key to None."""
    d = harness.domain
    a, b = d.keys(2)
    assert d.contents(harness.fromkeys([a, b])) == d.expect({a: None, b: None})


@pytest.mark.pdict_requires(operators=True)
def test_or_merges_without_changing_the_store(harness):
    """store | other has both sides' items, other winning; the store is unchanged."""
    d = harness.domain
    (a, b, c), (v1, v2, v3, v4) = d.keys(3), d.values(4)
    store = harness.new({a: v1, b: v2})
    merged = store | {b: v3, c: v4}
    assert d.contents(merged) == d.expect({a: v1, b: v3, c: v4})
    assert d.contents(store) == d.expect({a: v1, b: v2})
    reverse = {b: v3, c: v4} | store
    assert d.contents(reverse) == d.expect({a: v1, b: v2, c: v4})


@pytest.mark.pdict_requires(operators=True)
def test_ior_updates_in_place_and_returns_the_store(harness):
    """store |= other updates the store itself (the same object) with other's items."""
    d = harness.domain
    (a, b, c), (v1, v2, v3) = d.keys(3), d.values(3)
    store = harness.new({a: v1})
    before = store
    store |= {a: v2, b: v3}
    assert store is before
    assert d.contents(store) == d.expect({a: v2, b: v3})
    store |= [(c, v1)]
    assert d.same_value(store[c], v1)


@pytest.mark.pdict_requires(operators=True)
def test_or_with_non_mapping_raises_typeerror(harness):
    """store | a list raises TypeError."""
    store = harness.new()
    with pytest.raises(TypeError):
        store | [(harness.domain.key(), harness.domain.value())]


@pytest.mark.pdict_requires(sized=True)
def test_len_counts_keys(harness):
    """len() is the number of keys, through inserts, overwrites and deletes; bool() follows it."""
    d = harness.domain
    (a, b), (v1, v2) = d.keys(2), d.values(2)
    store = harness.new()
    assert len(store) == 0 and not store
    store[a], store[b], store[a] = v1, v2, v2
    assert len(store) == 2 and store
    del store[a]
    assert len(store) == 1


@pytest.mark.pdict_requires(sized=False)
def test_unsized_store_len_raises_typeerror(harness):
    """With sized=False, len() raises TypeError (never a wrong count), and iteration still
    yields every key."""
    d = harness.domain
    keys, v = d.keys(3), d.value()
    store = harness.new({k: v for k in keys})
    with pytest.raises(TypeError):
        len(store)
    assert sorted(map(repr, store)) == sorted(map(repr, d.keys_back(keys)))


@pytest.mark.pdict_requires(dict_repr=True)
def test_repr_is_dicts(harness):
    """repr(store) is repr of the equal dict, and so are its views' reprs."""
    d = harness.domain
    (a, b), (v1, v2) = d.keys(2), d.values(2)
    store = harness.new({a: v1, b: v2})
    plain = dict(store.items())
    assert repr(store) == repr(plain)
    assert repr(store.keys()) == repr(plain.keys())
    assert repr(store.items()) == repr(plain.items())
