"""CPython 3.13.0 ``Lib/test/test_dict.py``, class ``DictTest``, ported to the kit.

Each test mirrors one ``DictTest`` method, or one part of it
(``test_<method>__<part>``), named by its ``cpython`` marker.  Where a
``mapping_tests`` method checks the same scenario, the marker names it too and
there is no second copy in ``test_mapping_protocol.py``.

Adaptations, the same throughout:

* Keys and values are ``str`` unless the test is about another type: the module
  requires ``key_types={"str"}`` and ``value_types={"str"}``, and a test that
  needs more says so in its own ``pdict_requires``.  CPython's small ints
  become strings (``{1: 1, 2: 2}`` is ``{"1": "1", "2": "2"}``).
* ``{...}`` and ``dict(...)`` under test become ``harness.new(...)``,
  ``dict.fromkeys`` becomes ``harness.fromkeys``.
* Random data comes from a seeded ``random.Random``: a failure repeats.
* Loops that dict ends with an error are bounded, so a wrong backend fails
  instead of hanging.
"""

from __future__ import annotations

import random
import string
import sys

import pytest

from ._helpers import (
    STR_DOMAIN,
    KEY_EQUALITY,
    SIZED,
    Boom,
    EqRaises,
    GetitemRaises,
    HashFailsLater,
    IteratorRaises,
    KeysAndGetitem,
    KeysIteratorRaises,
    KeysRaise,
    copy_of,
)

pytestmark = [pytest.mark.pdict_area("cpython: test_dict"), STR_DOMAIN]

OBJECT_KEYS = {"object"}


# -- construction -------------------------------------------------------------


class _DictSubclass(dict):
    """A dict subclass, used only as the source of ``**`` arguments."""


@pytest.mark.cpython("test_dict.DictTest.test_invalid_keyword_arguments")
@SIZED
def test_invalid_keyword_arguments(store):
    """``store.update(**m)`` where m has a non-str key raises TypeError (dict), or stores the
    key exactly as given (OrderedDict's update does not check); it never stores another key."""
    for invalid in ({1: "2"}, _DictSubclass({1: "2"})):
        try:
            store.update(**invalid)
        except TypeError:
            assert len(store) == 0
        else:
            assert list(store.items()) == [(1, "2")], "a non-str keyword key was changed"
            assert type(next(iter(store))) is int
            store.clear()


@pytest.mark.cpython(
    "test_dict.DictTest.test_constructor", "mapping_tests.TestMappingProtocol.test_constructor"
)
def test_constructor(harness):
    """A store made without arguments equals {} and is a new object each time."""
    first, second = harness.new(), harness.new()
    assert first == {}
    assert first is not second


@pytest.mark.cpython("test_dict.DictTest.test_literal_constructor")
@pytest.mark.parametrize("n", [0, 1, 6, 256, 400])
def test_literal_constructor(harness, n):
    """A store built from n shuffled (random key, value) pairs equals dict of those pairs."""
    rng = random.Random(n)
    items = [("".join(rng.sample(string.ascii_letters, 8)), str(i)) for i in range(n)]
    rng.shuffle(items)
    assert harness.new(items) == dict(items)


# -- | and |= ----------------------------------------------------------------

MERGE_A = {"0": "0", "1": "1", "2": "1"}
MERGE_B = {"1": "1", "2": "2", "3": "3"}


@pytest.mark.cpython("test_dict.DictTest.test_merge_operator")
@pytest.mark.pdict_requires(operators=True)
def test_merge_operator__or(harness):
    """``a | b`` holds a's items updated by b's, both ways round."""
    a, b = harness.new(MERGE_A), harness.new(MERGE_B)
    assert a | b == {"0": "0", "1": "1", "2": "2", "3": "3"}
    assert b | a == {"1": "1", "2": "1", "3": "3", "0": "0"}


@pytest.mark.cpython("test_dict.DictTest.test_merge_operator")
@pytest.mark.pdict_requires(operators=True)
def test_merge_operator__ior_mapping(harness):
    """``c |= mapping`` updates c in place, both ways round."""
    c = harness.new(MERGE_A)
    c |= harness.new(MERGE_B)
    assert c == {"0": "0", "1": "1", "2": "2", "3": "3"}
    c = harness.new(MERGE_B)
    c |= harness.new(MERGE_A)
    assert c == {"1": "1", "2": "1", "3": "3", "0": "0"}


@pytest.mark.cpython("test_dict.DictTest.test_merge_operator")
@pytest.mark.pdict_requires(operators=True)
def test_merge_operator__ior_pairs(harness):
    """``c |= [(k, v), ...]`` takes an iterable of pairs, as update does."""
    c = harness.new(MERGE_A)
    c |= [("1", "1"), ("2", "2"), ("3", "3")]
    assert c == {"0": "0", "1": "1", "2": "2", "3": "3"}


@pytest.mark.cpython("test_dict.DictTest.test_merge_operator")
@pytest.mark.pdict_requires(operators=True)
def test_merge_operator__or_not_implemented(harness):
    """``a.__or__(x)`` returns NotImplemented when x is not a mapping (None, (), str)."""
    a = harness.new(MERGE_A)
    for other in (None, (), "BAD", ""):
        assert a.__or__(other) is NotImplemented


@pytest.mark.cpython("test_dict.DictTest.test_merge_operator")
@pytest.mark.pdict_requires(operators=True)
def test_merge_operator__ior_bad_arguments(harness):
    """``a.__ior__(None)`` raises TypeError; ``a.__ior__("BAD")`` raises ValueError (pairs of length 1)."""
    a = harness.new(MERGE_A)
    with pytest.raises(TypeError):
        a.__ior__(None)
    with pytest.raises(ValueError):
        a.__ior__("BAD")


@pytest.mark.cpython("test_dict.DictTest.test_merge_operator")
@pytest.mark.pdict_requires(operators=True)
def test_merge_operator__ior_empty_iterables(harness):
    """``a.__ior__(())`` and ``a.__ior__("")`` change nothing and return the store's contents."""
    a = harness.new(MERGE_A)
    assert a.__ior__(()) == MERGE_A
    assert a.__ior__("") == MERGE_A


# -- truth, views, membership, size --------------------------------------------


