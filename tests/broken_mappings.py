"""Deliberately broken mappings: the kit must catch each one.

Every class here is a small, otherwise correct store with ONE realistic defect
of the kind a database-backed mapping gets wrong (paging, cached counts, key
encoding, ordering, error mapping, views, value codecs, the dict extras).  Its
docstring names the defect; its ``@caught_by`` decorator (``catalogue.py``)
names the kit tests that must fail, which ``test_broken_mappings_caught.py``
checks against the certificate of a real kit run
(``--pdict-backend=broken_mappings:Name``).

The correct bases (``@conforms``) are certified too, so that a caught
defect is the declared one and not a flaw of the base:

``Reference``       a ``MutableMapping`` over a private dict, with dict's extras
                    (``copy``, ``fromkeys``, ``|``, ``|=``, ``reversed``, views
                    with dict's reprs, LIFO ``popitem``).
``PagedReference``  the same, iterating in pages of 1000 keys (``LIMIT/OFFSET``).
``CountedReference``  the same, answering ``len`` from a cached row count.
``EncodedKeyReference``  the same, storing each key under an encoded form and
                    keeping the first inserted key object beside the value.
"""

from __future__ import annotations

import itertools
import pickle
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping
from typing import Any

from catalogue import caught_by, conforms
from dict_extras import DictExtras
from dict_extras import DictItems as _Items, DictKeys as _Keys, DictValues as _Values

# -- the correct bases ---------------------------------------------------------


def _guarded(store: "Reference", keys: Any):
    """Yield ``keys``, raising RuntimeError as dict does once the store's keys change
    (a live iterator over the table, advanced in step, notices it)."""
    watch = iter(store._data)
    for key in keys:
        next(watch, None)
        yield key
    next(watch, None)




