"""CPython 3.13.0 ``Lib/test/mapping_tests.py`` ported to the kit.

The classes ``BasicTestMappingProtocol``, ``TestMappingProtocol`` and
``TestHashMappingProtocol`` check a mapping type through its public protocol.
Each test here mirrors one of their methods, or one part of it
(``test_<method>__<part>``), named by its ``cpython`` marker.  Parts that
check exactly what a ``DictTest`` part checks are not repeated here: that test,
in ``test_dict.py``, names both sources.  A ``TestMappingProtocol`` method
starts by running the ``BasicTestMappingProtocol`` method it overrides; that
inherited half is ported once, under the base class.

The data is CPython's: the mapping under test holds ``REFERENCE``
(``{"1": "2", "key1": "value1"}``), ``INMAPPING`` is one of its pairs and
``OTHER`` (``{"key2": (1, 2, 3)}``) a pair it does not hold.  Its value is a
tuple, so the parts that store it need ``value_types`` to include ``tuple``
and are a declared deviation for a backend whose values make a JSON round trip
(the tuple comes back as a list).  ``_full_mapping`` (fill by assignment) is
:func:`._helpers.filled`.  Where CPython reads ``self.reference`` (a plain
dict) in a test of the mapping, the port reads a store holding it.
"""

from __future__ import annotations

import pytest

from ._helpers import (
    INMAPPING_KEY,
    INMAPPING_VALUE,
    OTHER,
    OTHER_KEY,
    OTHER_VALUE,
    REFERENCE,
    STR_DOMAIN,
    SIZED,
    KeysAndGetitem,
    copy_of,
    filled,
)

pytestmark = [pytest.mark.pdict_area("cpython: mapping_tests"), STR_DOMAIN]

#: Parts that store OTHER's tuple value and read it back.
TUPLE_VALUE = pytest.mark.pdict_requires(value_types={"str", "tuple"})
JSON_TUPLE = pytest.mark.pdict_deviates(value_roundtrip="json")


# -- BasicTestMappingProtocol.test_read --------------------------------------------

BASIC_READ = pytest.mark.cpython("mapping_tests.BasicTestMappingProtocol.test_read")


@BASIC_READ
def test_read__getitem(harness):
    """Each reference key reads back its value."""
    store = filled(harness, REFERENCE)
    for key, value in REFERENCE.items():
        assert store[key] == value


@BASIC_READ
def test_read__missing_key(harness):
    """Reading a key the store lacks raises KeyError."""
    store = filled(harness, REFERENCE)
    with pytest.raises(KeyError):
        store[OTHER_KEY]


@BASIC_READ
@SIZED
def test_read__len(harness):
    """len() is 0 for an empty store and the number of reference items for a full one."""
    assert len(harness.new()) == 0
    assert len(filled(harness, REFERENCE)) == len(REFERENCE)


@BASIC_READ
def test_read__contains(harness):
    """Every reference key is in the store; the other key is not."""
    store = filled(harness, REFERENCE)
    for key in REFERENCE:
        assert key in store
    for key in OTHER:
        assert key not in store


@BASIC_READ
def test_read__equality(harness):
    """An empty and a full store each equal themselves and differ from each other, both ways round."""
    empty, full = harness.new(), filled(harness, REFERENCE)
    assert empty == empty
    assert full == full
    assert empty != full
    assert full != empty


@BASIC_READ
def test_read__bool(harness):
    """An empty store is false, a full one true."""
    assert not harness.new()
    assert filled(harness, REFERENCE)


@BASIC_READ
def test_read__iterators(harness):
    """iter() of the store and of keys(), values(), items() are iterators over the reference's contents."""
    store = filled(harness, REFERENCE)
    for iterator, listed, expected in (
        (iter(store.keys()), list(store.keys()), REFERENCE.keys()),
        (iter(store), list(store.keys()), REFERENCE.keys()),
        (iter(store.values()), list(store.values()), REFERENCE.values()),
        (iter(store.items()), list(store.items()), REFERENCE.items()),
    ):
        assert hasattr(iterator, "__next__")
        assert hasattr(iterator, "__iter__")
        assert set(iterator) == set(listed) == set(expected)


@BASIC_READ
def test_read__get(harness):
    """get returns a present key's value, and the default for the other key (not adding it)."""
    store = filled(harness, REFERENCE)
    key, value = next(iter(store.items()))
    assert store.get(key, OTHER_VALUE) == value
    assert store.get(OTHER_KEY, OTHER_VALUE) == OTHER_VALUE
    assert OTHER_KEY not in store


# -- BasicTestMappingProtocol.test_write -------------------------------------------

BASIC_WRITE = pytest.mark.cpython("mapping_tests.BasicTestMappingProtocol.test_write")


