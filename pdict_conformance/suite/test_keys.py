"""Key identity: which keys are one key, which are different, and what comes back.

Scenario: the contract's *Keys* clause.  dict treats keys that compare equal
as one key whatever their types (``1``, ``1.0``, ``True``), keeps the key
object first inserted, and never confuses look-alikes (``1`` and ``'1'``).
Values, and keys a test does not pick for their type, come from the declared
domain (``harness.domain``); ``numeric_key_equality``, ``key_comparison``,
``key_spelling``, ``forbidden_keys`` and ``nan_keys`` each have tests here.
"""

from __future__ import annotations

import math

import pytest

from pdict_conformance.domain import Token, key_pool
from pdict_conformance.models.dict_model import keyerror_carries, same_key

AREA = "keys"

numeric = pytest.mark.pdict_requires(key_types={"int", "float", "bool"})
#: dict's key equality: a store declaring either of these keeps equal numbers apart.
python_equality = pytest.mark.pdict_deviates(numeric_key_equality="distinct", key_comparison="serialised")


def _check(harness, store, key, value) -> None:
    assert harness.domain.same_value(store[key], value), f"{key!r}: got {store[key]!r}, stored {value!r}"


@numeric
@python_equality
def test_equal_numeric_keys_are_one_key(harness):
    """1, 1.0 and True set one after another leave one key holding the last value."""
    a, b, c = harness.domain.values(3)
    store = harness.new()
    store[1], store[1.0], store[True] = a, b, c
    assert harness.domain.size(store) == 1
    for key in (1, 1.0, True):
        _check(harness, store, key, c)


@numeric
@python_equality
def test_zero_false_and_negative_zero_are_one_key(harness):
    """0, 0.0, -0.0 and False are one key."""
    a, b, c = harness.domain.values(3)
    store = harness.new()
    store[0], store[-0.0], store[False] = a, b, c
    assert harness.domain.size(store) == 1
    _check(harness, store, 0.0, c)


@numeric
@python_equality
def test_equal_key_of_another_type_is_found(harness):
    """A key stored as True is found as 1 and 1.0, in ``in``, ``get`` and ``[]``."""
    value = harness.domain.value()
    store = harness.new()
    store[True] = value
    assert 1 in store and 1.0 in store
    assert harness.domain.same_value(store.get(1.0), value)
    del store[1.0]
    assert True not in store
    assert harness.domain.size(store) == 0


@numeric
@pytest.mark.pdict_requires(numeric_key_equality="python", key_comparison="equality", key_type_preserved=True)
def test_first_inserted_key_object_is_kept(harness):
    """Overwriting True with 1 keeps True as the key (dict keeps the first key object)."""
    a, b = harness.domain.values(2)
    store = harness.new()
    store[True], store[1], store[2.0], store[2] = a, b, a, b
    keys = list(store)
    assert len(keys) == 2
    one = next(k for k in keys if k == 1)
    two = next(k for k in keys if k == 2)
    assert same_key(one, True), f"key True came back as {one!r}"
    assert same_key(two, 2.0), f"key 2.0 came back as {two!r}"


@pytest.mark.pdict_requires(key_types={"int", "float", "bool"}, numeric_key_equality="distinct")
def test_distinct_numeric_keys_are_three_keys(harness):
    """With numeric_key_equality='distinct', 1, 1.0 and True are three keys, each with its value and type."""
    a, b, c = harness.domain.values(3)
    store = harness.new()
    store[1], store[1.0], store[True] = a, b, c
    assert harness.domain.size(store) == 3
    for key, value in ((1, a), (1.0, b), (True, c)):
        _check(harness, store, key, value)
    assert sorted(type(k).__name__ for k in store) == ["bool", "float", "int"]
    del store[1.0]
    assert 1 in store and True in store and 1.0 not in store


@pytest.mark.pdict_requires(key_types={"float"}, key_comparison="serialised")
def test_serialised_comparison_keeps_zero_and_negative_zero_apart(harness):
    """With key_comparison='serialised', 0.0 and -0.0 are two keys (their serialised forms differ)."""
    a, b = harness.domain.values(2)
    store = harness.new()
    store[0.0], store[-0.0] = a, b
    assert harness.domain.size(store) == 2
    _check(harness, store, 0.0, a)
    _check(harness, store, -0.0, b)
    assert sorted(math.copysign(1, k) for k in store) == [-1, 1]


@pytest.mark.pdict_requires(key_types={"tuple", "int", "float"}, key_comparison="serialised")
def test_serialised_comparison_keeps_equal_tuples_of_other_types_apart(harness):
    """With key_comparison='serialised', (1,) and (1.0,) are two keys."""
    a, b = harness.domain.values(2)
    store = harness.new()
    store[(1,)], store[(1.0,)] = a, b
    assert harness.domain.size(store) == 2
    _check(harness, store, (1,), a)
    _check(harness, store, (1.0,), b)


