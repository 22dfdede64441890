"""Errors: the exception types (and arguments) dict raises, and no half-done change.

Scenario: code written against dict catches KeyError, TypeError and
ValueError; a store that raises its driver's exceptions instead, or writes
part of a failed update, breaks that code.  Keys and values come from the
declared domain (``harness.domain``).

update() follows dict's rule unless ``update_atomic=True``: pairs are applied
in order, so an error part-way leaves the pairs before it applied (or none of
them, for a store that validates first) and none after it.  With
``update_atomic=True``, a failing update() leaves the store unchanged.
"""

from __future__ import annotations

import pytest

AREA = "errors"


def test_popitem_on_empty_raises_keyerror(store):
    """popitem() on an empty store raises KeyError."""
    with pytest.raises(KeyError):
        store.popitem()


def test_pop_missing_without_default_raises_keyerror(harness):
    """pop(missing) raises KeyError; pop(missing, d) returns d."""
    store, missing = harness.new(), harness.domain.key()
    with pytest.raises(KeyError):
        store.pop(missing)
    sentinel = object()
    assert store.pop(missing, sentinel) is sentinel


def test_get_missing_returns_default_object(harness):
    """get(missing) is None; get(missing, d) returns d itself, not a copy."""
    store, missing = harness.new(), harness.domain.key()
    assert store.get(missing) is None
    sentinel = object()
    assert store.get(missing, sentinel) is sentinel


def _update_outcomes(harness, keep, old, before, good):
    """What a failed update([(before, good), <bad>, ...]) may leave."""
    d = harness.domain
    unchanged, prefix = d.expect({keep: old}), d.expect({keep: old, before: good})
    return [unchanged] if harness.caps.update_atomic else [unchanged, prefix]


@pytest.mark.parametrize("bad", [("b", 2, 3), ("b",)], ids=["three", "one"])
def test_update_with_wrong_pair_length_raises_valueerror(harness, bad):
    """update() with an element of the wrong length raises ValueError; the store then holds
    the pairs before the bad one (as dict) or none of them (a store that validates first, or
    an atomic update), never a pair after it."""
    d = harness.domain
    keep, before, after = d.keys(3)
    old, good = d.values(2)
    store = harness.new({keep: old})
    with pytest.raises(ValueError):
        store.update([(before, good), bad, (after, good)])
    assert d.contents(store) in _update_outcomes(harness, keep, old, before, good)


def test_update_with_non_pair_raises_typeerror(harness):
    """update() with an element that is not a sequence raises TypeError, writing nothing after it."""
    d = harness.domain
    keep, before, after = d.keys(3)
    old, good = d.values(2)
    store = harness.new({keep: old})
    with pytest.raises(TypeError):
        store.update([(before, good), 1, (after, good)])
    assert d.contents(store) in _update_outcomes(harness, keep, old, before, good)


def test_update_with_unhashable_key_raises_typeerror(harness):
    """update() with an unhashable key raises TypeError, writing nothing after it."""
    d = harness.domain
    keep, before, after = d.keys(3)
    old, good = d.values(2)
    store = harness.new({keep: old})
    with pytest.raises(TypeError):
        store.update([(before, good), ([1], good), (after, good)])
    assert d.contents(store) in _update_outcomes(harness, keep, old, before, good)


@pytest.mark.pdict_requires(update_atomic=True)
def test_atomic_update_writes_nothing_on_error(harness):
    """With update_atomic=True, an update() that fails at its last pair leaves the store unchanged,
    also for a mapping argument and for keywords."""
    d = harness.domain
    keep, *new = d.keys(5)
    old, good = d.values(2)
    store = harness.new({keep: old})
    with pytest.raises((TypeError, ValueError)):
        store.update([(k, good) for k in new] + [(1, 2, 3)])
    with pytest.raises(TypeError):
        store.update([(k, good) for k in new] + [([], good)])
    assert d.contents(store) == d.expect({keep: old})
    assert harness.domain.size(store) == 1


def test_update_with_too_many_arguments_raises_typeerror(store):
    """update(a, b) raises TypeError."""
    with pytest.raises(TypeError):
        store.update({}, {})


def test_wrong_arity_raises_typeerror(store):
    """get(), pop() and setdefault() with wrong arity raise TypeError."""
    with pytest.raises(TypeError):
        store.get()
    with pytest.raises(TypeError):
        store.pop()
    with pytest.raises(TypeError):
        store.setdefault()


def test_failed_operation_leaves_store_usable(harness):
    """After a KeyError and a TypeError, the store works as before."""
    d = harness.domain
    a, missing, b = d.keys(3)
    va, vb = d.values(2)
    store = harness.new({a: va})
    with pytest.raises(KeyError):
        store[missing]
    with pytest.raises(TypeError):
        store[[1]] = va
    store[b] = vb
    assert d.contents(store) == d.expect({a: va, b: vb})


def test_keyerror_is_a_lookuperror(harness):
    """A missing key's error can be caught as LookupError, as with dict."""
    store = harness.new()
    with pytest.raises(LookupError):
        store[harness.domain.key()]


def test_store_is_not_hashable(store):
    """A mutable mapping is unhashable, as dict is."""
    with pytest.raises(TypeError):
        hash(store)