@conforms
class Reference(DictExtras, MutableMapping):
    """A correct store over a private dict: passes the whole kit (the control).

    Values go through ``_dump``/``_load`` (a codec, identity here) so that the
    value defects below change only the codec.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        self._data: dict[Any, Any] = {}
        MutableMapping.update(self, *args, **kwargs)

    # the value codec
    def _dump(self, value: Any) -> Any:
        return value

    def _load(self, stored: Any) -> Any:
        return stored

    # the abstract methods
    def __getitem__(self, key: Any) -> Any:
        return self._load(self._data[key])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._data[key] = self._dump(value)

    def __delitem__(self, key: Any) -> None:
        del self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    # what a store answers itself rather than through __getitem__
    def __contains__(self, key: Any) -> bool:
        return key in self._data

    def __reversed__(self):
        return reversed(self._data)

    def keys(self):
        return _Keys(self)

    def values(self):
        return _Values(self)

    def items(self):
        return _Items(self)

    def popitem(self) -> tuple[Any, Any]:
        if not self._data:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self._data))
        value = self[key]
        del self[key]
        return key, value

    def clear(self) -> None:
        self._data.clear()

    # dict's extras
    def copy(self):
        return type(self)(self)



@conforms
class PagedReference(Reference):
    """A correct store whose iteration fetches keys a page at a time
    (``SELECT key ... ORDER BY rowid LIMIT 1000 OFFSET n``)."""

    PAGE = 1000

    def _page(self, offset: int) -> list[Any]:
        return list(itertools.islice(self._data, offset, offset + self.PAGE))

    def _offsets(self, n: int):
        return range(0, n, self.PAGE)

    def _paged_keys(self):
        for offset in self._offsets(len(self._data)):
            yield from self._page(offset)

    def __iter__(self):
        return _guarded(self, self._paged_keys())


@conforms
class CountedReference(Reference):
    """A correct store that answers ``len`` from a cached row count."""

    def __init__(self, *args: Any, **kwargs: Any):
        self._count = 0
        super().__init__(*args, **kwargs)

    def __len__(self) -> int:
        return self._count

    def __setitem__(self, key: Any, value: Any) -> None:
        if key not in self._data:
            self._count += 1
        self._data[key] = self._dump(value)

    def __delitem__(self, key: Any) -> None:
        del self._data[key]
        self._count -= 1

    def clear(self) -> None:
        self._data.clear()
        self._count = 0


@conforms
class EncodedKeyReference(Reference):
    """A correct store that files each key under ``_encode(key)`` and keeps the
    key object first inserted beside the value (``_data[code] = (key, value)``).
    The correct encoding is the key itself."""

    def _encode(self, key: Any) -> Any:
        return key

    def _code(self, key: Any) -> Any:
        hash(key)  # unhashable keys raise TypeError, as in dict
        return self._encode(key)

    def __getitem__(self, key: Any) -> Any:
        try:
            return self._load(self._data[self._code(key)][1])
        except KeyError:
            raise KeyError(key) from None

    def __setitem__(self, key: Any, value: Any) -> None:
        code = self._code(key)
        old = self._data.get(code)
        self._data[code] = (old[0] if old is not None else key, self._dump(value))

    def __delitem__(self, key: Any) -> None:
        try:
            del self._data[self._code(key)]
        except KeyError:
            raise KeyError(key) from None

    def __contains__(self, key: Any) -> bool:
        return self._code(key) in self._data

    def __iter__(self):
        for code in self._data:
            yield self._data[code][0]

    def __reversed__(self):
        for code in reversed(self._data):
            yield self._data[code][0]

    def popitem(self) -> tuple[Any, Any]:
        if not self._data:
            raise KeyError("popitem(): dictionary is empty")
        key, stored = self._data.pop(next(reversed(self._data)))
        return key, self._load(stored)


# -- paging ----------------------------------------------------------------------


@caught_by(
    "test_insertion_order_past_page_sizes",
    "test_items_and_values_past_page_sizes",
    "test_len_and_iteration_past_page_sizes",
    "test_reversed_past_page_sizes",
)
class LastPartialPageDropped(PagedReference):
    """Defect: the number of pages is ``n // 1000`` (floor, not ceiling), so
    iteration of a store with more than 1000 keys drops the last, partial page.
    """

    def _offsets(self, n: int):
        return range(0, max(1, n // self.PAGE) * self.PAGE, self.PAGE)


@caught_by(
    "test_insertion_order_past_page_sizes",
    "test_items_and_values_past_page_sizes",
    "test_len_and_iteration_past_page_sizes",
    "test_reversed_past_page_sizes",
)
class PageBoundaryDuplicated(PagedReference):
    """Defect: the next page starts at the last key of the previous one (an
    inclusive bound), so the key at every page boundary is yielded twice.
    """

    def _offsets(self, n: int):
        return range(0, n, self.PAGE - 1)


@caught_by(
    "test_insertion_order_past_page_sizes",
    "test_items_and_values_past_page_sizes",
    "test_len_and_iteration_past_page_sizes",
    "test_reversed_past_page_sizes",
)
class EveryThousandthKeyLost(PagedReference):
    """Defect: the next page starts one row too late (``OFFSET`` + 1001), so one
    key per page boundary (the 1001st, 2002nd, ...) is never yielded.
    """

    def _offsets(self, n: int):
        return range(0, n, self.PAGE + 1)


@caught_by(
    "test_clear_past_page_sizes",
)
class BatchedClearLeavesRemainder(PagedReference):
    """Defect: clear() deletes in batches of 1000 and runs ``n // 1000`` batches,
    so a store of 5003 keys keeps 3 after clear().
    """

    def clear(self) -> None:
        for _ in range(max(1, len(self._data) // self.PAGE)):
            for key in list(itertools.islice(self._data, self.PAGE)):
                del self._data[key]


# -- stale len -------------------------------------------------------------------


@caught_by(
    "test_len_tracks_deletes_past_page_sizes",
    "test_popitem_drains_past_page_sizes",
    "test_store_behaves_like_dict",
)
class StaleLenAfterDelete(CountedReference):
    """Defect: deleting a key (del, pop) does not decrement the cached count.
    """

    def __delitem__(self, key: Any) -> None:
        del self._data[key]


@caught_by(
    "test_clear_past_page_sizes",
    "test_views_are_live",
)
class StaleLenAfterClear(CountedReference):
    """Defect: clear() empties the table but not the cached count.
    """

    def clear(self) -> None:
        self._data.clear()


@caught_by(
    "test_len_and_iteration_past_page_sizes",
    "test_update_overlapping_past_page_sizes",
    "test_store_behaves_like_dict",
)
class StaleLenAfterBulkUpdate(CountedReference):
    """Defect: update() writes its rows in one batch, bypassing the cached count.
    """

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        if isinstance(other, Mapping):
            rows = other.items()
        elif hasattr(other, "keys"):
            rows = ((k, other[k]) for k in other.keys())
        else:
            rows = other
        for key, value in itertools.chain(rows, kwargs.items()):
            self._data[key] = self._dump(value)


# -- key identity ------------------------------------------------------------------


@caught_by(
    "test_big_float_and_int_equality",
    "test_equal_key_of_another_type_is_found",
    "test_equal_numeric_keys_are_one_key",
    "test_equal_tuples_of_different_types_are_one_key",
    "test_first_inserted_key_object_is_kept",
    "test_zero_false_and_negative_zero_are_one_key",
    "test_store_behaves_like_dict",
)
class NumericKeysDistinct(EncodedKeyReference):
    """Defect: keys are filed under their pickle, so 1, 1.0 and True (and 0, 0.0,
    -0.0, False) are distinct keys, while declaring dict's key equality.
    """

    def _encode(self, key: Any) -> Any:
        return pickle.dumps(key)


@caught_by(
    "test_bool_and_its_spellings_are_different_keys",
    "test_equal_numeric_keys_are_one_key",
    "test_none_and_its_spellings_are_different_keys",
    "test_string_and_number_lookalikes_are_different_keys",
    "test_store_behaves_like_dict",
)
class StrEncodedKeys(EncodedKeyReference):
    """Defect: keys are filed under ``str(key)``, so 1 and '1', None and 'None',
    True and 'True' collide (the first key object inserted is kept).
    """

    def _encode(self, key: Any) -> Any:
        return str(key)


@caught_by(
    "test_bool_and_its_spellings_are_different_keys",
    "test_unicode_keys_are_distinct",
)
class CaseInsensitiveKeys(EncodedKeyReference):
    """Defect: a case-insensitive collation: 'A' and 'a' (and 'True' and 'true')
    are one key.
    """

    def _encode(self, key: Any) -> Any:
        return key.lower() if isinstance(key, str) else key


@caught_by(
    "test_bool_and_its_spellings_are_different_keys",
    "test_every_pool_key_comes_back_with_its_type",
    "test_first_inserted_key_object_is_kept",
    "test_store_behaves_like_dict",
)
class KeyTypeNotPreserved(Reference):
    """Defect: an INTEGER-affinity key column: True and integral floats are
    stored as ints, so iteration yields 1 for True and 2 for 2.0.
    """

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, bool) or (isinstance(key, float) and key.is_integer()):
            key = int(key)
        self._data[key] = self._dump(value)


@caught_by(
    "test_failed_operation_leaves_store_usable",
    "test_unhashable_key_raises_typeerror[list-of-str]",
    "test_unhashable_key_raises_typeerror[list]",
)
class ListKeysAccepted(Reference):
    """Defect: a "convenience" that files a list key as the equal tuple, so
    ``store[[1]] = v`` succeeds instead of raising TypeError.
    """

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, list):
            key = tuple(key)
        self._data[key] = self._dump(value)


# -- order -------------------------------------------------------------------------


def _collation(key: Any) -> tuple[str, str]:
    return (type(key).__name__, repr(key))


@caught_by(
    "test_insertion_order_past_page_sizes",
    "test_overwrite_keeps_place",
    "test_popitem_is_lifo",
    "test_store_behaves_like_dict",
)
class OverwriteMovesToEnd(Reference):
    """Defect: an overwrite is DELETE + INSERT (a new rowid), so the key moves
    to the end of the iteration order.
    """

    def __setitem__(self, key: Any, value: Any) -> None:
        self._data.pop(key, None)
        self._data[key] = self._dump(value)


@caught_by(
    "test_constructor_keeps_argument_order",
    "test_delete_and_reinsert_moves_to_end",
    "test_iteration_follows_insertion",
    "test_update_inserts_in_argument_order",
    "test_store_behaves_like_dict",
)
class SortedIteration(Reference):
    """Defect: iteration is ``ORDER BY key`` although the store declares
    insertion order.
    """

    def __iter__(self):
        return _guarded(self, sorted(self._data, key=_collation))


@caught_by(
    "test_reversed",
    "test_store_behaves_like_dict",
)
class ReversedByKeyDescending(Reference):
    """Defect: reversed() is ``ORDER BY key DESC`` instead of reverse insertion order.
    """

    def __reversed__(self):
        return _guarded(self, sorted(self._data, key=_collation, reverse=True))


@caught_by(
    "test_popitem_is_lifo",
    "test_store_behaves_like_dict",
)
class PopitemFIFO(OrderedDict):
    """Defect: popitem() removes the first item (OrderedDict.popitem(last=False)
    as the default), not the last.
    """

    def popitem(self, last: bool = False) -> tuple[Any, Any]:
        return super().popitem(last=last)


@caught_by(
    "test_delete_during_iteration_raises",
    "test_insert_during_iteration_raises",
    "test_view_iteration_raises_on_size_change[items]",
    "test_view_iteration_raises_on_size_change[keys]",
    "test_view_iteration_raises_on_size_change[values]",
)
class SnapshotIteration(Reference):
    """Defect: iteration walks a snapshot of the keys (a fetched cursor), so
    changing the size while iterating raises no RuntimeError, although the
    store declares dict's ``mutation_during_iteration="raises"``.
    """

    def __iter__(self):
        return iter(list(self._data))


# -- errors --------------------------------------------------------------------------


class RowNotFound(Exception):
    """A database driver's "no row" error (not a KeyError)."""


