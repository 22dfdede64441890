"""JSON encoding of keys and values, shared by every reference backend.

Keys
----
A key is stored twice over, as text:

* its **identity**: the JSON of the key after numeric normalisation (``True``
  and ``1.0`` become ``1``, ``-0.0`` and ``False`` become ``0``, integral
  floats become ints, tuples are normalised item by item), so keys that are
  equal in Python have one identity, and keys that differ (``1`` and ``"1"``)
  have different ones;
* its **spelling**: the plain JSON of the key as first inserted, kept only when
  it differs from the identity, so iteration gives back ``True`` or ``1.0``
  exactly as dict would.

Accepted key types: ``str``, ``int``, ``float`` (not NaN), ``bool``, ``None``
and tuples of these; the JSON arrays of tuple keys decode as tuples again.
Instances of subclasses of these types (``StrEnum`` and ``IntEnum`` members,
named tuples) find the equal stored key, as in dict, but cannot be stored
themselves (TypeError): they would come back as the plain base type.  Any
other hashable key is simply absent (``in`` is False, ``[]`` raises KeyError)
and cannot be stored (TypeError); an unhashable key raises TypeError as in
dict.

Values
------
Values are stored as JSON text: ``None``, ``bool``, ``int``, ``float``,
``str``, ``list``/``tuple`` and ``dict`` with ``str`` keys, nested.  What
comes back is the JSON round trip: tuples come back as lists.  A value JSON
cannot hold faithfully (bytes, sets, objects, a dict with non-``str`` keys,
circular structures, an ``int`` too long for ``str``) raises TypeError before
anything is written.  Nothing is ever pickled: opening a store runs no code.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii as _quote
from typing import Any

KEY_TYPES_DOC = "str, int, float (not NaN), bool, None, or tuples of them"

_value_encoder = json.JSONEncoder(ensure_ascii=True, allow_nan=True, separators=(",", ":"))
_plain_encoder = json.JSONEncoder(ensure_ascii=True, allow_nan=True, separators=(",", ":"))
_decode = json.loads


class _Unsupported(Exception):
    """A hashable key of a type the store cannot hold."""


def _normalise(key: Any) -> Any:
    t = type(key)
    if t is str or key is None:
        return key
    if t is bool:
        return int(key)
    if t is int:
        return key
    if t is float:
        if math.isnan(key):
            raise _Unsupported("NaN is never equal to itself")
        if key.is_integer():
            return int(key)
        return key
    if t is tuple:
        return [_normalise(item) for item in key]
    raise _Unsupported(f"type {t.__name__!r}")


def _check_key_text(key: Any, normalised: Any) -> str:
    try:
        return _plain_encoder.encode(normalised)
    except ValueError as exc:  # an int past sys.get_int_max_str_digits()
        raise _Unsupported(str(exc)) from None


def key_identity(key: Any) -> tuple[str, str | None]:
    """``(identity, spelling)`` for storing ``key``; spelling is None when it
    equals the identity.  Raises TypeError for a key the store cannot hold."""
    if type(key) is str:
        return _quote(key), None
    try:
        identity = _check_key_text(key, _normalise(key))
    except _Unsupported as exc:
        hash(key)  # unhashable: dict's own TypeError
        raise TypeError(f"keys must be {KEY_TYPES_DOC}; cannot store {key!r}: {exc}") from None
    spelling = _plain_encoder.encode(key)
    return identity, (None if spelling == identity else spelling)


def lookup_identity(key: Any) -> str | None:
    """The identity to look ``key`` up by, or None if no stored key can equal it.
    Raises TypeError for an unhashable key, as dict does."""
    if type(key) is str:
        return _quote(key)
    try:
        return _check_key_text(key, _normalise(key))
    except _Unsupported:
        hash(key)
        base = _as_base_type(key)
        return None if base is None else lookup_identity(base)


def _as_base_type(key: Any) -> Any:
    """The plain str/int/float/tuple equal to an instance of a subclass, else None."""
    if isinstance(key, str):
        return str.__str__(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return int.__index__(key)
    if isinstance(key, float):
        return float.__float__(key)
    if isinstance(key, tuple) and type(key) is not tuple:
        return tuple(key)
    return None


def _as_key(obj: Any) -> Any:
    return tuple(_as_key(item) for item in obj) if type(obj) is list else obj


def decode_key(identity: str | bytes, spelling: str | bytes | None) -> Any:
    """The key object stored as ``(identity, spelling)`` (text, or its ASCII bytes)."""
    if spelling is None:
        # A str key without escapes: its JSON is the text in quotes.
        if type(identity) is str:
            if identity[:1] == '"' and "\\" not in identity:
                return identity[1:-1]
        elif identity[:1] == b'"' and b"\\" not in identity:
            return identity[1:-1].decode("ascii")
    return _as_key(_decode(spelling if spelling is not None else identity))


_SCALARS = (str, int, float, bool, type(None))


def _check_value(value: Any, depth: int = 0) -> None:
    t = type(value)
    if t in _SCALARS:
        return
    if depth > 500:
        raise TypeError("value nested too deeply (or circular) to store as JSON")
    if t is list or t is tuple:
        for item in value:
            _check_value(item, depth + 1)
        return
    if t is dict:
        for k, item in value.items():
            if type(k) is not str:
                raise TypeError(
                    f"cannot store a dict with a {type(k).__name__} key ({k!r}) as JSON: "
                    "JSON object keys are strings"
                )
            _check_value(item, depth + 1)
        return
    raise TypeError(
        f"cannot store a value of type {t.__name__!r} as JSON; values must be None, bool, int, "
        "float, str, list, tuple or dict with str keys"
    )


def encode_value(value: Any) -> str:
    """The JSON text of ``value``; TypeError if JSON cannot hold it faithfully."""
    t = type(value)
    if t is str:
        return _quote(value)
    if t not in _SCALARS:
        _check_value(value)
    try:
        return _value_encoder.encode(value)
    except ValueError as exc:
        raise TypeError(f"cannot store {type(value).__name__} value as JSON: {exc}") from None


def decode_value(text: str | bytes) -> Any:
    """The value stored as ``text``."""
    return _decode(text)
