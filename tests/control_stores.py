"""Control stores: correct in-memory stores under unusual declarations.

Each spec here does exactly what it declares, in the way a real store of that
design does it (a dbm that spells keys as bytes, a JSON column, a store that
files keys by their serialised form, ...), and must conform: 0 failures on the
whole kit (``--pdict-backend=control_stores:Name``).  They show that the kit
judges a declaration fairly; their broken twins in ``broken_specs.py`` show
that it still catches a store that breaks what it declares.

``ControlStore`` is a ``MutableMapping`` over a private dict that files each
key under ``_file(key)`` and keeps, beside the stored value, the key object
iteration gives back (the first inserted, as dict does).  A design changes
only its hooks: ``_file``, ``_check_key``, ``_spell``, ``_dump`` and ``_load``.
"""

from __future__ import annotations

import copy
import json
import math
import reprlib
from collections.abc import ItemsView, Iterable, KeysView, Mapping, MutableMapping, ValuesView
from typing import Any, ClassVar

from catalogue import conforms
from pdict_conformance import BackendSpec
from pdict_conformance.capabilities import VALUE_TYPES
from pdict_conformance.domain import Token

# -- views -------------------------------------------------------------------------


class _Keys(KeysView):
    def __reversed__(self):
        return reversed(self._mapping)

    def __repr__(self) -> str:
        return f"dict_keys({list(self)!r})"


class _Values(ValuesView):
    def __reversed__(self):
        for key in reversed(self._mapping):
            yield self._mapping[key]

    def __repr__(self) -> str:
        return f"dict_values({list(self)!r})"


class _Items(ItemsView):
    def __reversed__(self):
        for key in reversed(self._mapping):
            yield (key, self._mapping[key])

    def __repr__(self) -> str:
        return f"dict_items({list(self)!r})"


class _ForwardKeys(KeysView):
    """A keys view without ``__reversed__`` (reversed() raises TypeError)."""


class _ForwardValues(ValuesView):
    pass


class _ForwardItems(ItemsView):
    pass


# -- the store -----------------------------------------------------------------------


class ControlStore(MutableMapping):
    """A correct store: ``_data[_file(key)] = (key as iterated, _dump(value))``."""

    #: The views ``keys()``, ``values()`` and ``items()`` return.
    views: ClassVar[tuple[type, type, type]] = (_Keys, _Values, _Items)

    def __init__(self, *args: Any, **kwargs: Any):
        self._data: dict[Any, tuple[Any, Any]] = {}
        self._changes = 0
        self.update(*args, **kwargs)

    # -- the design's hooks ------------------------------------------------
    def _file(self, key: Any) -> Any:
        """What the key is filed under; raises TypeError for an unhashable key."""
        hash(key)
        return key

    def _check_key(self, key: Any) -> None:
        """Refuse a key the store cannot hold (before anything is written)."""

    def _spell(self, key: Any) -> Any:
        """The key object iteration yields for a newly inserted ``key``."""
        return key

    def _dump(self, value: Any) -> Any:
        """The stored form of ``value``; raises TypeError for a value outside the domain."""
        return value

    def _load(self, stored: Any) -> Any:
        return stored

    # -- the abstract methods ----------------------------------------------
    def __getitem__(self, key: Any) -> Any:
        try:
            return self._load(self._data[self._file(key)][1])
        except KeyError:
            raise KeyError(key) from None

    def __setitem__(self, key: Any, value: Any) -> None:
        code = self._file(key)
        self._check_key(key)
        stored = self._dump(value)
        old = self._data.get(code)
        if old is None:
            self._changes += 1
        self._data[code] = (old[0] if old is not None else self._spell(key), stored)

    def __delitem__(self, key: Any) -> None:
        try:
            del self._data[self._file(key)]
        except KeyError:
            raise KeyError(key) from None
        self._changes += 1

    def __iter__(self):
        return self._guarded(code for code in list(self._data))

    def __reversed__(self):
        return self._guarded(code for code in reversed(list(self._data)))

    def _guarded(self, codes: Iterable[Any]):
        """Yield the keys of ``codes``; RuntimeError once keys are added or removed (as dict)."""
        start = self._changes
        for code in codes:
            if self._changes != start:
                raise RuntimeError("store changed size during iteration")
            entry = self._data.get(code)
            if entry is not None:
                yield entry[0]
        if self._changes != start:
            raise RuntimeError("store changed size during iteration")

    def __len__(self) -> int:
        return len(self._data)

    # -- what a store answers itself ---------------------------------------
    def __contains__(self, key: Any) -> bool:
        return self._file(key) in self._data

    def keys(self):
        return self.views[0](self)

    def values(self):
        return self.views[1](self)

    def items(self):
        return self.views[2](self)

    def get(self, key: Any, default: Any = None) -> Any:
        code = self._file(key)
        return self._load(self._data[code][1]) if code in self._data else default

    def pop(self, key: Any, *default: Any) -> Any:
        if len(default) > 1:
            raise TypeError(f"pop expected at most 2 arguments, got {1 + len(default)}")
        code = self._file(key)
        if code not in self._data:
            if default:
                return default[0]
            raise KeyError(key)
        _, stored = self._data.pop(code)
        self._changes += 1
        return self._load(stored)

    def popitem(self) -> tuple[Any, Any]:
        if not self._data:
            raise KeyError("popitem(): dictionary is empty")
        key, stored = self._data.pop(next(reversed(self._data)))
        self._changes += 1
        return key, self._load(stored)

    def clear(self) -> None:
        if self._data:
            self._changes += 1
        self._data.clear()

    # -- dict's extras -------------------------------------------------------
    def copy(self):
        new = type(self)()
        new._data = dict(self._data)
        return new

    @classmethod
    def fromkeys(cls, keys: Iterable[Any], value: Any = None):
        store = cls()
        for key in keys:
            store[key] = value
        return store

    def __or__(self, other: Any):
        if not isinstance(other, Mapping):
            return NotImplemented
        new = self.copy()
        new.update(other)
        return new

    def __ror__(self, other: Any):
        if not isinstance(other, Mapping):
            return NotImplemented
        new = type(self)(other)
        new.update(self)
        return new

    def __ior__(self, other: Any):
        self.update(other)
        return self

    @reprlib.recursive_repr("{...}")
    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self.items()) + "}"