@pytest.mark.cpython(
    "test_dict.DictTest.test_bool",
    "mapping_tests.BasicTestMappingProtocol.test_bool",
    "mapping_tests.TestMappingProtocol.test_bool",
)
def test_bool__empty(store):
    """An empty store is false."""
    assert (not store) is True
    assert bool(store) is False


@pytest.mark.cpython("test_dict.DictTest.test_bool", "mapping_tests.TestMappingProtocol.test_bool")
def test_bool__nonempty(harness):
    """A store with one item is true."""
    store = harness.new({"1": "2"})
    assert store
    assert bool(store) is True


@pytest.mark.cpython(
    "test_dict.DictTest.test_keys",
    "mapping_tests.BasicTestMappingProtocol.test_keys",
    "mapping_tests.TestMappingProtocol.test_keys",
)
def test_keys__empty(store):
    """The keys of an empty store are none."""
    assert set(store.keys()) == set()
    assert list(store.keys()) == []


@pytest.mark.cpython("test_dict.DictTest.test_keys")
def test_keys__contents(harness):
    """keys() holds exactly the keys, and both the view and the store contain them."""
    store = harness.new({"a": "1", "b": "2"})
    keys = store.keys()
    assert set(keys) == {"a", "b"}
    assert "a" in keys
    assert "b" in keys
    assert "a" in store
    assert "b" in store


@pytest.mark.cpython("test_dict.DictTest.test_keys", "mapping_tests.BasicTestMappingProtocol.test_keys")
def test_keys__bad_arguments(harness):
    """keys(None) raises TypeError."""
    store = harness.new({"a": "1", "b": "2"})
    with pytest.raises(TypeError):
        store.keys(None)


@pytest.mark.cpython("test_dict.DictTest.test_keys")
@pytest.mark.pdict_requires(dict_repr=True)
def test_keys__repr(harness):
    """repr of the keys view is dict's: ``dict_keys(['a'])``."""
    assert repr(harness.new(a="1").keys()) == "dict_keys(['a'])"


@pytest.mark.cpython(
    "test_dict.DictTest.test_values", "mapping_tests.BasicTestMappingProtocol.test_values"
)
def test_values__empty(store):
    """The values of an empty store are none."""
    assert set(store.values()) == set()
    assert list(store.values()) == []


@pytest.mark.cpython("test_dict.DictTest.test_values", "mapping_tests.TestMappingProtocol.test_values")
def test_values__contents(harness):
    """values() of a one-item store holds that value."""
    store = harness.new({"1": "2"})
    assert set(store.values()) == {"2"}
    assert list(store.values()) == ["2"]


@pytest.mark.cpython(
    "test_dict.DictTest.test_values", "mapping_tests.BasicTestMappingProtocol.test_values"
)
def test_values__bad_arguments(harness):
    """values(None) raises TypeError."""
    store = harness.new({"1": "2"})
    with pytest.raises(TypeError):
        store.values(None)


@pytest.mark.cpython("test_dict.DictTest.test_values")
@pytest.mark.pdict_requires(dict_repr=True)
def test_values__repr(harness):
    """repr of the values view is dict's: ``dict_values(['1'])``."""
    assert repr(harness.new(a="1").values()) == "dict_values(['1'])"


@pytest.mark.cpython(
    "test_dict.DictTest.test_items", "mapping_tests.BasicTestMappingProtocol.test_items"
)
def test_items__empty(store):
    """The items of an empty store are none."""
    assert set(store.items()) == set()
    assert list(store.items()) == []


@pytest.mark.cpython("test_dict.DictTest.test_items", "mapping_tests.TestMappingProtocol.test_items")
def test_items__contents(harness):
    """items() of a one-item store holds that (key, value) pair."""
    store = harness.new({"1": "2"})
    assert set(store.items()) == {("1", "2")}
    assert list(store.items()) == [("1", "2")]


@pytest.mark.cpython(
    "test_dict.DictTest.test_items", "mapping_tests.BasicTestMappingProtocol.test_items"
)
def test_items__bad_arguments(harness):
    """items(None) raises TypeError."""
    store = harness.new({"1": "2"})
    with pytest.raises(TypeError):
        store.items(None)


@pytest.mark.cpython("test_dict.DictTest.test_items")
@pytest.mark.pdict_requires(dict_repr=True)
def test_items__repr(harness):
    """repr of the items view is dict's: ``dict_items([('a', '1')])``."""
    assert repr(harness.new(a="1").items()) == "dict_items([('a', '1')])"


@pytest.mark.cpython("test_dict.DictTest.test_contains", "mapping_tests.TestMappingProtocol.test_contains")
def test_contains__empty(store):
    """``in`` and ``not in`` on an empty store."""
    assert "a" not in store
    assert not ("a" in store)
    assert "a" not in store


@pytest.mark.cpython("test_dict.DictTest.test_contains", "mapping_tests.TestMappingProtocol.test_contains")
def test_contains__full(harness):
    """``in`` is true for the stored keys only."""
    store = harness.new({"a": "1", "b": "2"})
    assert "a" in store
    assert "b" in store
    assert "c" not in store


@pytest.mark.cpython("test_dict.DictTest.test_contains", "mapping_tests.TestMappingProtocol.test_contains")
def test_contains__no_arguments(harness):
    """``__contains__()`` without a key raises TypeError."""
    store = harness.new({"a": "1", "b": "2"})
    with pytest.raises(TypeError):
        store.__contains__()


@pytest.mark.cpython(
    "test_dict.DictTest.test_len",
    "mapping_tests.BasicTestMappingProtocol.test_len",
    "mapping_tests.TestMappingProtocol.test_len",
)
@SIZED
def test_len__empty(store):
    """An empty store has length 0."""
    assert len(store) == 0


@pytest.mark.cpython("test_dict.DictTest.test_len", "mapping_tests.TestMappingProtocol.test_len")
@SIZED
def test_len__full(harness):
    """A store of two items has length 2."""
    assert len(harness.new({"a": "1", "b": "2"})) == 2


# -- single keys --------------------------------------------------------------


@pytest.mark.cpython("test_dict.DictTest.test_getitem", "mapping_tests.TestMappingProtocol.test_getitem")
def test_getitem__read_write(harness):
    """Reads see stored values, a new key, an overwrite and a delete."""
    store = harness.new({"a": "1", "b": "2"})
    assert store["a"] == "1"
    assert store["b"] == "2"
    store["c"] = "3"
    store["a"] = "4"
    assert store["c"] == "3"
    assert store["a"] == "4"
    del store["b"]
    assert store == {"a": "4", "c": "3"}