@caught_by(
    "test_failed_operation_leaves_store_usable",
    "test_get_missing_returns_default_object",
    "test_keyerror_is_a_lookuperror",
    "test_missing_key_error_carries_the_key[getitem]",
    "test_store_behaves_like_dict",
)
class DriverErrorForMissingKey(Reference):
    """Defect: a missing key raises the driver's RowNotFound instead of KeyError
    (so get() and pop(k, d), which catch KeyError, raise it too).
    """

    def __getitem__(self, key: Any) -> Any:
        try:
            return self._load(self._data[key])
        except KeyError:
            raise RowNotFound(f"no row for key {key!r}") from None


@caught_by(
    "test_failed_operation_leaves_store_usable",
    "test_get_missing_returns_default_object",
    "test_keyerror_is_a_lookuperror",
    "test_missing_key_error_carries_the_key[getitem]",
    "test_pop_missing_without_default_raises_keyerror",
    "test_store_behaves_like_dict",
)
class NoneForMissingKey(Reference):
    """Defect: ``store[missing]`` returns None (an empty SELECT) instead of raising KeyError.
    """

    def __getitem__(self, key: Any) -> Any:
        stored = self._data.get(key)
        return None if stored is None else self._load(stored)


@caught_by(
    "test_missing_key_error_carries_the_key[delitem]",
    "test_store_behaves_like_dict",
)
class LookupErrorOnDelete(Reference):
    """Defect: deleting a missing key raises a bare LookupError, not KeyError.
    """

    def __delitem__(self, key: Any) -> None:
        if key not in self._data:
            raise LookupError(key)
        del self._data[key]


