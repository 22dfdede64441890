"""pdict_conformance.compare: the kit's one comparison of values and keys."""

from __future__ import annotations

import math

import pytest

from pdict_conformance import Capabilities
from pdict_conformance.compare import key_identity, keyerror_carries, same, spelled, value_matches
from pdict_conformance.domain import same as domain_same

NAN = math.nan


@pytest.mark.parametrize("a, b", [
    (1, 1), (-0.0, -0.0), (NAN, float("nan")), ("é", "é"), (b"x", b"x"), (None, None),
    ([1, (2, "a")], [1, (2, "a")]),
    ({"a": 1, "b": [2]}, {"b": [2], "a": 1}),  # dicts in any order, as dict equality
    ({1, "a"}, {"a", 1}), (frozenset({(1, 2)}), frozenset({(1, 2)})),
])
def test_same_values(a, b):
    assert same(a, b) and same(b, a)


@pytest.mark.parametrize("a, b", [
    (1, 1.0), (1, True), (0.0, -0.0), ((1,), [1]), ([1], [1.0]), ({"a": 1}, {"a": 1.0}),
    ({1: "x"}, {1.0: "x"}), ({1}, {1.0}), ({"a": 1}, {"a": 1, "b": 2}), (b"x", bytearray(b"x")),
    ("1", 1), (None, "null"), ([1, 2], [2, 1]),
])
def test_different_values(a, b):
    assert not same(a, b) and not same(b, a)


def test_domain_same_is_the_one_comparison():
    assert domain_same({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not domain_same(0.0, -0.0)


def test_bytes_like_values():
    caps = Capabilities.validate({"value_buffer": "bytes_like"})
    for got in (b"ab", bytearray(b"ab"), memoryview(b"ab")):
        assert value_matches(got, b"ab", caps)
        assert value_matches([got], [b"ab"], caps)
    assert not value_matches("ab", b"ab", caps)
    assert not value_matches(bytearray(b"ab"), b"ab", Capabilities.of_dict())


def test_key_identity_follows_the_declaration():
    python = Capabilities.of_dict()
    assert len({key_identity(k, python) for k in (1, 1.0, True)}) == 1
    distinct = Capabilities.validate({"numeric_key_equality": "distinct"})
    assert len({key_identity(k, distinct) for k in (1, 1.0, True)}) == 3
    assert key_identity((1,), distinct) != key_identity((1.0,), distinct)
    assert key_identity(0.0, distinct) == key_identity(-0.0, distinct)
    serialised = Capabilities.validate({"key_comparison": "serialised", "numeric_key_equality": "distinct"})
    assert key_identity(0.0, serialised) != key_identity(-0.0, serialised)
    utf8 = Capabilities.validate({"key_spelling": "utf8_bytes", "key_types": {"str", "bytes"}})
    assert key_identity("é", utf8) == key_identity("é".encode(), utf8)
    assert spelled("é", utf8) == "é".encode() and spelled("é", python) == "é"


def test_keyerror_carries_the_key():
    caps = Capabilities.of_dict()
    assert keyerror_carries(KeyError("a"), "a", caps)
    assert not keyerror_carries(KeyError(), "a", caps)
    assert not keyerror_carries(KeyError(1.0), 1, caps)
    assert keyerror_carries(KeyError(), None, caps)  # OrderedDict.pop's quirk
    assert keyerror_carries(KeyError(1, 2), (1, 2), caps)
    utf8 = Capabilities.validate({"key_spelling": "utf8_bytes", "key_types": {"str"}})
    assert keyerror_carries(KeyError(b"a"), "a", utf8)
