"""Values: what is stored is what comes back, with no silent change of type.

Scenario: the contract's *Values* clause, per ``value_roundtrip``,
``values_are_copies`` and ``value_buffer``.  Keys come from the declared
domain (``harness.domain``); each test's values are of the types it names.
"""

from __future__ import annotations

import pytest

from pdict_conformance.domain import Token, expected, same, value_samples

AREA = "values"


def test_every_sample_value_round_trips(harness):
    """Each sample value of the declared types reads back as its declared round trip, types included."""
    store = harness.new()
    samples = value_samples(harness.caps)
    keys = harness.domain.keys(len(samples))
    for key, value in zip(keys, samples):
        store[key] = value
    for key, value in zip(keys, samples):
        got = store[key]
        assert harness.domain.same_value(got, value), f"stored {value!r}, got back {got!r}"


@pytest.mark.pdict_requires(value_types={"int", "float", "bool"})
def test_numbers_keep_their_type(harness):
    """1, 1.0 and True stored as values come back as int, float and bool."""
    i, f, b = harness.domain.keys(3)
    store = harness.new()
    store[i], store[f], store[b] = 1, 1.0, True
    assert type(store[i]) is int and type(store[f]) is float and type(store[b]) is bool


@pytest.mark.pdict_requires(value_types={"int"})
def test_big_ints_are_exact(harness):
    """Ints past 64 bits (and past float precision) come back exact."""
    store, v = harness.new(), harness.domain.key()
    for value in (2**64 + 1, -(2**127) - 3, 10**50 + 7, 2**53 + 1):
        store[v] = value
        assert store[v] == value and type(store[v]) is int


@pytest.mark.pdict_requires(value_types={"float"})
def test_floats_are_exact(harness):
    """Floats come back bit-exact, including -0.0, tiny, huge and infinite ones."""
    store, v = harness.new(), harness.domain.key()
    import math

    for value in (0.1, -0.0, 5e-324, 1.7976931348623157e308, float("inf"), float("-inf"), 1 / 3):
        store[v] = value
        got = store[v]
        assert got == value and math.copysign(1, got) == math.copysign(1, value), f"{value!r} -> {got!r}"


@pytest.mark.pdict_requires(value_types={"str"})
def test_strings_are_exact(harness):
    """Strings come back exact: empty, NUL, non-BMP, lone surrogate, JSON look-alikes."""
    store, v = harness.new(), harness.domain.key()
    for value in ("", "a\x00b", "\U0001f600", "\ud800", "null", '{"a": 1}', "  x  ", "\r\n"):
        store[v] = value
        assert store[v] == value


@pytest.mark.pdict_requires(value_types={"list", "dict", "str", "int"})
def test_nested_containers_round_trip(harness):
    """Nested lists and dicts (str keys) come back equal, with dict order kept."""
    store, v = harness.new(), harness.domain.key()
    value = {"z": [1, {"y": [], "a": "b"}], "a": {"n": [[[]]]}}
    store[v] = value
    got = store[v]
    assert harness.domain.same_value(got, value)
    assert list(got) == ["z", "a"]


@pytest.mark.pdict_requires(value_types={"tuple"}, value_roundtrip=("identity", "equal"))
def test_tuple_value_stays_tuple(harness):
    """A tuple value comes back as a tuple."""
    store, v = harness.new(), harness.domain.key()
    store[v] = (1, "a")
    assert type(store[v]) is tuple


@pytest.mark.pdict_requires(value_types={"tuple", "list"}, value_roundtrip="json")
def test_json_tuple_value_comes_back_as_list(harness):
    """With value_roundtrip='json', a tuple value comes back as a list (nested too), as declared."""
    store, v = harness.new(), harness.domain.key()
    store[v] = (1, ("a", []))
    assert same(store[v], [1, ["a", []]])


@pytest.mark.pdict_deviates(value_roundtrip=("equal", "json"))
def test_value_identity(harness):
    """dict gives back the very object stored (a list, or a str or bytes made at run time,
    which no cache of small objects can make identical by chance)."""
    made = {"list": [1, 2] if "int" in harness.caps.value_types else [[]],
            "str": "".join(["ident", "ity"]), "bytes": b"".join([b"ident", b"ity"])}
    value = next((v for name, v in made.items() if name in harness.caps.value_types), None)
    if value is None:
        pytest.skip("not applicable: value_types has no list, str or bytes")
    store, key = harness.new(), harness.domain.key()
    store[key] = value
    assert store[key] is value


@pytest.mark.pdict_requires(value_types={"list", "int"}, values_are_copies=False)
def test_stored_value_is_shared(harness):
    """Without copies, mutating the stored object is visible through the mapping (dict)."""
    store, v = harness.new(), harness.domain.key()
    value = [1]
    store[v] = value
    value.append(2)
    assert store[v] == [1, 2]