@BASIC_WRITE
def test_write__setitem(store):
    """Each assigned value reads back at once."""
    for key, value in REFERENCE.items():
        store[key] = value
        assert store[key] == value


@BASIC_WRITE
def test_write__delitem(harness):
    """After ``del store[k]``, reading k raises KeyError."""
    store = filled(harness, REFERENCE)
    for key in REFERENCE:
        del store[key]
        with pytest.raises(KeyError):
            store[key]


@BASIC_WRITE
def test_write__update_mapping(store):
    """update(mapping) into an empty store gives exactly the mapping."""
    store.update(REFERENCE)
    assert dict(store) == REFERENCE


@BASIC_WRITE
def test_write__update_pairs(harness):
    """update(list of another store's items) gives exactly those items."""
    items = list(filled(harness, REFERENCE).items())
    store = harness.new()
    store.update(items)
    assert dict(store) == REFERENCE


@BASIC_WRITE
@TUPLE_VALUE
def test_write__setdefault_present(harness):
    """setdefault(k, d) of a present key returns and keeps its value."""
    store = filled(harness, REFERENCE)
    key, value = next(iter(store.items()))
    assert store.setdefault(key, OTHER_VALUE) == value
    assert store[key] == value


@BASIC_WRITE
@TUPLE_VALUE
@JSON_TUPLE
def test_write__setdefault_missing(harness):
    """setdefault(k, d) of a missing key stores d and returns it (a tuple, equal on reading back)."""
    store = filled(harness, REFERENCE)
    assert store.setdefault(OTHER_KEY, OTHER_VALUE) == OTHER_VALUE
    assert store[OTHER_KEY] == OTHER_VALUE


@BASIC_WRITE
@TUPLE_VALUE
@JSON_TUPLE
def test_write__pop(harness):
    """pop(k) returns k's (tuple) value and removes k; a second pop(k) raises KeyError."""
    store = filled(harness, REFERENCE)
    store[OTHER_KEY] = OTHER_VALUE
    assert store.pop(OTHER_KEY) == OTHER_VALUE
    assert OTHER_KEY not in store
    with pytest.raises(KeyError):
        store.pop(OTHER_KEY)


@BASIC_WRITE
@TUPLE_VALUE
@JSON_TUPLE
def test_write__pop_default(harness):
    """pop(k, d) returns k's (tuple) value when present, d once k is gone."""
    store = filled(harness, REFERENCE)
    default = "909"
    store[OTHER_KEY] = OTHER_VALUE
    assert store.pop(OTHER_KEY, default) == OTHER_VALUE
    assert OTHER_KEY not in store
    assert store.pop(OTHER_KEY, default) == default


@BASIC_WRITE
def test_write__popitem(harness):
    """popitem() removes one reference item and returns it, key with its own value."""
    store = filled(harness, REFERENCE)
    key, value = store.popitem()
    assert key not in store
    assert value == REFERENCE[key]


# -- construction, truth, keys ------------------------------------------------------


@pytest.mark.cpython(
    "mapping_tests.BasicTestMappingProtocol.test_constructor",
    "mapping_tests.TestMappingProtocol.test_constructor",
)
def test_constructor__empty_equal(harness):
    """Two empty stores are equal."""
    assert harness.new() == harness.new()


@pytest.mark.cpython("mapping_tests.TestMappingProtocol.test_constructor")
def test_constructor__keywords(harness):
    """A store built from keyword arguments holds them (``type2test(x=1, y=2)``)."""
    assert harness.new(x="1", y="2") == {"x": "1", "y": "2"}


@pytest.mark.cpython("mapping_tests.BasicTestMappingProtocol.test_keys")
def test_keys__in_mapping(harness):
    """keys() of a store holding the reference contains its key, not the other key."""
    keys = filled(harness, REFERENCE).keys()
    assert INMAPPING_KEY in keys
    assert OTHER_KEY not in keys


@pytest.mark.cpython("mapping_tests.TestMappingProtocol.test_keys")
def test_keys__contains_view(harness):
    """The keys() view contains exactly the stored keys."""
    keys = filled(harness, {"a": "1", "b": "2"}).keys()
    assert "a" in keys
    assert "b" in keys
    assert "c" not in keys


@pytest.mark.cpython("mapping_tests.BasicTestMappingProtocol.test_getitem")
def test_getitem__in_mapping(harness):
    """Reading the in-mapping key of a store holding the reference gives its value."""
    assert filled(harness, REFERENCE)[INMAPPING_KEY] == INMAPPING_VALUE


