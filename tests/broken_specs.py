"""Broken twins of the control stores: each breaks what its declaration promises.

Every spec here declares one of the capabilities of real store designs
(``value_buffer``, ``key_spelling``, ``key_comparison``, ``forbidden_keys``,
``update_atomic``, ``sized``, ``reversed="mapping_only"``, ``nan_keys``) or
dict's value for it, and gets that one thing wrong.  Its ``@caught_by`` names
the kit tests that must fail (``catalogue.py``); its correct twin in
``control_stores.py`` conforms.
"""

from __future__ import annotations

from typing import Any

from catalogue import caught_by
from control_stores import (
    AtomicUpdateStore,
    BytesStore,
    ControlSpec,
    ControlStore,
    ForwardViewStore,
    JsonStore,
    JsonValues,
    MemoryviewStore,
    NoEmptyKeyStore,
    SerialisedKeyStore,
    UnsizedStore,
    Utf8KeyStore,
)


@caught_by("test_bytes_values_come_back_as_bytes")
class BufferValuesUndeclared(ControlSpec):
    """Defect: bytes values come back as memoryview, while declaring value_buffer='bytes'."""

    store_class = type("MemoryviewBytes", (MemoryviewStore, BytesStore), {})
    capabilities = {"key_types": {"bytes"}, "value_types": {"bytes"}, "value_roundtrip": "equal"}


class _Latin1Store(BytesStore):
    def _load(self, stored: Any) -> Any:
        return stored.decode("latin-1")


@caught_by("test_bytes_like_values_hold_the_same_bytes")
class BytesLikeValuesAreText(ControlSpec):
    """Defect: declaring value_buffer='bytes_like', bytes values come back decoded as str."""

    store_class = _Latin1Store
    capabilities = {"key_types": {"bytes"}, "value_types": {"bytes"}, "value_buffer": "bytes_like",
                    "value_roundtrip": "equal"}


class _TwoSpellingsStore(Utf8KeyStore):
    def _file(self, key: Any) -> Any:
        hash(key)
        return key  # "a" and b"a" are two keys


@caught_by("test_str_keys_come_back_as_utf8_bytes")
class Utf8SpellingTwoKeys(ControlSpec):
    """Defect: declaring key_spelling='utf8_bytes', iteration yields bytes but a str key and
    its UTF-8 bytes are two keys."""

    store_class = _TwoSpellingsStore
    capabilities = {"key_types": {"str"}, "key_spelling": "utf8_bytes", "dict_repr": False}


@caught_by("test_every_pool_key_comes_back_with_its_type", "test_iteration_follows_insertion")
class Utf8SpellingUndeclared(ControlSpec):
    """Defect: str keys come back as UTF-8 bytes, while declaring key_spelling='as_written'."""

    store_class = Utf8KeyStore
    capabilities = {"key_types": {"str"}, "dict_repr": False}


class _FloatsByValueStore(SerialisedKeyStore):
    def _file(self, key: Any) -> Any:
        hash(key)
        return ("float", key) if isinstance(key, float) else super()._file(key)


@caught_by("test_serialised_comparison_keeps_zero_and_negative_zero_apart")
class SerialisedButZerosMerge(ControlSpec):
    """Defect: declaring key_comparison='serialised', 0.0 and -0.0 are one key (floats filed by value)."""

    store_class = _FloatsByValueStore
    capabilities = {
        "key_types": {"str", "int", "float", "bool", "none", "bytes", "tuple", "object"},
        "key_comparison": "serialised", "numeric_key_equality": "distinct", "nan_keys": "none",
    }


class _BoolsApart(ControlStore):
    def _file(self, key: Any) -> Any:
        hash(key)
        if isinstance(key, tuple):
            return tuple(self._file(k) for k in key)
        return ("bool", key) if isinstance(key, bool) else key  # 1 and 1.0 still one key


@caught_by("test_distinct_numeric_keys_are_three_keys")
class DistinctButIntAndFloatMerged(ControlSpec):
    """Defect: declaring numeric_key_equality='distinct', True is kept apart from 1 but 1 and
    1.0 are one key."""

    store_class = _BoolsApart
    capabilities = {"numeric_key_equality": "distinct"}