@pytest.mark.pdict_requires(value_types={"list", "int"}, values_are_copies=True)
def test_stored_value_is_a_copy(harness):
    """With copies, mutating the object after storing it, or a value read back, leaves the store unchanged."""
    store, v = harness.new(), harness.domain.key()
    value = [1]
    store[v] = value
    value.append(2)
    assert store[v] == [1]
    read = store[v]
    read.append(3)
    assert store[v] == [1]


def _unstorable(caps):
    """Values outside the declared types (the json domain is what json.dumps accepts)."""
    samples = {
        "none": [None], "int": [7], "float": [1.5], "str": ["s"], "bytes": [b"raw"], "list": [[]],
        "dict": [{}], "tuple": [()], "set": [{1, 2}], "object": [Token(3), object()],
    }
    return [v for name, values in samples.items() if name not in caps.value_types for v in values]


def test_unstorable_value_raises_typeerror_and_writes_nothing(harness):
    """A value outside the declared types raises TypeError on [] and setdefault, and nothing is written."""
    bad = _unstorable(harness.caps)
    if not bad:
        pytest.skip("not applicable: value_types declares every value type")
    d = harness.domain
    keep, new = d.keys(2)
    old = d.value()
    store = harness.new({keep: old})
    for value in bad:
        with pytest.raises(TypeError):
            store[new] = value
        with pytest.raises(TypeError):
            store[keep] = value
        with pytest.raises(TypeError):
            store.setdefault(new, value)
        assert d.contents(store) == d.expect({keep: old}), f"after failing to store {value!r}"


def test_update_with_unstorable_value_stops_there(harness):
    """update() meeting a value outside the domain raises TypeError; the pairs after it are
    not written, those before it are (dict's sequential update) or are not (a store that
    validates first); with update_atomic=True, none are."""
    bad = _unstorable(harness.caps)
    if not bad:
        pytest.skip("not applicable: value_types declares every value type")
    d = harness.domain
    keep, before, after = d.keys(3)
    old, good = d.values(2)
    store = harness.new({keep: old})
    unchanged, prefix = d.expect({keep: old}), d.expect({keep: old, before: good})
    allowed = [unchanged] if harness.caps.update_atomic else [unchanged, prefix]
    for value in bad[:3]:
        for argument in ({before: good, after: value}, [(before, good), (after, value)]):
            with pytest.raises(TypeError):
                store.update(argument)
            assert d.contents(store) in allowed, f"update({argument!r})"
            store.pop(before, None)
        with pytest.raises(TypeError):
            store.update([(after, value), (before, good)])
        assert d.contents(store) == unchanged, "a pair after the failing one was written"


def test_setdefault_with_unstorable_default_returns_existing(harness):
    """setdefault on an existing key returns its value without storing the default."""
    bad = _unstorable(harness.caps)
    if not bad:
        pytest.skip("not applicable: value_types declares every value type")
    key, value = harness.domain.key(), harness.domain.value()
    store = harness.new({key: value})
    assert harness.domain.same_value(store.setdefault(key, bad[0]), value)


@pytest.mark.pdict_requires(value_types={"dict", "str", "int"}, value_roundtrip="json")
def test_json_int_dict_keys_come_back_as_strings(harness):
    """With value_roundtrip='json', a dict value with int keys is stored, and comes back
    with str keys, as json.loads(json.dumps(value)) does."""
    key = harness.domain.key()
    store = harness.new()
    store[key] = {1: "int key", "s": [1]}
    assert harness.domain.same_value(store[key], {1: "int key", "s": [1]})
    assert store[key] == {"1": "int key", "s": [1]}


@pytest.mark.pdict_requires(value_types={"bytes"}, value_buffer="bytes")
def test_bytes_values_come_back_as_bytes(harness):
    """With value_buffer='bytes' (dict's), a bytes value comes back as bytes, not another buffer type."""
    key = harness.domain.key()
    store = harness.new()
    for value in (b"", b"\x00\xff", b"abc" * 100):
        store[key] = value
        got = store[key]
        assert type(got) is bytes and got == value, f"stored {value!r}, got {got!r}"


@pytest.mark.pdict_requires(value_types={"bytes"}, value_buffer="bytes_like")
def test_bytes_like_values_hold_the_same_bytes(harness):
    """With value_buffer='bytes_like', a bytes value comes back as a buffer (bytes, bytearray,
    memoryview, ...) holding exactly the same bytes."""
    key = harness.domain.key()
    store = harness.new()
    for value in (b"", b"\x00\xff", b"abc" * 100):
        store[key] = value
        got = store[key]
        try:
            held = memoryview(got).tobytes()
        except TypeError:
            raise AssertionError(f"stored {value!r}, got {got!r}, which is not a buffer") from None
        assert held == value, f"stored {value!r}, got a buffer holding {held!r}"


@pytest.mark.pdict_requires(value_types={"none"})
def test_none_value_is_not_missing(harness):
    """A key holding None is present: ``in`` is True, get returns None not the default."""
    store, v = harness.new(), harness.domain.key()
    store[v] = None
    assert v in store
    assert store.get(v, "default") is None
    assert store.pop(v, "default") is None
    assert harness.domain.size(store) == 0