@caught_by(
    "test_missing_key_error_carries_the_key[getitem]",
    "test_missing_key_error_carries_the_key[pop]",
    "test_store_behaves_like_dict",
)
class KeyErrorWithoutKey(Reference):
    """Defect: KeyError for a missing key carries a message, not the key.
    """

    def __getitem__(self, key: Any) -> Any:
        try:
            return self._load(self._data[key])
        except KeyError:
            raise KeyError("key not found in store") from None


@caught_by(
    "test_missing_key_error_carries_the_key[pop]",
    "test_pop_missing_without_default_raises_keyerror",
    "test_store_behaves_like_dict",
)
class PopWithoutDefaultReturnsNone(Reference):
    """Defect: ``pop(key, default=None)``: pop of a missing key without a default
    returns None instead of raising KeyError.
    """

    def pop(self, key: Any, default: Any = None) -> Any:
        if key not in self._data:
            return default
        value = self[key]
        del self[key]
        return value


@caught_by(
    "test_pop_missing_without_default_raises_keyerror",
    "test_store_behaves_like_dict",
)
class PopIgnoresDefault(Reference):
    """Defect: ``pop(key, *default)`` ignores the default, so pop of a missing key
    raises KeyError even when a default is given.
    """

    def pop(self, key: Any, *default: Any) -> Any:
        if len(default) > 1:
            raise TypeError(f"pop expected at most 2 arguments, got {1 + len(default)}")
        value = self[key]
        del self[key]
        return value