class _EmptyKeyAccepted(ControlStore):
    pass


@caught_by("test_forbidden_empty_key_is_refused")
class ForbiddenKeyAccepted(ControlSpec):
    """Defect: declaring forbidden_keys={'empty'}, the empty key is stored."""

    store_class = _EmptyKeyAccepted
    capabilities = {"forbidden_keys": {"empty"}}


class _EmptyKeyWrittenThenRefused(NoEmptyKeyStore):
    def __setitem__(self, key: Any, value: Any) -> None:
        try:
            self._check_key(key)
        except ValueError:
            code = self._file(key)
            self._changes += code not in self._data
            self._data[code] = (self._spell(key), self._dump(value))  # written first ...
            raise  # ... then refused
        super().__setitem__(key, value)  # every other key as the control store does


@caught_by("test_forbidden_empty_key_is_refused")
class ForbiddenKeyHalfWritten(ControlSpec):
    """Defect: the empty key raises ValueError, but only after it was written."""

    store_class = _EmptyKeyWrittenThenRefused
    capabilities = {"forbidden_keys": {"empty"}}


@caught_by("test_atomic_update_writes_nothing_on_error")
class AtomicUpdateSequential(ControlSpec):
    """Defect: declaring update_atomic=True, update() applies its pairs one by one (dict's way)."""

    store_class = ControlStore
    capabilities = {"update_atomic": True}


class _UpdateWritesAfterError(ControlStore):
    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        error = None
        for element in (other.items() if hasattr(other, "items") else other):
            try:
                key, value = element
                self[key] = value
            except (TypeError, ValueError) as exc:
                error = error or exc  # carries on past the bad pair
        for key, value in kwargs.items():
            self[key] = value
        if error is not None:
            raise error


@caught_by(
    "test_update_with_wrong_pair_length_raises_valueerror[one]",
    "test_update_with_wrong_pair_length_raises_valueerror[three]",
    "test_update_with_non_pair_raises_typeerror",
    "test_update_with_unhashable_key_raises_typeerror",
)
class UpdateSkipsBadPairs(ControlSpec):
    """Defect: update() skips a bad pair, writes the rest, then raises."""

    store_class = _UpdateWritesAfterError


class _CountingWrong(UnsizedStore):
    def __len__(self) -> int:
        return 0


@caught_by("test_unsized_store_len_raises_typeerror")
class UnsizedLenLies(ControlSpec):
    """Defect: declaring sized=False, len() answers 0 instead of raising TypeError."""

    store_class = _CountingWrong
    capabilities = {"sized": False}


@caught_by("test_len_counts_keys", "test_len_and_iteration_past_page_sizes")
class SizedLenRaises(ControlSpec):
    """Defect: len() raises TypeError while declaring sized=True (dict's)."""

    store_class = UnsizedStore


@caught_by("test_views_not_reversible_when_declared[keys]", "test_views_not_reversible_when_declared[values]",
           "test_views_not_reversible_when_declared[items]")
class MappingOnlyButViewsReverse(ControlSpec):
    """Defect: declaring reversed='mapping_only', the views can be reversed too (stale declaration)."""

    store_class = ControlStore
    capabilities = {"reversed": "mapping_only"}


@caught_by("test_reversed_views")
class ViewsNotReversible(ControlSpec):
    """Defect: the views cannot be reversed, while declaring reversed=True (dict's)."""

    store_class = ForwardViewStore
    capabilities = {"dict_repr": False}


class _NanLost(ControlStore):
    def _file(self, key: Any) -> Any:
        hash(key)
        return ("nan", id(key)) if key != key else key

    def __getitem__(self, key: Any) -> Any:
        if key != key:
            raise KeyError(key)  # a NaN key is written, never found
        return super().__getitem__(key)


@caught_by("test_nan_key_is_found_by_itself")
class NanKeyNotFound(ControlSpec):
    """Defect: a NaN key is stored but cannot be read back, while declaring nan_keys='identity'."""

    store_class = _NanLost


