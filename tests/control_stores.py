"""Control stores: correct in-memory stores under unusual declarations.

Each spec here does exactly what it declares, in the way a real store of that
design does it (a dbm that spells keys as bytes, a JSON column, a store that
files keys by their serialised form, ...), and must conform: 0 failures on the
whole kit (``--pdict-backend=control_stores:Name``).  They show that the kit
judges a declaration fairly; their broken twins in ``broken_specs.py`` show
that it still catches a store that breaks what it declares.

Each design is a ``ControlStore`` (``control_base.py``) with some of its hooks
changed (``_file``, ``_check_key``, ``_spell``, ``_dump``, ``_load``).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from typing import Any

from catalogue import conforms
from control_base import ControlSpec, ControlStore, ForwardViewStore, type_check
from pdict_conformance.capabilities import VALUE_TYPES
from pdict_conformance.domain import Token

# -- bytes only (dbm, LMDB) ------------------------------------------------------------


class BytesStore(ControlStore):
    """Keys and values are bytes; anything else raises TypeError."""

    def _check_key(self, key: Any) -> None:
        type_check("keys", key, (bytes,))

    def _dump(self, value: Any) -> Any:
        type_check("values", value, (bytes, bytearray, memoryview))  # its own reads go back in
        return bytes(value)


@conforms
class BytesOnly(ControlSpec):
    """bytes keys and bytes values, nothing else (dbm, LMDB)."""

    store_class = BytesStore
    capabilities = {"key_types": {"bytes"}, "value_types": {"bytes"}}


class StrStore(ControlStore):
    """Keys and values are str; anything else raises TypeError."""

    def _check_key(self, key: Any) -> None:
        type_check("keys", key, (str,))

    def _dump(self, value: Any) -> Any:
        type_check("values", value, (str,))
        return value


@conforms
class StrOnly(ControlSpec):
    """str keys and str values, nothing else (a text key-value store)."""

    store_class = StrStore
    capabilities = {"key_types": {"str"}, "value_types": {"str"}}


class NoNoneStore(ControlStore):
    """None is not a value (a NULL column means "no row")."""

    def _dump(self, value: Any) -> Any:
        if _contains_none(value):
            raise TypeError("None cannot be stored")
        return value


def _contains_none(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_contains_none(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_none(v) for v in value.values())
    return False


@conforms
class NoNoneValues(ControlSpec):
    """Every value type but None."""

    store_class = NoNoneStore
    capabilities = {"value_types": VALUE_TYPES - {"none"}}


# -- str keys spelt as UTF-8 bytes (every dbm) ------------------------------------------


class Utf8KeyStore(ControlStore):
    """Files a str key as its UTF-8 encoding, which iteration then yields."""

    def _file(self, key: Any) -> Any:
        hash(key)
        return key.encode("utf-8") if isinstance(key, str) else key

    def _check_key(self, key: Any) -> None:
        type_check("keys", key, (str, bytes))

    def _spell(self, key: Any) -> Any:
        return self._file(key)


@conforms
class Utf8BytesKeys(ControlSpec):
    """str keys written, their UTF-8 bytes read back (dbm)."""

    store_class = Utf8KeyStore
    capabilities = {"key_types": {"str"}, "key_spelling": "utf8_bytes", "dict_repr": False}


# -- key identity by type ----------------------------------------------------------------


def typed_form(key: Any) -> Any:
    """The key with the type of every number in it: 1, 1.0 and True differ; 0.0 and -0.0
    do not; other keys compare as in dict."""
    if isinstance(key, tuple):
        return ("tuple", tuple(typed_form(k) for k in key))
    if isinstance(key, frozenset):
        return ("frozenset", frozenset(typed_form(k) for k in key))
    if isinstance(key, (int, float, complex)):
        return (type(key).__qualname__, key)
    return ("key", key)


class TypedKeyStore(ControlStore):
    """Files a key with its type: equal keys of different types are different keys."""

    def _file(self, key: Any) -> Any:
        hash(key)
        return typed_form(key)


@conforms
class DistinctNumericKeys(ControlSpec):
    """1, 1.0 and True are three keys (a store that keeps the key's type)."""

    store_class = TypedKeyStore
    capabilities = {"numeric_key_equality": "distinct"}


def serialised_form(key: Any) -> Any:
    """A canonical serialisation: type and exact value all the way down
    (floats by their hex form, so 0.0 and -0.0, and every NaN, are one form each)."""
    if isinstance(key, tuple):
        return "(" + ",".join(serialised_form(k) for k in key) + ")"
    if isinstance(key, float):
        return "float:" + key.hex()
    if isinstance(key, Token):
        return f"Token:{key.n}"
    if isinstance(key, frozenset):
        return "{" + ",".join(sorted(serialised_form(k) for k in key)) + "}"
    return f"{type(key).__module__}.{type(key).__qualname__}:{key!r}"


class SerialisedKeyStore(ControlStore):
    """Files a key under its serialised form (what a byte-keyed database compares)."""

    def _file(self, key: Any) -> Any:
        hash(key)
        return serialised_form(key)


@conforms
class SerialisedKeys(ControlSpec):
    """Keys are one key only when their serialised forms are equal."""

    store_class = SerialisedKeyStore
    capabilities = {
        "key_types": {"str", "int", "float", "bool", "none", "bytes", "tuple", "object"},
        "key_comparison": "serialised",
        "numeric_key_equality": "distinct",
        "nan_keys": "none",
    }


# -- values as JSON -------------------------------------------------------------------------

JSON_VALUE_TYPES = {"none", "bool", "int", "float", "str", "list", "dict", "tuple"}


class JsonStore(ControlStore):
    """Stores ``json.dumps(value)``, reads ``json.loads``."""

    def _dump(self, value: Any) -> Any:
        return json.dumps(value)

    def _load(self, stored: Any) -> Any:
        return json.loads(stored)


@conforms
class JsonValues(ControlSpec):
    """Values are stored as JSON text: they come back as their JSON round trip."""

    store_class = JsonStore
    capabilities = {
        "value_types": JSON_VALUE_TYPES,
        "value_roundtrip": "json",
        "values_are_copies": True,
    }


# -- bytes values read back as another buffer type ----------------------------------------


def _rebuffer(value: Any, kind: type) -> Any:
    if type(value) is bytes:
        return kind(value)
    if isinstance(value, list):
        return [_rebuffer(v, kind) for v in value]
    if isinstance(value, tuple):
        return tuple(_rebuffer(v, kind) for v in value)
    if isinstance(value, dict):
        return {k: _rebuffer(v, kind) for k, v in value.items()}
    return value


class BytearrayStore(ControlStore):
    """A bytes value comes back as a bytearray (a mutable read buffer); values are copies."""

    def _dump(self, value: Any) -> Any:
        return copy.deepcopy(value)

    def _load(self, stored: Any) -> Any:
        return _rebuffer(stored, bytearray)


class MemoryviewStore(ControlStore):
    """A bytes value comes back as a memoryview (a zero-copy read, LMDB style)."""

    def _load(self, stored: Any) -> Any:
        return _rebuffer(stored, memoryview)


@conforms
class BytearrayValues(ControlSpec):
    """bytes values come back as bytearray."""

    store_class = BytearrayStore
    capabilities = {"value_buffer": "bytes_like", "value_roundtrip": "equal", "values_are_copies": True,
                    "dict_repr": False}


@conforms
class MemoryviewValues(ControlSpec):
    """bytes keys and values; values come back as memoryview (LMDB)."""

    store_class = type("MemoryviewBytesStore", (MemoryviewStore, BytesStore), {})
    capabilities = {"key_types": {"bytes"}, "value_types": {"bytes"}, "value_buffer": "bytes_like",
                    "value_roundtrip": "equal", "dict_repr": False}


# -- reversed on the mapping only -----------------------------------------------------------


@conforms
class MappingOnlyReversed(ControlSpec):
    """reversed() on the mapping, not on its views."""

    store_class = ForwardViewStore
    capabilities = {"reversed": "mapping_only", "dict_repr": False}


# -- a forbidden key ---------------------------------------------------------------------


class NoEmptyKeyStore(ControlStore):
    """The empty str and bytes keys are refused with ValueError (LMDB)."""

    def _check_key(self, key: Any) -> None:
        if isinstance(key, (str, bytes)) and not key:
            raise ValueError("the empty key cannot be stored")


@conforms
class ForbiddenEmptyKey(ControlSpec):
    """The empty key is refused."""

    store_class = NoEmptyKeyStore
    capabilities = {"forbidden_keys": {"empty"}}


# -- atomic update -----------------------------------------------------------------------


class AtomicUpdateStore(ControlStore):
    """update() checks every pair first, then writes all of them (one transaction)."""

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        if isinstance(other, Mapping):
            pairs = [(k, other[k]) for k in other]
        elif hasattr(other, "keys"):
            pairs = [(k, other[k]) for k in other.keys()]
        else:
            pairs = []
            for element in other:
                try:
                    pair = tuple(element)
                except TypeError:
                    raise TypeError("cannot convert update sequence element to a sequence") from None
                if len(pair) != 2:
                    raise ValueError(f"update sequence element has length {len(pair)}; 2 is required")
                pairs.append(pair)
        pairs += list(kwargs.items())
        staged = []
        for key, value in pairs:
            code = self._file(key)
            self._check_key(key)
            staged.append((code, key, self._dump(value)))
        for code, key, stored in staged:
            old = self._data.get(code)
            if old is None:
                self._changes += 1
            self._data[code] = (old[0] if old is not None else self._spell(key), stored)


class AtomicNoSetStore(AtomicUpdateStore):
    """Sets and user objects are outside the value domain (so update() can meet a bad value)."""

    def _dump(self, value: Any) -> Any:
        if _contains(value, (set, frozenset, Token)):
            raise TypeError(f"cannot store a value of type {type(value).__name__}")
        return value


def _contains(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, types):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains(v, types) for v in value)
    if isinstance(value, dict):
        return any(_contains(v, types) for v in value.values())
    return type(value) is object


@conforms
class AtomicUpdate(ControlSpec):
    """update() writes all of its pairs or none."""

    store_class = AtomicNoSetStore
    capabilities = {"update_atomic": True, "value_types": VALUE_TYPES - {"set", "object"}}


# -- no len -------------------------------------------------------------------------------


class UnsizedStore(ControlStore):
    """Cannot count its keys: len() raises TypeError (a store over a huge table)."""

    def __len__(self) -> int:
        raise TypeError("this store cannot count its keys")

    def __bool__(self) -> bool:
        return bool(self._data)


@conforms
class Unsized(ControlSpec):
    """No len()."""

    store_class = UnsizedStore
    capabilities = {"sized": False}


# -- NaN keys outside the domain -----------------------------------------------------------


class NanRefusingStore(ControlStore):
    """Refuses NaN keys (it encodes keys, and NaN is never equal to itself)."""

    def _check_key(self, key: Any) -> None:
        if isinstance(key, float) and math.isnan(key):
            raise ValueError("NaN cannot be a key")


@conforms
class NoNanKeys(ControlSpec):
    """NaN keys are outside the domain."""

    store_class = NanRefusingStore
    capabilities = {"nan_keys": "none"}