@caught_by(
    "test_popitem_on_empty_raises_keyerror",
    "test_popitem_until_empty",
    "test_store_behaves_like_dict",
)
class PopitemEmptyRaisesStopIteration(Reference):
    """Defect: popitem() on an empty store lets StopIteration escape (no emptiness check).
    """

    def popitem(self) -> tuple[Any, Any]:
        key = next(reversed(self._data))
        value = self[key]
        del self[key]
        return key, value


@caught_by(
    "test_store_is_not_hashable",
)
class HashableStore(dict):
    """Defect: the store is hashable (by identity, like an ORM object), so it can
    be a set member or a dict key although it is mutable.
    """

    __hash__ = object.__hash__


# -- views ---------------------------------------------------------------------------


@caught_by(
    "test_view_iteration_raises_on_size_change[values]",
    "test_views_are_live",
)
class ValuesSnapshot(Reference):
    """Defect: values() returns a list fetched once, not a live view.
    """

    def values(self):
        return [self._load(v) for v in self._data.values()]


@caught_by(
    "test_items_membership_checks_value",
    "test_items_view_set_operations",
)
class ItemsMembershipIgnoresValue(Reference):
    """Defect: ``(k, v) in items()`` only checks that k is a key.
    """

    def items(self):
        return _KeyOnlyItems(self)


class _KeyOnlyItems(_Items):
    def __contains__(self, item: Any) -> bool:
        key, _value = item
        return key in self._mapping


@caught_by(
    "test_keys_view_compares_as_set",
    "test_keys_view_set_operations",
    "test_views_are_live",
    "test_store_behaves_like_dict",
)
class KeysAsList(Reference):
    """Defect: keys() returns a list (Python 2 style): no set operations, not live.
    """

    def keys(self):
        return list(self)


# -- values --------------------------------------------------------------------------


@caught_by(
    "test_big_ints_are_exact",
    "test_every_sample_value_round_trips",
    "test_numbers_keep_their_type",
    "test_store_behaves_like_dict",
)
class IntValuesBecomeFloat(Reference):
    """Defect: numbers go into a REAL column: an int value comes back as a float.
    """

    def _dump(self, value: Any) -> Any:
        if type(value) is int:
            try:
                return float(value)
            except OverflowError:
                return value
        return value


@caught_by(
    "test_every_sample_value_round_trips",
    "test_numbers_keep_their_type",
)
class BoolValuesBecomeInt(Reference):
    """Defect: booleans are stored as 0/1 and come back as ints.
    """

    def _dump(self, value: Any) -> Any:
        return int(value) if type(value) is bool else value


