"""Data and helper objects shared by the ported CPython dict tests."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

import pytest

#: The marker every module of this package applies: keys and values are str
#: unless a test says otherwise with its own ``pdict_requires``, and str keys
#: come back as str (CPython's tests compare iterated keys with str literals).
STR_DOMAIN = pytest.mark.pdict_requires(key_types={"str"}, value_types={"str"}, key_spelling="as_written")
#: For tests that call len(), directly or through a view's set comparison.
SIZED = pytest.mark.pdict_requires(sized=True)
#: For tests of dict's use of __eq__ and __hash__ (keys with their own equality).
KEY_EQUALITY = pytest.mark.pdict_requires(key_comparison="equality")

# mapping_tests.BasicTestMappingProtocol: ``_reference()`` and what ``__init__``
# derives from it (two popitem() calls, the second pair put back).
#: A pair not in the mapping (its value is a tuple, as in CPython).
OTHER: dict[str, Any] = {"key2": (1, 2, 3)}
#: A pair in the mapping.
INMAPPING: dict[str, Any] = {"key1": "value1"}
#: The mapping's contents.
REFERENCE: dict[str, Any] = {"1": "2", "key1": "value1"}

OTHER_KEY, OTHER_VALUE = next(iter(OTHER.items()))
INMAPPING_KEY, INMAPPING_VALUE = next(iter(INMAPPING.items()))


def filled(harness: Any, data: Mapping[Any, Any]) -> MutableMapping:
    """A fresh store filled one ``__setitem__`` at a time (mapping_tests' ``_full_mapping``)."""
    store = harness.new()
    for key, value in data.items():
        store[key] = value
    return store


def copy_of(request: pytest.FixtureRequest, store: MutableMapping) -> Any:
    """``store.copy()``; a copy that is itself a store (has ``close``) is closed
    when the test ends."""
    result = store.copy()
    close = getattr(result, "close", None)
    if result is not store and callable(close):
        request.addfinalizer(close)
    return result


class Boom(Exception):
    """The exception the helper objects below raise (CPython's ``Exc``)."""


class HashFailsLater:
    """Hashes to 42 until ``fail`` is set; then ``hash()`` raises Boom (CPython's ``BadHash``)."""

    fail = False

    def __hash__(self) -> int:
        if self.fail:
            raise Boom()
        return 42


class EqRaises:
    """Any ``==`` raises Boom; the hash is fixed (CPython's ``BadEq``/``BadCmp``)."""

    def __init__(self, hash_value: int = 24):
        self.hash_value = hash_value

    def __eq__(self, other: object) -> bool:
        raise Boom()

    def __hash__(self) -> int:
        return self.hash_value


class KeysAndGetitem:
    """Only ``keys()`` and ``__getitem__`` over ``data`` (CPython's ``SimpleUserDict``)."""

    def __init__(self, data: Mapping[Any, Any]):
        self.data = data

    def keys(self) -> Any:
        return self.data.keys()

    def __getitem__(self, key: Any) -> Any:
        return self.data[key]


class KeysRaise:
    """``keys()`` raises Boom."""

    def keys(self) -> Any:
        raise Boom()


class KeysIteratorRaises:
    """``keys()`` yields ``'a'`` then raises Boom; ``self[k]`` is ``k``."""

    def keys(self) -> Any:
        yield "a"
        raise Boom()

    def __getitem__(self, key: Any) -> Any:
        return key


class GetitemRaises:
    """``keys()`` yields ``'a'`` .. ``'z'``; ``__getitem__`` raises Boom."""

    def keys(self) -> Any:
        return iter("abcdefghijklmnopqrstuvwxyz")

    def __getitem__(self, key: Any) -> Any:
        raise Boom()


class IteratorRaises:
    """An iterator whose ``__next__`` raises Boom (CPython's ``badseq``/``BadSeq``)."""

    def __iter__(self) -> "IteratorRaises":
        return self

    def __next__(self) -> Any:
        raise Boom()