@pytest.mark.cpython(
    "test_dict.DictTest.test_getitem",
    "mapping_tests.BasicTestMappingProtocol.test_getitem",
    "mapping_tests.TestMappingProtocol.test_getitem",
)
def test_getitem__no_arguments(harness):
    """``__getitem__()`` without a key raises TypeError."""
    store = harness.new({"a": "1", "b": "2"})
    with pytest.raises(TypeError):
        store.__getitem__()


@pytest.mark.cpython(
    "test_dict.DictTest.test_getitem", "mapping_tests.TestHashMappingProtocol.test_getitem"
)
@pytest.mark.pdict_requires(key_types={"object", "int"})
def test_getitem__bad_eq(store):
    """Looking up a key of another hash does not compare with a stored key whose ``==`` raises: KeyError."""
    store[EqRaises(hash_value=24)] = "42"
    with pytest.raises(KeyError):
        store[23]


@pytest.mark.cpython(
    "test_dict.DictTest.test_getitem", "mapping_tests.TestHashMappingProtocol.test_getitem"
)
@pytest.mark.pdict_requires(key_types=OBJECT_KEYS)
def test_getitem__bad_hash(store):
    """``store[x]`` propagates the exception x's ``__hash__`` raises."""
    key = HashFailsLater()
    store[key] = "42"
    key.fail = True
    with pytest.raises(Boom):
        store[key]


@pytest.mark.cpython("test_dict.DictTest.test_clear", "mapping_tests.TestMappingProtocol.test_clear")
def test_clear__clear(harness):
    """clear() empties the store."""
    store = harness.new({"1": "1", "2": "2", "3": "3"})
    store.clear()
    assert store == {}


@pytest.mark.cpython("test_dict.DictTest.test_clear", "mapping_tests.TestMappingProtocol.test_clear")
def test_clear__bad_arguments(harness):
    """clear(None) raises TypeError."""
    store = harness.new({"1": "1", "2": "2", "3": "3"})
    with pytest.raises(TypeError):
        store.clear(None)


# -- update ---------------------------------------------------------------------


@pytest.mark.cpython("test_dict.DictTest.test_update", "mapping_tests.TestMappingProtocol.test_update")
def test_update__mappings(store):
    """update(mapping) adds new keys and overwrites existing ones."""
    store.update({"1": "100"})
    store.update({"2": "20"})
    store.update({"1": "1", "2": "2", "3": "3"})
    assert store == {"1": "1", "2": "2", "3": "3"}


@pytest.mark.cpython("test_dict.DictTest.test_update", "mapping_tests.TestMappingProtocol.test_update")
def test_update__no_arguments(harness):
    """update() without arguments changes nothing."""
    store = harness.new({"1": "1", "2": "2", "3": "3"})
    store.update()
    assert store == {"1": "1", "2": "2", "3": "3"}


@pytest.mark.cpython("test_dict.DictTest.test_update")
def test_update__none(harness):
    """update(None) raises TypeError (or AttributeError)."""
    store = harness.new({"1": "1"})
    with pytest.raises((TypeError, AttributeError)):
        store.update(None)


@pytest.mark.cpython(
    "test_dict.DictTest.test_update",
    "mapping_tests.BasicTestMappingProtocol.test_update",
    "mapping_tests.TestMappingProtocol.test_update",
)
def test_update__keys_and_getitem(harness):
    """update(x) reads any object with keys() and __getitem__ as a mapping."""
    store = harness.new({"x": "y"})
    store.clear()
    store.update(KeysAndGetitem({"1": "1", "2": "2", "3": "3"}))
    assert store == {"1": "1", "2": "2", "3": "3"}


@pytest.mark.cpython(
    "test_dict.DictTest.test_update", "mapping_tests.BasicTestMappingProtocol.test_update"
)
def test_update__failing_keys(store):
    """update(x) propagates the exception x.keys() raises."""
    with pytest.raises(Boom):
        store.update(KeysRaise())


@pytest.mark.cpython(
    "test_dict.DictTest.test_update", "mapping_tests.BasicTestMappingProtocol.test_update"
)
def test_update__failing_keys_iterator(store):
    """update(x) propagates the exception raised while iterating x.keys()."""
    with pytest.raises(Boom):
        store.update(KeysIteratorRaises())


@pytest.mark.cpython(
    "test_dict.DictTest.test_update", "mapping_tests.BasicTestMappingProtocol.test_update"
)
def test_update__failing_getitem(store):
    """update(x) propagates the exception x[key] raises."""
    with pytest.raises(Boom):
        store.update(GetitemRaises())


@pytest.mark.cpython(
    "test_dict.DictTest.test_update", "mapping_tests.BasicTestMappingProtocol.test_update"
)
def test_update__failing_sequence(store):
    """update(iterable) propagates the exception the iterable raises."""
    with pytest.raises(Boom):
        store.update(IteratorRaises())


@pytest.mark.cpython(
    "test_dict.DictTest.test_update", "mapping_tests.BasicTestMappingProtocol.test_update"
)
def test_update__bad_pair_length(store):
    """update([(a, b, c)]) raises ValueError: elements must be pairs."""
    with pytest.raises(ValueError):
        store.update([("a", "b", "c")])


# -- fromkeys -----------------------------------------------------------------


@pytest.mark.cpython("test_dict.DictTest.test_fromkeys", "mapping_tests.TestMappingProtocol.test_fromkeys")
@pytest.mark.pdict_requires(fromkeys=True, value_types={"none"})
def test_fromkeys__string(harness):
    """fromkeys('abc') maps each character to None."""
    assert harness.fromkeys("abc") == {"a": None, "b": None, "c": None}


@pytest.mark.cpython("test_dict.DictTest.test_fromkeys", "mapping_tests.TestMappingProtocol.test_fromkeys")
@pytest.mark.pdict_requires(fromkeys=True)
def test_fromkeys__value(harness):
    """fromkeys(keys, value) maps each key to value."""
    assert harness.fromkeys(("4", "5"), "0") == {"4": "0", "5": "0"}


@pytest.mark.cpython("test_dict.DictTest.test_fromkeys", "mapping_tests.TestMappingProtocol.test_fromkeys")
@pytest.mark.pdict_requires(fromkeys=True)
def test_fromkeys__empty(harness):
    """fromkeys([]) is empty."""
    assert harness.fromkeys([]) == {}