@caught_by(
    "test_every_sample_value_round_trips",
    "test_tuple_value_stays_tuple",
    "test_store_behaves_like_dict",
)
class TupleValuesBecomeLists(Reference):
    """Defect: a JSON value codec: tuples come back as lists, although the
    store declares ``value_roundtrip="identity"``.
    """

    def _dump(self, value: Any) -> Any:
        return _tuples_to_lists(value)


def _tuples_to_lists(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_tuples_to_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _tuples_to_lists(v) for k, v in value.items()}
    return value


@caught_by(
    "test_big_ints_are_exact",
    "test_every_sample_value_round_trips",
)
class BigIntTruncatedTo64Bits(Reference):
    """Defect: ints are stored in a signed 64-bit column and wrap around.
    """

    def _dump(self, value: Any) -> Any:
        if type(value) is int:
            return (value + 2**63) % 2**64 - 2**63
        return value


@caught_by(
    "test_floats_are_exact",
)
class NegativeZeroLost(Reference):
    """Defect: the float codec normalises -0.0 to 0.0.
    """

    def _dump(self, value: Any) -> Any:
        return value + 0.0 if type(value) is float else value


@caught_by(
    "test_floats_are_exact",
)
class FloatPrecisionLost(Reference):
    """Defect: floats are stored as text with ``%g`` (six significant digits).
    """

    def _dump(self, value: Any) -> Any:
        return float("%g" % value) if type(value) is float else value


@caught_by(
    "test_strings_are_exact",
)
class StrValuesTruncatedAtNul(Reference):
    """Defect: a C driver treats str values as NUL-terminated: 'a\\x00b' comes back as 'a'.
    """

    def _dump(self, value: Any) -> Any:
        return value.split("\x00", 1)[0] if isinstance(value, str) else value


@caught_by(
    "test_stored_value_is_shared",
    "test_value_identity",
)
class PickledValues(Reference):
    """Defect: values are pickled, so a read gives a copy, not the stored object,
    although the store declares ``value_roundtrip="identity"`` and
    ``values_are_copies=False`` (dict's).
    """

    def _dump(self, value: Any) -> Any:
        return pickle.dumps(value)

    def _load(self, stored: Any) -> Any:
        return pickle.loads(stored)


@caught_by(
    "test_none_value_is_not_missing",
)
class NoneValueReadsAsMissing(Reference):
    """Defect: get() treats a stored None (a NULL column) as a missing row and
    returns the default.
    """

    def get(self, key: Any, default: Any = None) -> Any:
        stored = self._data.get(key)
        return default if stored is None else self._load(stored)


# -- methods ---------------------------------------------------------------------------


@caught_by(
    "test_update_inserts_in_argument_order",
    "test_store_behaves_like_dict",
)
class UpdateIgnoresKeywords(Reference):
    """Defect: update() drops its keyword arguments.
    """

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        MutableMapping.update(self, other)


@caught_by(
    "test_len_and_iteration_past_page_sizes",
    "test_update_inserts_in_argument_order",
    "test_update_with_non_pair_raises_typeerror",
    "test_update_with_wrong_pair_length_raises_valueerror[one]",
    "test_update_with_wrong_pair_length_raises_valueerror[three]",
    "test_store_behaves_like_dict",
)
class UpdateIgnoresPairs(Reference):
    """Defect: update() only understands mappings; an iterable of pairs is silently ignored.
    """

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        if hasattr(other, "keys"):
            for key in other.keys():
                self[key] = other[key]
        for key, value in kwargs.items():
            self[key] = value


@caught_by(
    "test_overwrite_keeps_place",
    "test_setdefault__mutable_default",
    "test_setdefault_present_keeps_value",
    "test_write__setdefault_present",
    args=('-k', 'setdefault or overwrite'),
)
class SetdefaultOverwrites(dict):
    """Defect: setdefault() is an UPSERT: it writes the default even when the key exists.
    """

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self[key] = default
        return default