@pytest.mark.pdict_requires(key_type_preserved=True)
def test_every_pool_key_comes_back_with_its_type(harness):
    """Each tricky key of the domain, stored alone, iterates back as an equal key of the same
    type (as its declared spelling, for key_spelling='utf8_bytes')."""
    value = harness.domain.value()
    for key in key_pool(harness.caps):
        store = harness.new()
        store[key] = value
        (back,) = list(store)
        want = harness.domain.key_back(key)
        assert same_key(back, want), f"stored {key!r}, iteration gave {back!r}"
        harness.close(store)


@pytest.mark.pdict_requires(key_types={"str"}, key_spelling="utf8_bytes")
def test_str_keys_come_back_as_utf8_bytes(harness):
    """With key_spelling='utf8_bytes', a str key iterates back as its UTF-8 bytes, and is
    found by either spelling."""
    value = harness.domain.value()
    store = harness.new()
    store["é日本"] = value
    assert list(store) == ["é日本".encode()]
    assert "é日本" in store and "é日本".encode() in store
    _check(harness, store, "é日本".encode(), value)
    assert [k for k, _ in store.items()] == ["é日本".encode()]
    store["é日本".encode()] = value
    assert harness.domain.size(store) == 1


@pytest.mark.pdict_requires(key_types={"str", "int"})
def test_string_and_number_lookalikes_are_different_keys(harness):
    """'1' and 1 are two keys."""
    a, b = harness.domain.values(2)
    store = harness.new()
    store["1"], store[1] = a, b
    assert harness.domain.size(store) == 2
    _check(harness, store, "1", a)
    _check(harness, store, 1, b)


@pytest.mark.pdict_requires(key_types={"str", "none"})
def test_none_and_its_spellings_are_different_keys(harness):
    """None, 'None' and 'null' are three keys."""
    a, b, c = harness.domain.values(3)
    store = harness.new()
    store[None], store["None"], store["null"] = a, b, c
    assert harness.domain.size(store) == 3
    _check(harness, store, None, a)


@pytest.mark.pdict_requires(key_types={"str", "bool"})
def test_bool_and_its_spellings_are_different_keys(harness):
    """True, 'True' and 'true' are three keys, each iterating back as itself."""
    a, b, c = harness.domain.values(3)
    store = harness.new()
    store[True], store["True"], store["true"] = a, b, c
    want = harness.domain.keys_back([True, "True", "true"])
    assert sorted(map(repr, store)) == sorted(map(repr, want))


def test_empty_key_is_a_key(harness):
    """The empty str (or bytes) key is a key like any other, unless declared forbidden."""
    empty = "" if "str" in harness.caps.key_types else b"" if "bytes" in harness.caps.key_types else None
    if empty is None:
        pytest.skip("not applicable: key_types has neither str nor bytes")
    if "empty" in harness.caps.forbidden_keys:
        pytest.skip("not applicable: forbidden_keys={empty}")
    value = harness.domain.value()
    store = harness.new()
    store[empty] = value
    assert empty in store
    _check(harness, store, empty, value)
    assert list(store) == [harness.domain.key_back(empty)]


@pytest.mark.pdict_requires(forbidden_keys={"empty"})
def test_forbidden_empty_key_is_refused(harness):
    """With forbidden_keys={'empty'}, storing the empty key raises (ValueError, TypeError or
    KeyError) and writes nothing; looking it up finds nothing."""
    empties = [e for e, t in (("", "str"), (b"", "bytes")) if t in harness.caps.key_types]
    if not empties:
        pytest.skip("not applicable: key_types has neither str nor bytes")
    keep, value = harness.domain.key(), harness.domain.value()
    store = harness.new({keep: value})
    for empty in empties:
        with pytest.raises((ValueError, TypeError, KeyError)):
            store[empty] = value
        with pytest.raises((ValueError, TypeError, KeyError)):
            store.setdefault(empty, value)
        assert empty not in store
        assert store.get(empty, "absent") == "absent"
        with pytest.raises(KeyError):
            store[empty]
    assert list(store) == [harness.domain.key_back(keep)]


def test_unicode_keys_are_distinct(harness):
    """Composed and decomposed é, non-BMP characters, NUL and case are distinct keys
    (as str, or as their UTF-8 bytes for a bytes-keyed store)."""
    keys = ["é", "e\u0301", "日本", "\U0001f600", "a\x00b", "A", "a"]
    if "str" not in harness.caps.key_types:
        if "bytes" not in harness.caps.key_types:
            pytest.skip("not applicable: key_types has neither str nor bytes")
        keys = [k.encode() for k in keys]
    values = harness.domain.values(len(keys))
    store = harness.new()
    for k, v in zip(keys, values):
        store[k] = v
    assert harness.domain.size(store) == len(keys)
    for k, v in zip(keys, values):
        _check(harness, store, k, v)


@pytest.mark.pdict_requires(key_types={"int"})
def test_big_int_keys(harness):
    """Ints past 64 bits are exact keys: 2**64 and 2**64 + 1 are two keys."""
    keys = [2**64, 2**64 + 1, -(10**40)]
    values = harness.domain.values(3)
    store = harness.new()
    for k, v in zip(keys, values):
        store[k] = v
    for k, v in zip(keys, values):
        _check(harness, store, k, v)
    assert harness.domain.size(store) == 3