@pytest.mark.cpython("test_dict.DictTest.test_fromkeys", "mapping_tests.TestMappingProtocol.test_fromkeys")
@pytest.mark.pdict_requires(fromkeys=True, value_types={"none"})
def test_fromkeys__generator(harness):
    """fromkeys takes a generator."""

    def keys():
        yield "1"

    assert harness.fromkeys(keys()) == {"1": None}


@pytest.mark.cpython("test_dict.DictTest.test_fromkeys", "mapping_tests.TestMappingProtocol.test_fromkeys")
@pytest.mark.pdict_requires(fromkeys=True)
def test_fromkeys__not_iterable(harness):
    """fromkeys(3) raises TypeError."""
    with pytest.raises(TypeError):
        harness.fromkeys(3)


@pytest.mark.cpython("test_dict.DictTest.test_fromkeys", "mapping_tests.TestMappingProtocol.test_fromkeys")
@pytest.mark.pdict_requires(fromkeys=True)
def test_fromkeys__failing_iterator(harness):
    """fromkeys propagates the exception its iterable raises."""
    with pytest.raises(Boom):
        harness.fromkeys(IteratorRaises())


@pytest.mark.cpython("test_dict.DictTest.test_fromkeys")
@pytest.mark.pdict_requires(fromkeys=True)
def test_fromkeys__from_dict(harness):
    """fromkeys(a dict, value) takes the dict's keys (dict's fast path)."""
    source = {str(i): str(i) for i in range(6)}
    assert harness.fromkeys(source, "0") == {str(i): "0" for i in range(6)}


@pytest.mark.cpython("test_dict.DictTest.test_fromkeys")
@pytest.mark.pdict_requires(fromkeys=True, value_types={"none"})
def test_fromkeys__from_set(harness):
    """fromkeys(a set) takes the set's members (dict's fast path; the baddict3 case without the subclass)."""
    assert harness.fromkeys({"a", "b", "c"}) == {"a": None, "b": None, "c": None}


# -- copy -----------------------------------------------------------------------

COPY = pytest.mark.pdict_requires(copy=("same_type", "dict"))


@pytest.mark.cpython("test_dict.DictTest.test_copy")
@COPY
def test_copy__new_object(request, harness):
    """copy() returns another object."""
    store = harness.new({"1": "1", "2": "2", "3": "3"})
    assert copy_of(request, store) is not store


@pytest.mark.cpython("test_dict.DictTest.test_copy", "mapping_tests.TestMappingProtocol.test_copy")
@COPY
def test_copy__equal(request, harness):
    """copy() equals the store and its contents."""
    store = harness.new({"1": "1", "2": "2", "3": "3"})
    assert copy_of(request, store) == store
    assert copy_of(request, store) == {"1": "1", "2": "2", "3": "3"}


@pytest.mark.cpython("test_dict.DictTest.test_copy")
@COPY
def test_copy__independent(request, harness):
    """A change to the store after copy() does not show in the copy."""
    store = harness.new({"1": "1", "2": "2", "3": "3"})
    copied = copy_of(request, store)
    store["4"] = "4"
    assert copied != store


@pytest.mark.cpython("test_dict.DictTest.test_copy", "mapping_tests.TestMappingProtocol.test_copy")
@COPY
def test_copy__empty(request, store):
    """The copy of an empty store is empty."""
    assert copy_of(request, store) == {}
    assert copy_of(request, store) == store


@pytest.mark.cpython("test_dict.DictTest.test_copy", "mapping_tests.TestMappingProtocol.test_copy")
@COPY
def test_copy__bad_arguments(harness):
    """copy(None) raises TypeError."""
    store = harness.new({"1": "1"})
    with pytest.raises(TypeError):
        store.copy(None)