@pytest.mark.cpython("mapping_tests.BasicTestMappingProtocol.test_get")
def test_get__other_and_inmapping(harness):
    """get of the other key gives None or the default, on an empty and a full store; get of a present key its value."""
    empty = harness.new()
    assert empty.get(OTHER_KEY) is None
    assert empty.get(OTHER_KEY, "3") == "3"
    full = filled(harness, REFERENCE)
    assert full.get(OTHER_KEY) is None
    assert full.get(OTHER_KEY, "3") == "3"
    assert full.get(INMAPPING_KEY) == INMAPPING_VALUE
    assert full.get(INMAPPING_KEY, "3") == INMAPPING_VALUE


# -- update ----------------------------------------------------------------------------

BASIC_UPDATE = pytest.mark.cpython("mapping_tests.BasicTestMappingProtocol.test_update")
UPDATE = pytest.mark.cpython("mapping_tests.TestMappingProtocol.test_update")


@BASIC_UPDATE
@TUPLE_VALUE
@JSON_TUPLE
def test_update__mapping(store):
    """update(mapping) into an empty store gives exactly the mapping's items (a tuple value)."""
    store.update(OTHER)
    assert list(store.items()) == list(OTHER.items())


@BASIC_UPDATE
def test_update__no_arguments_empty(harness):
    """update() leaves an empty store equal to an empty store."""
    store = harness.new()
    store.update()
    assert store == harness.new()


@BASIC_UPDATE
@TUPLE_VALUE
@JSON_TUPLE
def test_update__item_sequence(store):
    """update(items view of a dict) gives exactly those items (a tuple value)."""
    store.update(OTHER.items())
    assert list(store.items()) == list(OTHER.items())


@BASIC_UPDATE
@TUPLE_VALUE
@JSON_TUPLE
def test_update__iterator(store):
    """update(iterator of pairs) gives exactly those items (a tuple value)."""
    store.update(iter(OTHER.items()))
    assert list(store.items()) == list(OTHER.items())


@BASIC_UPDATE
def test_update__int_argument(store):
    """update(42) raises TypeError (or AttributeError)."""
    with pytest.raises((TypeError, AttributeError)):
        store.update(42)


@BASIC_UPDATE
def test_update__keys_and_getitem_reference(store):
    """update(x) with x having only keys() and __getitem__ gives the reference's items."""
    store.update(KeysAndGetitem(REFERENCE))
    assert sorted(store.items()) == sorted(REFERENCE.items())


@UPDATE
def test_update__keywords(store):
    """update(**kw) adds and overwrites keys."""
    store.update(x="100")
    store.update(y="20")
    store.update(x="1", y="2", z="3")
    assert store == {"x": "1", "y": "2", "z": "3"}


@UPDATE
def test_update__pairs(store):
    """update([(k, v), ...]) adds the pairs."""
    store.update([("x", "100"), ("y", "20")])
    assert store == {"x": "100", "y": "20"}


@UPDATE
def test_update__pairs_and_keywords(store):
    """update(pairs, **kw): the keywords win over the pairs."""
    store.update([("x", "100"), ("y", "20")], x="1", y="2")
    assert store == {"x": "1", "y": "2"}


@UPDATE
def test_update__items_of_another_store(harness):
    """update(another store's items()) overwrites shared keys and adds the rest."""
    store = filled(harness, {"1": "3", "2": "4"})
    store.update(filled(harness, {"1": "2", "3": "4", "5": "6"}).items())
    assert store == {"1": "2", "2": "4", "3": "4", "5": "6"}


# -- popitem, copy -----------------------------------------------------------------------


@pytest.mark.cpython("mapping_tests.BasicTestMappingProtocol.test_popitem")
def test_popitem__extra_argument(store):
    """popitem(42) on an empty store raises TypeError (dict's popitem takes no argument),
    or KeyError where the signature is extended as OrderedDict's ``popitem(last=True)``;
    either way it must not succeed."""
    with pytest.raises((TypeError, KeyError)):
        store.popitem(42)


@pytest.mark.cpython("mapping_tests.TestMappingProtocol.test_copy")
@pytest.mark.pdict_requires(copy="same_type")
def test_copy__same_type(request, store):
    """copy() returns an instance of the store's own class."""
    assert isinstance(copy_of(request, store), store.__class__)


# -- TestHashMappingProtocol -------------------------------------------------------------


@pytest.mark.cpython("mapping_tests.TestHashMappingProtocol.test_mutatingiteration")
@pytest.mark.pdict_requires(mutation_during_iteration="raises")
def test_mutatingiteration(store):
    """Adding a key on every step of iterating: the loop must not reach a second step without RuntimeError."""
    store["1"] = "1"
    try:
        count = 0
        for key in store:
            store[key + "1"] = "1"
            if count >= 1:
                pytest.fail("changing the store's size during iteration doesn't raise an error")
            count += 1
    except RuntimeError:
        pass
