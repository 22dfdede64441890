"""Values: what is stored is what comes back, with no silent change of type.

Scenario: the contract's *Values* clause, per ``value_roundtrip`` and
``values_are_copies``.
"""

from __future__ import annotations

import pytest

from pdict_conformance.domain import Token, expected, same, value_samples

AREA = "values"


def test_every_sample_value_round_trips(harness):
    """Each sample value of the declared types reads back as its declared round trip, types included."""
    store = harness.new()
    samples = value_samples(harness.caps)
    for i, value in enumerate(samples):
        store[f"k{i}"] = value
    for i, value in enumerate(samples):
        got = store[f"k{i}"]
        assert same(got, expected(value, harness.caps)), f"stored {value!r}, got back {got!r}"


@pytest.mark.pdict_requires(value_types={"int", "float", "bool"})
def test_numbers_keep_their_type(store):
    """1, 1.0 and True stored as values come back as int, float and bool."""
    store["i"], store["f"], store["b"] = 1, 1.0, True
    assert type(store["i"]) is int and type(store["f"]) is float and type(store["b"]) is bool


@pytest.mark.pdict_requires(value_types={"int"})
def test_big_ints_are_exact(store):
    """Ints past 64 bits (and past float precision) come back exact."""
    for value in (2**64 + 1, -(2**127) - 3, 10**50 + 7, 2**53 + 1):
        store["v"] = value
        assert store["v"] == value and type(store["v"]) is int


@pytest.mark.pdict_requires(value_types={"float"})
def test_floats_are_exact(store):
    """Floats come back bit-exact, including -0.0, tiny, huge and infinite ones."""
    import math

    for value in (0.1, -0.0, 5e-324, 1.7976931348623157e308, float("inf"), float("-inf"), 1 / 3):
        store["v"] = value
        got = store["v"]
        assert got == value and math.copysign(1, got) == math.copysign(1, value), f"{value!r} -> {got!r}"


@pytest.mark.pdict_requires(value_types={"str"})
def test_strings_are_exact(store):
    """Strings come back exact: empty, NUL, non-BMP, lone surrogate, JSON look-alikes."""
    for value in ("", "a\x00b", "\U0001f600", "\ud800", "null", '{"a": 1}', "  x  ", "\r\n"):
        store["v"] = value
        assert store["v"] == value


@pytest.mark.pdict_requires(value_types={"list", "dict", "str", "int"})
def test_nested_containers_round_trip(store):
    """Nested lists and dicts (str keys) come back equal, with dict order kept."""
    value = {"z": [1, {"y": [], "a": "b"}], "a": {"n": [[[]]]}}
    store["v"] = value
    got = store["v"]
    assert same(got, value)
    assert list(got) == ["z", "a"]


@pytest.mark.pdict_requires(value_types={"tuple"}, value_roundtrip=("identity", "equal"))
def test_tuple_value_stays_tuple(store):
    """A tuple value comes back as a tuple."""
    store["t"] = (1, "a")
    assert type(store["t"]) is tuple


@pytest.mark.pdict_requires(value_types={"tuple", "list"}, value_roundtrip="json")
def test_json_tuple_value_comes_back_as_list(store):
    """With value_roundtrip='json', a tuple value comes back as a list (nested too), as declared."""
    store["t"] = (1, ("a", []))
    assert same(store["t"], [1, ["a", []]])


@pytest.mark.pdict_requires(value_types={"list"})
@pytest.mark.pdict_deviates(value_roundtrip=("equal", "json"))
def test_value_identity(store):
    """dict gives back the very object stored."""
    value = [1, 2]
    store["v"] = value
    assert store["v"] is value


@pytest.mark.pdict_requires(value_types={"list", "int"}, values_are_copies=False)
def test_stored_value_is_shared(store):
    """Without copies, mutating the stored object is visible through the mapping (dict)."""
    value = [1]
    store["v"] = value
    value.append(2)
    assert store["v"] == [1, 2]


@pytest.mark.pdict_requires(value_types={"list", "int"}, values_are_copies=True)
def test_stored_value_is_a_copy(store):
    """With copies, mutating the object after storing it, or a value read back, leaves the store unchanged."""
    value = [1]
    store["v"] = value
    value.append(2)
    assert store["v"] == [1]
    read = store["v"]
    read.append(3)
    assert store["v"] == [1]


def _unstorable(caps):
    out = []
    if "bytes" not in caps.value_types:
        out.append(b"raw")
    if "set" not in caps.value_types:
        out.append({1, 2})
    if "object" not in caps.value_types:
        out.append(Token(3))
        out.append(object())
    if "dict" in caps.value_types and caps.value_roundtrip == "json":
        out.append({1: "int key"})
    return out


def test_unstorable_value_raises_typeerror_and_writes_nothing(harness):
    """A value outside the declared types raises TypeError on [], setdefault and update, and nothing is written."""
    bad = _unstorable(harness.caps)
    if not bad:
        pytest.skip("not applicable: the backend accepts every value type")
    store = harness.new(keep="old")
    for value in bad:
        with pytest.raises(TypeError):
            store["new"] = value
        with pytest.raises(TypeError):
            store["keep"] = value
        with pytest.raises(TypeError):
            store.setdefault("new", value)
        with pytest.raises(TypeError):
            store.update({"a": 1, "b": value})
        with pytest.raises(TypeError):
            store.update([("a", 1), ("b", value)])
        assert dict(store.items()) == {"keep": "old"}, f"after failing to store {value!r}"
        assert len(store) == 1


def test_setdefault_with_unstorable_default_returns_existing(harness):
    """setdefault on an existing key returns its value without storing the default."""
    bad = _unstorable(harness.caps)
    if not bad:
        pytest.skip("not applicable: the backend accepts every value type")
    store = harness.new(k="v")
    assert store.setdefault("k", bad[0]) == "v"


@pytest.mark.pdict_requires(value_types={"none"})
def test_none_value_is_not_missing(store):
    """A key holding None is present: ``in`` is True, get returns None not the default."""
    store["n"] = None
    assert "n" in store
    assert store.get("n", "default") is None
    assert store.pop("n", "default") is None
    assert len(store) == 0
