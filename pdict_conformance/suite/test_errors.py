"""Errors: the exception types (and arguments) dict raises, and no half-done change.

Scenario: code written against dict catches KeyError, TypeError and
ValueError; a store that raises its driver's exceptions instead, or writes
part of a failed update, breaks that code.
"""

from __future__ import annotations

import pytest

AREA = "errors"


def test_popitem_on_empty_raises_keyerror(store):
    """popitem() on an empty store raises KeyError."""
    with pytest.raises(KeyError):
        store.popitem()


def test_pop_missing_without_default_raises_keyerror(store):
    """pop(missing) raises KeyError; pop(missing, d) returns d."""
    with pytest.raises(KeyError):
        store.pop("nope")
    sentinel = object()
    assert store.pop("nope", sentinel) is sentinel


def test_get_missing_returns_default_object(store):
    """get(missing) is None; get(missing, d) returns d itself, not a copy."""
    assert store.get("nope") is None
    sentinel = object()
    assert store.get("nope", sentinel) is sentinel


def test_update_with_wrong_pair_length_raises_valueerror(harness):
    """update() with a 3-item element raises ValueError; the store then holds the pairs
    before the bad one (as dict) or none of them (an atomic update), never anything else."""
    store = harness.new(keep=1)
    with pytest.raises(ValueError):
        store.update([("a", 1), ("b", 2, 3)])
    assert dict(store.items()) in ({"keep": 1}, {"keep": 1, "a": 1})


def test_update_with_non_pair_raises_typeerror(store):
    """update() with an element that is not a sequence raises TypeError."""
    with pytest.raises(TypeError):
        store.update([1])


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
    store = harness.new(a=1)
    with pytest.raises(KeyError):
        store["missing"]
    with pytest.raises(TypeError):
        store[[1]] = 1
    store["b"] = 2
    assert dict(store.items()) == {"a": 1, "b": 2}


def test_keyerror_is_a_lookuperror(store):
    """A missing key's error can be caught as LookupError, as with dict."""
    with pytest.raises(LookupError):
        store["missing"]


def test_store_is_not_hashable(store):
    """A mutable mapping is unhashable, as dict is."""
    with pytest.raises(TypeError):
        hash(store)
