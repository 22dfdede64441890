"""Key identity: which keys are one key, which are different, and what comes back.

Scenario: the contract's *Keys* clause.  dict treats keys that compare equal
as one key whatever their types (``1``, ``1.0``, ``True``), keeps the key
object first inserted, and never confuses look-alikes (``1`` and ``'1'``).
"""

from __future__ import annotations

import pytest

from pdict_conformance.domain import Token, key_pool
from pdict_conformance.models.dict_model import keyerror_carries, same_key

AREA = "keys"

numeric = pytest.mark.pdict_requires(key_types={"int", "float", "bool"})


@numeric
@pytest.mark.pdict_deviates(numeric_key_equality="distinct")
def test_equal_numeric_keys_are_one_key(store):
    """1, 1.0 and True set one after another leave one key holding the last value."""
    store[1] = "int"
    store[1.0] = "float"
    store[True] = "bool"
    assert len(store) == 1
    assert store[1] == "bool"
    assert store[1.0] == "bool"
    assert store[True] == "bool"


@numeric
@pytest.mark.pdict_deviates(numeric_key_equality="distinct")
def test_zero_false_and_negative_zero_are_one_key(store):
    """0, 0.0, -0.0 and False are one key."""
    store[0] = "a"
    store[-0.0] = "b"
    store[False] = "c"
    assert len(store) == 1
    assert store[0.0] == "c"


@numeric
@pytest.mark.pdict_deviates(numeric_key_equality="distinct")
def test_equal_key_of_another_type_is_found(store):
    """A key stored as True is found as 1 and 1.0, in ``in``, ``get`` and ``[]``."""
    store[True] = "x"
    assert 1 in store and 1.0 in store
    assert store.get(1.0) == "x"
    del store[1.0]
    assert True not in store
    assert len(store) == 0


@numeric
@pytest.mark.pdict_requires(numeric_key_equality="python", key_type_preserved=True)
def test_first_inserted_key_object_is_kept(store):
    """Overwriting True with 1 keeps True as the key (dict keeps the first key object)."""
    store[True] = "a"
    store[1] = "b"
    store[2.0] = "c"
    store[2] = "d"
    keys = list(store)
    assert len(keys) == 2
    one = next(k for k in keys if k == 1)
    two = next(k for k in keys if k == 2)
    assert same_key(one, True), f"key True came back as {one!r}"
    assert same_key(two, 2.0), f"key 2.0 came back as {two!r}"


@pytest.mark.pdict_requires(key_type_preserved=True)
def test_every_pool_key_comes_back_with_its_type(harness):
    """Each tricky key of the domain, stored alone, iterates back as an equal key of the same type."""
    for key in key_pool(harness.caps):
        store = harness.new()
        store[key] = 1
        (back,) = list(store)
        assert same_key(back, key), f"stored {key!r}, iteration gave {back!r}"
        harness.close(store)


@pytest.mark.pdict_requires(key_types={"str", "int"})
def test_string_and_number_lookalikes_are_different_keys(store):
    """'1' and 1 are two keys."""
    store["1"] = "s"
    store[1] = "n"
    assert len(store) == 2
    assert store["1"] == "s" and store[1] == "n"


@pytest.mark.pdict_requires(key_types={"str", "none"})
def test_none_and_its_spellings_are_different_keys(store):
    """None, 'None' and 'null' are three keys."""
    store[None] = 0
    store["None"] = 1
    store["null"] = 2
    assert len(store) == 3
    assert store[None] == 0


@pytest.mark.pdict_requires(key_types={"str", "bool"})
def test_bool_and_its_spellings_are_different_keys(store):
    """True, 'True' and 'true' are three keys."""
    store[True] = 0
    store["True"] = 1
    store["true"] = 2
    assert sorted(map(repr, store)) == sorted(["True", "'True'", "'true'"])


def test_empty_string_is_a_key(store):
    """The empty string is a key like any other."""
    store[""] = "empty"
    assert "" in store and store[""] == "empty"
    assert list(store) == [""]