@pytest.mark.cpython("test_dict.DictTest.test_copy_fuzz")
@COPY
@pytest.mark.parametrize("size", [10, 100, 1000, 10000])
@SIZED
def test_copy_fuzz(request, harness, size):
    """A copy of a store of about ``size`` keys equals it; adding a key to the copy makes them differ by one."""
    size = random.Random(size).randrange(size // 2, size + size // 2)
    store = harness.new((str(i), str(i)) for i in range(size))
    copied = copy_of(request, store)
    assert copied is not store
    assert store == copied
    copied["key"] = "value"
    assert store != copied
    assert len(copied) == len(store) + 1


@pytest.mark.cpython("test_dict.DictTest.test_copy_noncompact")
@COPY
def test_copy_noncompact(request, harness):
    """A copy of a store that had 950 of its 1000 keys deleted equals it."""
    store = harness.new((str(k), str(k)) for k in range(1000))
    for k in range(950):
        del store[str(k)]
    assert copy_of(request, store) == store


# -- get, setdefault ---------------------------------------------------------------


@pytest.mark.cpython("test_dict.DictTest.test_get", "mapping_tests.TestMappingProtocol.test_get")
def test_get__empty(store):
    """get on an empty store returns None or the given default."""
    assert store.get("c") is None
    assert store.get("c", "3") == "3"


@pytest.mark.cpython("test_dict.DictTest.test_get", "mapping_tests.TestMappingProtocol.test_get")
def test_get__full(harness):
    """get returns the stored value for a present key, else None or the default."""
    store = harness.new({"a": "1", "b": "2"})
    assert store.get("c") is None
    assert store.get("c", "3") == "3"
    assert store.get("a") == "1"
    assert store.get("a", "3") == "1"


@pytest.mark.cpython("test_dict.DictTest.test_get", "mapping_tests.BasicTestMappingProtocol.test_get")
def test_get__bad_arguments(harness):
    """get() and get(k, d, extra) raise TypeError."""
    store = harness.new({"a": "1", "b": "2"})
    with pytest.raises(TypeError):
        store.get()
    with pytest.raises(TypeError):
        store.get(None, None, None)


@pytest.mark.cpython("test_dict.DictTest.test_setdefault", "mapping_tests.TestMappingProtocol.test_setdefault")
@pytest.mark.pdict_requires(value_types={"none", "list"})
def test_setdefault__default_none(store):
    """setdefault(k) stores and returns None; a later setdefault returns the stored None, not its default."""
    assert store.setdefault("key0") is None
    store.setdefault("key0", [])
    assert store.setdefault("key0") is None


@pytest.mark.cpython("test_dict.DictTest.test_setdefault", "mapping_tests.TestMappingProtocol.test_setdefault")
@pytest.mark.pdict_requires(value_types={"list", "str"})
@pytest.mark.pdict_deviates(values_are_copies=True)
def test_setdefault__mutable_default(store):
    """setdefault(k, []) returns the stored list itself: appending to it changes the stored value."""
    store.setdefault("key", []).append("3")
    assert store["key"][0] == "3"
    store.setdefault("key", []).append("4")
    assert len(store["key"]) == 2


@pytest.mark.cpython(
    "test_dict.DictTest.test_setdefault",
    "mapping_tests.BasicTestMappingProtocol.test_setdefault",
    "mapping_tests.TestMappingProtocol.test_setdefault",
)
def test_setdefault__no_arguments(store):
    """setdefault() raises TypeError."""
    with pytest.raises(TypeError):
        store.setdefault()


@pytest.mark.cpython(
    "test_dict.DictTest.test_setdefault", "mapping_tests.TestHashMappingProtocol.test_setdefault"
)
@pytest.mark.pdict_requires(key_types=OBJECT_KEYS, value_types={"str", "list"})
def test_setdefault__bad_hash(store):
    """setdefault(x, d) propagates the exception x's ``__hash__`` raises."""
    key = HashFailsLater()
    store[key] = "42"
    key.fail = True
    with pytest.raises(Boom):
        store.setdefault(key, [])


# -- popitem, pop ---------------------------------------------------------------------


def _fill_for_popitem(store, size):
    for i in range(size):
        store[repr(i)] = f"value {i}"


def _pop_all(store, size):
    """Pop ``size`` items, checking that each pair belongs together; return them."""
    popped = []
    for _ in range(size):
        key, value = item = store.popitem()
        assert value == f"value {key}"
        popped.append(item)
    assert not store
    return popped


@pytest.mark.cpython("test_dict.DictTest.test_popitem", "mapping_tests.TestMappingProtocol.test_popitem")
@pytest.mark.parametrize("log2size", range(12))
def test_popitem__pairs(harness, log2size):
    """popitem() on a store of 2**n items returns each key with its own value until the store is empty."""
    size = 2**log2size
    store = harness.new()
    _fill_for_popitem(store, size)
    popped = _pop_all(store, size)
    assert sorted(key for key, _ in popped) == sorted(repr(i) for i in range(size))


@pytest.mark.cpython("test_dict.DictTest.test_popitem", "mapping_tests.TestMappingProtocol.test_popitem")
@pytest.mark.pdict_requires(ordering=("insertion", "sorted"), popitem=("last", "first"))
@pytest.mark.parametrize("log2size", range(12))
def test_popitem__same_structure_same_order(harness, log2size):
    """Two stores filled the same way pop their items in the same order."""
    size = 2**log2size
    a, b = harness.new(), harness.new()
    _fill_for_popitem(a, size)
    _fill_for_popitem(b, size)
    for _ in range(size):
        ta, tb = a.popitem(), b.popitem()
        assert ta[1] == f"value {ta[0]}"
        assert ta == tb
    assert not a
    assert not b


@pytest.mark.cpython("test_dict.DictTest.test_popitem", "mapping_tests.TestMappingProtocol.test_popitem")
@COPY
@pytest.mark.parametrize("log2size", range(12))
def test_popitem__copy(request, harness, log2size):
    """A store and its copy() each pop all their items, each key with its own value."""
    size = 2**log2size
    a = harness.new()
    _fill_for_popitem(a, size)
    b = copy_of(request, a)
    for _ in range(size):
        ka, va = a.popitem()
        assert va == f"value {ka}"
        kb, vb = b.popitem()
        assert vb == f"value {kb}"
    assert not a
    assert not b


@pytest.mark.cpython(
    "test_dict.DictTest.test_popitem",
    "mapping_tests.BasicTestMappingProtocol.test_popitem",
    "mapping_tests.BasicTestMappingProtocol.test_write",
)
def test_popitem__empty(store):
    """popitem() on an empty store raises KeyError."""
    with pytest.raises(KeyError):
        store.popitem()


@pytest.mark.cpython("test_dict.DictTest.test_pop", "mapping_tests.BasicTestMappingProtocol.test_pop")
def test_pop__missing(harness):
    """pop(k) of a missing key raises KeyError."""
    store = harness.new({"abc": "def"})
    with pytest.raises(KeyError):
        store.pop("ghi")


@pytest.mark.cpython("test_dict.DictTest.test_pop", "mapping_tests.BasicTestMappingProtocol.test_pop")
@SIZED
def test_pop__present(harness):
    """pop(k) returns k's value and removes it."""
    store = harness.new({"abc": "def"})
    assert store.pop("abc") == "def"
    assert len(store) == 0


@pytest.mark.cpython("test_dict.DictTest.test_pop", "mapping_tests.BasicTestMappingProtocol.test_pop")
def test_pop__twice(harness):
    """A second pop(k) raises KeyError."""
    store = harness.new({"abc": "def"})
    store.pop("abc")
    with pytest.raises(KeyError):
        store.pop("abc")


@pytest.mark.cpython("test_dict.DictTest.test_pop", "mapping_tests.TestMappingProtocol.test_pop")
def test_pop__default_missing(store):
    """pop(k, d) of a missing key returns d."""
    assert store.pop("abc", "def") == "def"


@pytest.mark.cpython("test_dict.DictTest.test_pop", "mapping_tests.TestMappingProtocol.test_pop")
def test_pop__default_present(store):
    """pop(k, d) of a present key returns its value, not d."""
    store["abc"] = "def"
    assert store.pop("abc", "1") == "def"


@pytest.mark.cpython("test_dict.DictTest.test_pop")
def test_pop__no_arguments(harness):
    """pop() raises TypeError."""
    store = harness.new({"abc": "def"})
    with pytest.raises(TypeError):
        store.pop()


@pytest.mark.cpython("test_dict.DictTest.test_pop", "mapping_tests.TestHashMappingProtocol.test_pop")
@pytest.mark.pdict_requires(key_types=OBJECT_KEYS)
def test_pop__bad_hash(store):
    """pop(x) propagates the exception x's ``__hash__`` raises."""
    key = HashFailsLater()
    store[key] = "42"
    key.fail = True
    with pytest.raises(Boom):
        store.pop(key)


# -- changing the store while iterating -----------------------------------------------

RAISES = pytest.mark.pdict_requires(mutation_during_iteration="raises")
# CPython's versions use a one-item dict, so the change is caught when the iterator
# looks for a second item; OrderedDict does not check after its last item.  The
# ports use two items, so the check happens at a step every implementation makes.
_LOOP_BOUND = 100


@pytest.mark.cpython("test_dict.DictTest.test_mutating_iteration")
@RAISES
def test_mutating_iteration(store):
    """Adding a key while iterating raises RuntimeError."""
    store["1"] = "1"
    store["2"] = "2"
    with pytest.raises(RuntimeError):
        for n, key in enumerate(store):
            assert n < _LOOP_BOUND, "iteration went on although the store grew"
            store[key + "1"] = "1"


@pytest.mark.cpython("test_dict.DictTest.test_mutating_iteration_delete")
@RAISES
def test_mutating_iteration_delete(store):
    """Deleting and re-adding a key while iterating over the store raises RuntimeError."""
    store["0"] = "0"
    store["1"] = "1"
    with pytest.raises(RuntimeError):
        for n, _ in enumerate(store):
            assert n < _LOOP_BOUND, "iteration went on although the keys changed"
            del store["0"]
            store["0"] = "0"


@pytest.mark.cpython("test_dict.DictTest.test_mutating_iteration_delete_over_values")
@RAISES
def test_mutating_iteration_delete_over_values(store):
    """Deleting and re-adding a key while iterating over values() raises RuntimeError."""
    store["0"] = "0"
    store["1"] = "1"
    with pytest.raises(RuntimeError):
        for n, _ in enumerate(store.values()):
            assert n < _LOOP_BOUND, "iteration went on although the keys changed"
            del store["0"]
            store["0"] = "0"


@pytest.mark.cpython("test_dict.DictTest.test_mutating_iteration_delete_over_items")
@RAISES
def test_mutating_iteration_delete_over_items(store):
    """Deleting and re-adding a key while iterating over items() raises RuntimeError."""
    store["0"] = "0"
    store["1"] = "1"
    with pytest.raises(RuntimeError):
        for n, _ in enumerate(store.items()):
            assert n < _LOOP_BOUND, "iteration went on although the keys changed"
            del store["0"]
            store["0"] = "0"


class _NastyKey:
    """Hash 1 for all; ``==`` first deletes ``mutate``'s key from its store, once."""

    mutate = None

    def __init__(self, value):
        self.value = value

    def __hash__(self):
        return 1

    def __eq__(self, other):
        if _NastyKey.mutate is not None:
            target, key = _NastyKey.mutate
            _NastyKey.mutate = None
            del target[key]
        return self.value == other.value


@pytest.mark.cpython("test_dict.DictTest.test_mutating_lookup")
@pytest.mark.pdict_requires(key_types=OBJECT_KEYS)
@KEY_EQUALITY
def test_mutating_lookup(harness):
    """A key whose ``==`` deletes the colliding key during ``store[k2] = v`` leaves exactly {k2: v}."""
    key1, key2 = _NastyKey(1), _NastyKey(2)
    store = harness.new({key1: "1"})
    _NastyKey.mutate = (store, key1)
    try:
        store[key2] = "2"
    finally:
        _NastyKey.mutate = None
    assert store == {key2: "2"}


# -- repr -----------------------------------------------------------------------------

REPR = pytest.mark.pdict_requires(dict_repr=True)


@pytest.mark.cpython("test_dict.DictTest.test_repr", "mapping_tests.TestHashMappingProtocol.test_repr")
@REPR
def test_repr__empty(store):
    """repr of an empty store is ``{}``."""
    assert repr(store) == "{}"


@pytest.mark.cpython("test_dict.DictTest.test_repr", "mapping_tests.TestHashMappingProtocol.test_repr")
@REPR
def test_repr__one_item(store):
    """repr of a one-item store is dict's."""
    store["1"] = "2"
    assert repr(store) == "{'1': '2'}"


@pytest.mark.cpython("test_dict.DictTest.test_repr", "mapping_tests.TestHashMappingProtocol.test_repr")
@REPR
@pytest.mark.pdict_requires(value_types={"object"})
def test_repr__recursive(store):
    """A store holding itself shows as ``{...}`` inside its repr."""
    store["1"] = store
    assert repr(store) == "{'1': {...}}"


class _ReprRaises:
    def __repr__(self):
        raise Boom()


@pytest.mark.cpython("test_dict.DictTest.test_repr", "mapping_tests.TestHashMappingProtocol.test_repr")
@REPR
@pytest.mark.pdict_requires(value_types={"object"})
def test_repr__failing_value_repr(harness):
    """repr of the store propagates the exception a value's repr raises."""
    store = harness.new({"1": _ReprRaises()})
    with pytest.raises(Boom):
        repr(store)


@pytest.mark.cpython("test_dict.DictTest.test_repr_deep", "mapping_tests.TestHashMappingProtocol.test_repr_deep")
@REPR
@pytest.mark.pdict_requires(value_types={"object"}, values_are_copies=False)
def test_repr_deep(harness):
    """repr of stores nested deeper than any recursion limit raises RecursionError."""
    # CPython nests get_c_recursion_limit() + 1 deep; three times the larger of
    # the C limit (10000 in 3.13) and Python's limit exceeds either.
    depth = 3 * max(10_000, sys.getrecursionlimit())
    store = harness.new()
    for _ in range(depth):
        inner, store = store, harness.new()
        store["1"] = inner
    with pytest.raises(RecursionError):
        repr(store)


# -- equality and views ------------------------------------------------------------------


@pytest.mark.cpython("test_dict.DictTest.test_eq", "mapping_tests.TestHashMappingProtocol.test_eq")
def test_eq__equal(harness):
    """Two empty stores are equal, and so are two stores with the same item."""
    assert harness.new() == harness.new()
    assert harness.new({"1": "2"}) == harness.new({"1": "2"})


@pytest.mark.cpython("test_dict.DictTest.test_eq", "mapping_tests.TestHashMappingProtocol.test_eq")
@pytest.mark.pdict_requires(key_types={"object", "int"})
def test_eq__bad_eq(harness):
    """Comparing stores propagates the exception a key's ``==`` raises."""
    with_bad_key = harness.new({EqRaises(hash_value=1): "1"})
    other = harness.new({1: "1"})
    with pytest.raises(Boom):
        with_bad_key == other  # noqa: B015


_SMALLER = {"1": "1", "2": "2"}
_LARGER = {"1": "1", "2": "2", "3": "3"}
_LARGER3 = {"4": "1", "2": "2", "3": "3"}


def _views_compare_as_sets(harness, view):
    empty, empty2 = view(harness.new()), view(harness.new())
    smaller = view(harness.new(_SMALLER))
    larger, larger2 = view(harness.new(_LARGER)), view(harness.new(_LARGER))
    larger3 = view(harness.new(_LARGER3))

    assert smaller < larger
    assert smaller <= larger
    assert larger > smaller
    assert larger >= smaller

    assert not smaller >= larger
    assert not smaller > larger
    assert not larger <= smaller
    assert not larger < smaller

    assert not smaller < larger3
    assert not smaller <= larger3
    assert not larger3 > smaller
    assert not larger3 >= smaller

    # inequality strictness
    assert larger2 >= larger
    assert larger2 <= larger
    assert not larger2 > larger
    assert not larger2 < larger

    assert larger == larger2
    assert smaller != larger

    # the empty case
    assert empty == empty2
    assert not empty != empty2
    assert not empty == smaller
    assert empty != smaller

    # same size: an element-wise comparison
    assert larger != larger3
    assert not larger == larger3


@pytest.mark.cpython("test_dict.DictTest.test_keys_contained")
@SIZED
def test_keys_contained__keys(harness):
    """keys() views compare (<, <=, ==, !=, >=, >) as sets do."""
    _views_compare_as_sets(harness, lambda store: store.keys())


@pytest.mark.cpython("test_dict.DictTest.test_keys_contained")
@SIZED
def test_keys_contained__items(harness):
    """items() views compare (<, <=, ==, !=, >=, >) as sets do."""
    _views_compare_as_sets(harness, lambda store: store.items())


class _EqRuntimeError:
    def __eq__(self, other):
        raise RuntimeError


@pytest.mark.cpython("test_dict.DictTest.test_errors_in_view_containment_check")
@pytest.mark.pdict_requires(value_types={"object"})
@SIZED
def test_errors_in_view_containment_check(harness):
    """Comparing items() views propagates the exception a value's ``==`` raises."""
    d1 = harness.new({"1": _EqRuntimeError()})
    d2 = harness.new({"1": _EqRuntimeError()})
    with pytest.raises(RuntimeError):
        d1.items() == d2.items()  # noqa: B015
    with pytest.raises(RuntimeError):
        d1.items() != d2.items()  # noqa: B015
    with pytest.raises(RuntimeError):
        d1.items() <= d2.items()  # noqa: B015
    with pytest.raises(RuntimeError):
        d1.items() >= d2.items()  # noqa: B015
    d3 = harness.new({"1": _EqRuntimeError(), "2": _EqRuntimeError()})
    with pytest.raises(RuntimeError):
        d2.items() < d3.items()  # noqa: B015
    with pytest.raises(RuntimeError):
        d3.items() > d2.items()  # noqa: B015


@pytest.mark.cpython("test_dict.DictTest.test_dictview_set_operations_on_keys")
def test_dictview_set_operations_on_keys(harness):
    """keys() views support -, &, | and ^, giving sets."""
    k1 = harness.new({"1": "1", "2": "2"}).keys()
    k2 = harness.new({"1": "1", "2": "2", "3": "3"}).keys()
    k3 = harness.new({"4": "4"}).keys()
    assert k1 - k2 == set()
    assert k1 - k3 == {"1", "2"}
    assert k2 - k1 == {"3"}
    assert k3 - k1 == {"4"}
    assert k1 & k2 == {"1", "2"}
    assert k1 & k3 == set()
    assert k1 | k2 == {"1", "2", "3"}
    assert k1 ^ k2 == {"3"}
    assert k1 ^ k3 == {"1", "2", "4"}


@pytest.mark.cpython("test_dict.DictTest.test_dictview_set_operations_on_items")
def test_dictview_set_operations_on_items(harness):
    """items() views support -, &, | and ^, giving sets of pairs."""
    k1 = harness.new({"1": "1", "2": "2"}).items()
    k2 = harness.new({"1": "1", "2": "2", "3": "3"}).items()
    k3 = harness.new({"4": "4"}).items()
    assert k1 - k2 == set()
    assert k1 - k3 == {("1", "1"), ("2", "2")}
    assert k2 - k1 == {("3", "3")}
    assert k3 - k1 == {("4", "4")}
    assert k1 & k2 == {("1", "1"), ("2", "2")}
    assert k1 & k3 == set()
    assert k1 | k2 == {("1", "1"), ("2", "2"), ("3", "3")}
    assert k1 ^ k2 == {("3", "3")}
    assert k1 ^ k3 == {("1", "1"), ("2", "2"), ("4", "4")}


@pytest.mark.cpython("test_dict.DictTest.test_items_symmetric_difference")
def test_items_symmetric_difference(harness):
    """For 100 random pairs of stores, ``a.items() ^ b.items()`` is the symmetric difference of their item sets."""
    rng = random.Random(20240613)
    for _ in range(100):
        left = {str(x): str(rng.randrange(3)) for x in range(20) if rng.randrange(2)}
        right = {str(x): str(rng.randrange(3)) for x in range(20) if rng.randrange(2)}
        expected = set(left.items()) ^ set(right.items())
        a, b = harness.new(left), harness.new(right)
        actual = a.items() ^ b.items()
        assert actual == expected, (left, right)
        harness.discard(a, b)


@pytest.mark.cpython("test_dict.DictTest.test_dictview_mixed_set_operations")
@SIZED
def test_dictview_mixed_set_operations__keys(harness):
    """A keys() view equals, and unites with, a plain set, from either side."""
    keys = harness.new({"1": "1"}).keys()
    assert keys == {"1"}
    assert {"1"} == keys
    assert keys | {"2"} == {"1", "2"}
    assert {"2"} | keys == {"1", "2"}


@pytest.mark.cpython("test_dict.DictTest.test_dictview_mixed_set_operations")
@SIZED
def test_dictview_mixed_set_operations__items(harness):
    """An items() view equals, and unites with, a plain set, from either side."""
    items = harness.new({"1": "1"}).items()
    assert items == {("1", "1")}
    assert {("1", "1")} == items
    assert items | {"2"} == {("1", "1"), "2"}
    assert {"2"} | items == {("1", "1"), "2"}


# -- missing keys and odd keys -----------------------------------------------------------


@pytest.mark.cpython("test_dict.DictTest.test_missing")
def test_missing__keyerror_args(store):
    """``store[k]`` of a missing key raises KeyError whose args are exactly (k,)."""
    with pytest.raises(KeyError) as caught:
        store["42"]
    assert caught.value.args == ("42",)


@pytest.mark.cpython("test_dict.DictTest.test_tuple_keyerror")
@pytest.mark.pdict_requires(key_types={"tuple", "str"})
def test_tuple_keyerror(store):
    """A missing tuple key raises KeyError whose args hold the tuple itself, not its items."""
    with pytest.raises(KeyError) as caught:
        store[("1",)]
    assert caught.value.args == (("1",),)


class _BadDictKey:
    """All instances share one hash; comparing two of them raises Boom."""

    def __hash__(self):
        return hash(self.__class__)

    def __eq__(self, other):
        if isinstance(other, self.__class__):
            raise Boom()
        return other


_BAD_KEY_OPERATIONS = {
    "setitem": lambda store, key: store.__setitem__(key, "2"),
    "getitem": lambda store, key: store[key],
    "contains": lambda store, key: key in store,
    "get": lambda store, key: store.get(key),
    "setdefault": lambda store, key: store.setdefault(key, "42"),
    "pop": lambda store, key: store.pop(key),
    "update": lambda store, key: store.update({key: "2"}),
}


@pytest.mark.cpython("test_dict.DictTest.test_bad_key")
@pytest.mark.pdict_requires(key_types=OBJECT_KEYS)
@pytest.mark.parametrize("operation", sorted(_BAD_KEY_OPERATIONS))
@KEY_EQUALITY
def test_bad_key(store, operation):
    """An operation on a key equal-hashed to a stored key propagates the exception their ``==`` raises."""
    store[_BadDictKey()] = "1"
    with pytest.raises(Boom):
        _BAD_KEY_OPERATIONS[operation](store, _BadDictKey())


@pytest.mark.cpython("test_dict.DictTest.test_resize1")
@pytest.mark.pdict_requires(key_types={"int"}, value_types={"int"})
def test_resize1(store):
    """Inserting 5 int keys, deleting them, then inserting 4 more leaves just the 4 (a dict resize bug)."""
    for i in range(5):
        store[i] = i
    for i in range(5):
        del store[i]
    for i in range(5, 9):
        store[i] = i
    assert store == {5: 5, 6: 6, 7: 7, 8: 8}


class _StrSubclass(str):
    pass


@pytest.mark.cpython("test_dict.DictTest.test_instance_dict_getattr_str_subclass")
@KEY_EQUALITY
def test_instance_dict_getattr_str_subclass__lookup(harness):
    """A key of a str subclass finds the equal str key (the ``f.__dict__[_str('msg')]`` part)."""
    store = harness.new(msg="123")
    assert store[_StrSubclass("msg")] == "123"


class _ClearsOtherOnEq:
    """Hash 0; ``==`` clears the dict ``_merge_source`` and answers False."""

    def __hash__(self):
        return 0

    def __eq__(self, other):
        _merge_source.clear()
        return False


_merge_source: dict = {}


@pytest.mark.cpython("test_dict.DictTest.test_merge_and_mutate")
@pytest.mark.pdict_requires(key_types={"object", "int"})
@SIZED
def test_merge_and_mutate(harness):
    """update(other) when a key's ``==`` empties ``other`` during the update: dict raises
    RuntimeError; a store that copies ``other`` first may finish instead.  Either way it must
    not crash, and the store stays consistent (len agrees with iteration)."""
    _merge_source.clear()
    _merge_source.update((i, "0") for i in range(1, 1337))
    _merge_source[_ClearsOtherOnEq()] = "0"
    store = harness.new({_ClearsOtherOnEq(): "0", 1: "1"})
    try:
        try:
            store.update(_merge_source)
        except RuntimeError:
            pass
        assert len(store) == len(list(store)) >= 2
    finally:
        _merge_source.clear()


# -- reversed and order -----------------------------------------------------------------

REVERSED = pytest.mark.pdict_requires(reversed=True)


@pytest.mark.cpython("test_dict.DictTest.test_reversed")
@REVERSED
@pytest.mark.pdict_requires(ordering="insertion")
def test_reversed(harness):
    """reversed(store) yields the keys last-inserted first, skipping a deleted one, then stops."""
    store = harness.new({"a": "1", "b": "2", "foo": "0", "c": "3", "d": "4"})
    del store["foo"]
    keys = reversed(store)
    assert list(keys) == list("dcba")
    with pytest.raises(StopIteration):
        next(keys)


@pytest.mark.cpython("test_dict.DictTest.test_reverse_iterator_for_empty_dict")
@REVERSED
def test_reverse_iterator_for_empty_dict__store(store):
    """reversed() of an empty store yields nothing."""
    assert list(reversed(store)) == []


@pytest.mark.cpython("test_dict.DictTest.test_reverse_iterator_for_empty_dict")
@REVERSED
def test_reverse_iterator_for_empty_dict__keys(store):
    """reversed() of an empty store's keys() yields nothing."""
    assert list(reversed(store.keys())) == []


@pytest.mark.cpython("test_dict.DictTest.test_reverse_iterator_for_empty_dict")
@REVERSED
def test_reverse_iterator_for_empty_dict__values(store):
    """reversed() of an empty store's values() yields nothing."""
    assert list(reversed(store.values())) == []


@pytest.mark.cpython("test_dict.DictTest.test_reverse_iterator_for_empty_dict")
@REVERSED
def test_reverse_iterator_for_empty_dict__items(store):
    """reversed() of an empty store's items() yields nothing."""
    assert list(reversed(store.items())) == []


@pytest.mark.cpython("test_dict.DictTest.test_dict_copy_order")
@pytest.mark.pdict_requires(ordering=("insertion", "sorted"))
def test_dict_copy_order(harness):
    """dict(store) keeps the store's order, after a key was moved to the end (the OrderedDict case)."""
    store = harness.new([("a", "1"), ("b", "2")])
    value = store.pop("a")
    store["a"] = value
    expected = list(store.items())
    assert list(dict(store).items()) == expected