class ControlSpec(BackendSpec):
    """Opens ``store_class`` in memory; ``fromkeys`` is the class's own."""

    store_class: ClassVar[type[ControlStore]] = ControlStore

    def new_location(self, scratch: Any) -> Any:
        return None

    def open(self, location: Any, *args: Any, **kwargs: Any) -> MutableMapping:
        return self.store_class(*args, **kwargs)

    def destroy(self, location: Any) -> None:
        pass

    def fromkeys(self, location: Any, keys: Iterable[Any], value: Any = None) -> MutableMapping:
        return self.store_class.fromkeys(keys, value)


def _type_check(what: str, obj: Any, types: tuple[type, ...]) -> None:
    if type(obj) not in types:
        names = "/".join(t.__name__ for t in types)
        raise TypeError(f"{what} must be {names}, not {type(obj).__name__}")


# -- bytes only (dbm, LMDB) ------------------------------------------------------------


class BytesStore(ControlStore):
    """Keys and values are bytes; anything else raises TypeError."""

    def _check_key(self, key: Any) -> None:
        _type_check("keys", key, (bytes,))

    def _dump(self, value: Any) -> Any:
        _type_check("values", value, (bytes, bytearray, memoryview))  # its own reads go back in
        return bytes(value)


@conforms
class BytesOnly(ControlSpec):
    """bytes keys and bytes values, nothing else (dbm, LMDB)."""

    store_class = BytesStore
    capabilities = {"key_types": {"bytes"}, "value_types": {"bytes"}}


class StrStore(ControlStore):
    """Keys and values are str; anything else raises TypeError."""

    def _check_key(self, key: Any) -> None:
        _type_check("keys", key, (str,))

    def _dump(self, value: Any) -> Any:
        _type_check("values", value, (str,))
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
        _type_check("keys", key, (str, bytes))

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


class ForwardViewStore(ControlStore):
    """reversed(store) works; its views cannot be reversed."""

    views = (_ForwardKeys, _ForwardValues, _ForwardItems)

    def __repr__(self) -> str:  # dict's view reprs are not promised
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self.items()) + "}"


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