def test_unicode_keys_are_distinct(store):
    """Composed and decomposed é, and non-BMP characters, are distinct keys."""
    keys = ["é", "e\u0301", "日本", "\U0001f600", "a\x00b", "A", "a"]
    for i, k in enumerate(keys):
        store[k] = i
    assert len(store) == len(keys)
    assert [store[k] for k in keys] == list(range(len(keys)))


@pytest.mark.pdict_requires(key_types={"int"})
def test_big_int_keys(store):
    """Ints past 64 bits are exact keys: 2**64 and 2**64 + 1 are two keys."""
    store[2**64] = "a"
    store[2**64 + 1] = "b"
    store[-(10**40)] = "c"
    assert store[2**64] == "a" and store[2**64 + 1] == "b" and store[-(10**40)] == "c"
    assert len(store) == 3


@pytest.mark.pdict_requires(key_types={"int", "float"}, numeric_key_equality="python")
def test_big_float_and_int_equality(store):
    """2.0**53 and 2**53 are one key; 2**53 + 1 is another (it is not equal to any float)."""
    store[2.0**53] = "f"
    store[2**53] = "i"
    store[2**53 + 1] = "j"
    assert len(store) == 2
    assert store[2.0**53] == "i"


@pytest.mark.pdict_requires(key_types={"tuple", "int", "str"})
def test_tuple_keys(store):
    """Tuples are keys; (1, 'a') and ('a', 1) differ; nested tuples work."""
    store[(1, "a")] = 1
    store[("a", 1)] = 2
    store[((1,), ())] = 3
    assert store[(1, "a")] == 1 and store[("a", 1)] == 2 and store[((1,), ())] == 3
    assert len(store) == 3


@pytest.mark.pdict_requires(key_types={"tuple", "int", "float", "bool", "str"}, numeric_key_equality="python")
def test_equal_tuples_of_different_types_are_one_key(store):
    """(1, 'a'), (1.0, 'a') and (True, 'a') are one key."""
    store[(1, "a")] = 1
    store[(1.0, "a")] = 2
    store[(True, "a")] = 3
    assert len(store) == 1 and store[(1, "a")] == 3


@pytest.mark.parametrize("key", [[], {}, {1}, ["a"]], ids=["list", "dict", "set", "list-of-str"])
def test_unhashable_key_raises_typeerror(store, key):
    """An unhashable key raises TypeError for [], []=, in, get, del and pop, as in dict.
    (The store is not empty: dict.pop on an empty dict returns the default unhashed.)"""
    store["x"] = 1
    with pytest.raises(TypeError):
        store[key] = 1
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
    assert len(store) == 1


@pytest.mark.pdict_requires(key_types={"object"})
def test_user_object_keys(store):
    """Hashable user objects with value equality are keys."""
    store[Token(1)] = "a"
    assert store[Token(1)] == "a"
    assert Token(2) not in store


def test_key_outside_domain_is_absent(harness):
    """A hashable key of an undeclared type is simply absent: ``in`` is False, [] raises KeyError."""
    absent = [k for k in (b"bytes", Token(5), frozenset({"x"}), 1.5 + 2j) if not _declared(harness.caps, k)]
    if not absent:
        pytest.skip("not applicable: every sampled key type is declared")
    store = harness.new(a=1)
    for key in absent:
        assert key not in store
        assert store.get(key, "d") == "d"
        with pytest.raises(KeyError):
            store[key]


def _declared(caps, key) -> bool:
    names = {bytes: "bytes", Token: "object", frozenset: "frozenset", complex: "object"}
    return names[type(key)] in caps.key_types


@pytest.mark.parametrize("op", ["getitem", "delitem", "pop"])
def test_missing_key_error_carries_the_key(store, op):
    """KeyError for a missing key has the key as its argument."""
    store["present"] = 1
    with pytest.raises(KeyError) as info:
        if op == "getitem":
            store["missing"]
        elif op == "delitem":
            del store["missing"]
        else:
            store.pop("missing")
    assert keyerror_carries(info.value, "missing"), repr(info.value)