@caught_by("test_atomic_update_writes_nothing_on_error", "test_update_with_unstorable_value_stops_there")
class AtomicUpdateHalfWritesBadValue(ControlSpec):
    """Defect: declaring update_atomic=True, update() checks pair shapes up front but writes
    values one by one, so a value outside the domain leaves the pairs before it written."""

    class store_class(AtomicUpdateStore):  # noqa: N801
        def update(self, other: Any = (), /, **kwargs: Any) -> None:
            pairs = list(other.items() if hasattr(other, "items") else other) + list(kwargs.items())
            for pair in pairs:
                if len(tuple(pair)) != 2:
                    raise ValueError("update sequence element has the wrong length")
            for key, value in pairs:
                if isinstance(value, (set, frozenset)) or type(value) is object:
                    raise TypeError("cannot store a set")
                hash(key)
                self[key] = value

    capabilities = {"update_atomic": True, "value_types": {"none", "bool", "int", "float", "str", "bytes",
                                                           "list", "dict", "tuple"}}


class _ObjectRepr(ControlStore):
    def __repr__(self) -> str:
        return object.__repr__(self)


@caught_by("test_repr_is_dicts")
class ReprNotDicts(ControlSpec):
    """Defect: repr(store) is the object's default repr, while declaring dict_repr=True (dict's)."""

    store_class = _ObjectRepr


class _JsonStrKeysOnly(JsonStore):
    def _dump(self, value: Any) -> Any:
        if isinstance(value, dict) and any(type(k) is not str for k in value):
            raise TypeError("dict values need str keys")
        return super()._dump(value)


@caught_by("test_json_int_dict_keys_come_back_as_strings")
class JsonRefusesIntDictKeys(ControlSpec):
    """Defect: declaring value_roundtrip='json', a dict value with int keys (which json.dumps
    accepts, spelling the keys as str) raises TypeError."""

    store_class = _JsonStrKeysOnly
    capabilities = dict(JsonValues.capabilities)


@caught_by("test_empty_key_is_a_key", "test_every_pool_key_comes_back_with_its_type")
class EmptyKeyRefusedUndeclared(ControlSpec):
    """Defect: the empty key is refused, while forbidden_keys declares nothing (dict's)."""

    store_class = NoEmptyKeyStore


@caught_by("test_not_reversible_when_declared")
class ReversibleDeclaredNot(ControlSpec):
    """Defect: declaring reversed=False, reversed(store) works (a stale declaration)."""

    store_class = ControlStore
    capabilities = {"reversed": False}


class _TuplesByValue(SerialisedKeyStore):
    def _file(self, key: Any) -> Any:
        hash(key)
        if isinstance(key, tuple):  # ints and floats by value, bools apart
            return ("tuple", tuple(("bool", k) if isinstance(k, bool) else k for k in key))
        return super()._file(key)


@caught_by("test_serialised_comparison_keeps_equal_tuples_of_other_types_apart")
class SerialisedButTuplesByValue(ControlSpec):
    """Defect: declaring key_comparison='serialised', tuple keys are filed by value, so (1,)
    and (1.0,) are one key."""

    store_class = _TuplesByValue
    capabilities = dict(SerialisedButZerosMerge.capabilities)


class _TypeCheckedFirst(BytesStore):
    def _file(self, key: Any) -> Any:
        if not isinstance(key, bytes):
            raise KeyError(key)  # checks the type before hashing: [] is "missing"
        return key

    def __contains__(self, key: Any) -> bool:
        return isinstance(key, bytes) and key in self._data


@caught_by(
    "test_unhashable_key_raises_typeerror[list]",
    "test_unhashable_key_raises_typeerror[dict]",
    "test_unhashable_key_raises_typeerror[set]",
    "test_unhashable_key_raises_typeerror[list-of-str]",
)
class BytesStoreUnhashableKeyError(ControlSpec):
    """Defect: a bytes-only store answers an unhashable key with KeyError (or False for
    ``in``) instead of TypeError: the defect the suite's old str keys and int values hid,
    since a bytes store failed those tests at their first write."""

    store_class = _TypeCheckedFirst
    capabilities = {"key_types": {"bytes"}, "value_types": {"bytes"}}