@caught_by(
    "test_clear_past_page_sizes",
    "test_views_are_live",
)
class ClearLeavesLastKey(Reference):
    """Defect: clear() is ``DELETE WHERE rowid < max(rowid)``: the last key stays.
    """

    def clear(self) -> None:
        for key in list(self._data)[:-1]:
            del self._data[key]


@caught_by(
    "test_get_missing_returns_default_object",
    "test_store_behaves_like_dict",
)
class GetReturnsCopyOfDefault(Reference):
    """Defect: get(missing, default) passes the default through the value codec
    and returns a copy of it, not the object itself.
    """

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self._data:
            return self[key]
        return pickle.loads(pickle.dumps(default))


@caught_by(
    "test_ior_updates_in_place_and_returns_the_store",
    "test_store_behaves_like_dict",
)
class IorReturnsNewStore(Reference):
    """Defect: ``store |= other`` builds a new store (``self | other``) instead of
    updating the store in place and returning it.
    """

    def __ior__(self, other: Any):
        return self | dict(other)


@caught_by(
    "test_copy__independent",
    "test_store_behaves_like_dict",
    args=('-k', 'copy or model'),
)
class CopySharesState(Reference):
    """Defect: copy() returns a new handle on the same table, so a change to the
    original shows in the copy.
    """

    def copy(self):
        new = type(self).__new__(type(self))
        new._data = self._data
        return new


@caught_by(
    "test_fromkeys__value",
    "test_fromkeys_sets_every_key_to_the_value",
    args=('-k', 'fromkeys'),
)
class FromkeysIgnoresValue(Reference):
    """Defect: fromkeys(keys, value) ignores value: every key maps to None.
    """

    @classmethod
    def fromkeys(cls, keys: Any, value: Any = None):
        store = cls()
        for key in keys:
            store[key] = None
        return store


@caught_by(
    "test_equality_compares_values",
    "test_store_behaves_like_dict",
)
class EqComparesKeysOnly(Reference):
    """Defect: ``==`` compares the key sets only (a cheap "same rows" check),
    so stores with the same keys and different values compare equal.
    """

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return set(self._data) == set(other.keys())


@caught_by("test_fromkeys_sets_every_key_to_the_value", "test_fromkeys_default_is_none")
class FromkeysNotImplemented(Reference):
    """Defect: the class's own fromkeys() raises NotImplementedError (a store that
    cannot be built without a location), while the class is certified as a mapping class."""

    @classmethod
    def fromkeys(cls, keys: Any, value: Any = None):
        raise NotImplementedError("fromkeys needs a location")


class _FirstStoreViews(Reference):
    """Views built over the first store of the class ever made (a module-level cache)."""

    _first: "Reference | None" = None

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if type(self)._first is None:
            type(self)._first = self

    def _owner(self) -> "Reference":
        return type(self)._first or self


@caught_by("test_views_belong_to_their_own_store")
class ViewsOfFirstStore(_FirstStoreViews):
    """Defect: keys(), values() and items() are cached per class, so every store's views
    show the first store's items."""

    def keys(self):
        return _Keys(self._owner())

    def values(self):
        return _Values(self._owner())

    def items(self):
        return _Items(self._owner())


class _ValuesBackwards(_Values):
    def __iter__(self):
        return iter([self._mapping[k] for k in reversed(list(self._mapping))])


@caught_by("test_views_pair_up", "test_iteration_follows_insertion")
class ValuesInAnotherOrder(Reference):
    """Defect: values() walks the table in the other direction (ORDER BY rowid DESC), so
    zip(keys(), values()) pairs keys with other keys' values."""

    def values(self):
        return _ValuesBackwards(self)


@caught_by("test_copy_is_of_the_same_type")
class CopyReturnsPlainDict(Reference):
    """Defect: copy() returns a plain dict snapshot while the class is certified as a
    mapping class (whose copy() must be of its own type)."""

    def copy(self):
        return dict(self.items())