@pytest.mark.pdict_requires(key_types={"int", "float"}, numeric_key_equality="python", key_comparison="equality")
def test_big_float_and_int_equality(harness):
    """2.0**53 and 2**53 are one key; 2**53 + 1 is another (it is not equal to any float)."""
    a, b, c = harness.domain.values(3)
    store = harness.new()
    store[2.0**53], store[2**53], store[2**53 + 1] = a, b, c
    assert harness.domain.size(store) == 2
    _check(harness, store, 2.0**53, b)


@pytest.mark.pdict_requires(key_types={"tuple", "int", "str"})
def test_tuple_keys(harness):
    """Tuples are keys; (1, 'a') and ('a', 1) differ; nested tuples work."""
    keys = [(1, "a"), ("a", 1), ((1,), ())]
    values = harness.domain.values(3)
    store = harness.new()
    for k, v in zip(keys, values):
        store[k] = v
    for k, v in zip(keys, values):
        _check(harness, store, k, v)
    assert harness.domain.size(store) == 3


@pytest.mark.pdict_requires(key_types={"tuple", "int", "float", "bool", "str"})
@python_equality
def test_equal_tuples_of_different_types_are_one_key(harness):
    """(1, 'a'), (1.0, 'a') and (True, 'a') are one key."""
    a, b, c = harness.domain.values(3)
    store = harness.new()
    store[(1, "a")], store[(1.0, "a")], store[(True, "a")] = a, b, c
    assert harness.domain.size(store) == 1
    _check(harness, store, (1, "a"), c)


@pytest.mark.parametrize("key", [[], {}, {1}, ["a"]], ids=["list", "dict", "set", "list-of-str"])
def test_unhashable_key_raises_typeerror(harness, key):
    """An unhashable key raises TypeError for [], []=, in, get, del and pop, as in dict.
    (The store is not empty: dict.pop on an empty dict returns the default unhashed.)"""
    present, value = harness.domain.key(), harness.domain.value()
    store = harness.new({present: value})
    with pytest.raises(TypeError):
        store[key] = value
    with pytest.raises(TypeError):
        store[key]
    with pytest.raises(TypeError):
        key in store  # noqa: B015
    with pytest.raises(TypeError):
        store.get(key)
    with pytest.raises(TypeError):
        del store[key]
    with pytest.raises(TypeError):
        store.pop(key, None)
    assert list(store) == [harness.domain.key_back(present)]


@pytest.mark.pdict_requires(key_types={"object"})
def test_user_object_keys(harness):
    """Hashable user objects with value equality are keys."""
    value = harness.domain.value()
    store = harness.new()
    store[Token(1)] = value
    _check(harness, store, Token(1), value)
    assert Token(2) not in store


def test_key_outside_domain_is_absent(harness):
    """A hashable key of an undeclared type is simply absent: ``in`` is False, [] raises KeyError."""
    absent = [k for k in (b"bytes", Token(5), frozenset({"x"}), 1.5 + 2j) if not _declared(harness.caps, k)]
    if not absent:
        pytest.skip("not applicable: key_types declares every sampled key type")
    store = harness.new({harness.domain.key(): harness.domain.value()})
    for key in absent:
        assert key not in store
        assert store.get(key, "d") == "d"
        with pytest.raises(KeyError):
            store[key]


def _declared(caps, key) -> bool:
    if type(key) is bytes and caps.key_spelling == "utf8_bytes":
        return True  # the spelling of a str key, not outside the domain
    names = {bytes: "bytes", Token: "object", frozenset: "frozenset", complex: "object"}
    return names[type(key)] in caps.key_types


@pytest.mark.pdict_requires(key_types={"float"}, nan_keys="identity")
def test_nan_key_is_found_by_itself(harness):
    """With nan_keys='identity', a NaN key object is found again by itself, as in dict
    (which compares by identity first); another NaN object is another key."""
    a, b = harness.domain.values(2)
    nan = float("nan")
    store = harness.new()
    store[nan] = a
    assert nan in store
    _check(harness, store, nan, a)
    (back,) = list(store)
    assert math.isnan(back)
    del store[nan]
    assert harness.domain.size(store) == 0


@pytest.mark.parametrize("op", ["getitem", "delitem", "pop"])
def test_missing_key_error_carries_the_key(harness, op):
    """KeyError for a missing key has the key as its argument."""
    present, missing = harness.domain.keys(2)
    store = harness.new({present: harness.domain.value()})
    with pytest.raises(KeyError) as info:
        if op == "getitem":
            store[missing]
        elif op == "delitem":
            del store[missing]
        else:
            store.pop(missing)
    assert keyerror_carries(info.value, missing) or keyerror_carries(
        info.value, harness.domain.key_back(missing)
    ), repr(info.value)
