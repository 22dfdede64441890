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
dict.  The same holds for keys of accepted types that JSON cannot carry: an
``int`` past Python's int-to-str digit limit (``sys.get_int_max_str_digits()``)
and tuples nested more than ``MAX_KEY_DEPTH`` deep are absent on lookup (they
can never have been stored) and raise TypeError on store.

Decoding
--------
:func:`decode_key` accepts only the exact ``(identity, spelling)`` pair that
:func:`key_identity` makes for some key, and :func:`decode_value` only JSON
text; anything else (a torn or hand-written row, ``"abc`` without its closing
quote) raises ValueError, never another key or value.  The backends turn that
into :class:`~reference_backends.errors.CorruptStoreError` naming the store
and the row (see ``StoreBase``).

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
from json.encoder import c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring_ascii as _quote
from typing import Any

KEY_TYPES_DOC = "str, int, float (not NaN), bool, None, or tuples of them"

def _refuse(obj: Any) -> Any:
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


if c_make_encoder is not None:
    # One reusable C encoder, compact and ASCII: what json.dumps(obj,
    # separators=(",", ":")) writes, without building an encoder per call.
    # No circular-reference markers: keys cannot be circular and values are
    # depth-checked by _check_value before they are encoded.
    _c_encoder = c_make_encoder(None, _refuse, _quote, None, ":", ",", False, False, True)

    def _encode(obj: Any) -> str:
        return "".join(_c_encoder(obj, 0))
else:  # pragma: no cover - Pythons without the C accelerator
    _encode = json.JSONEncoder(ensure_ascii=True, allow_nan=True, separators=(",", ":")).encode
_decoder = json.JSONDecoder()
_decode_text = _decoder.decode
_scan_once = _decoder.scan_once  # the C scanner where there is one


def _decode(text: str | bytes) -> Any:
    """What json.loads gives for ``text``, faster for the text the codec writes
    (ASCII without spaces: one scan, no whitespace matching); TypeError for
    anything that is not text."""
    if type(text) is bytes:
        text = text.decode("utf-8")  # UnicodeDecodeError is a ValueError, as json.loads raises
    elif type(text) is not str:
        raise TypeError(f"JSON text must be str or bytes, not {type(text).__name__}")
    try:
        value, end = _scan_once(text, 0)
    except StopIteration:
        return _decode_text(text)  # raises json's own error for this text
    return value if end == len(text) else _decode_text(text)


#: Tuple keys nested deeper than this cannot be stored (TypeError) and are
#: absent on lookup; the JSON encoder and decoder recurse once per level.
MAX_KEY_DEPTH = 100


class _Unsupported(Exception):
    """A hashable key of a type (or size, or depth) the store cannot hold."""


def _normalise(key: Any, depth: int = 0) -> Any:
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
        if depth >= MAX_KEY_DEPTH:
            raise _Unsupported(f"tuples nested more than {MAX_KEY_DEPTH} deep")
        return [_normalise(item, depth + 1) for item in key]
    raise _Unsupported(f"type {t.__name__!r}")


def _check_key_text(key: Any, normalised: Any) -> str:
    try:
        return _encode(normalised)
    except ValueError as exc:  # an int past sys.get_int_max_str_digits()
        raise _Unsupported(f"an int too long for str(): {exc}") from None


def _shown_key(key: Any, limit: int = 80) -> str:
    """``repr(key)`` for a message, cut to ``limit`` characters; never raises
    (an int past the digit limit has no repr)."""
    try:
        shown = repr(key)
    except (ValueError, RecursionError):
        return f"a {type(key).__name__} key"
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def key_identity(key: Any) -> tuple[str, str | None]:
    """``(identity, spelling)`` for storing ``key``; spelling is None when it
    equals the identity.  Raises TypeError for a key the store cannot hold."""
    if type(key) is str:
        return _quote(key), None
    try:
        identity = _check_key_text(key, _normalise(key))
    except _Unsupported as exc:
        hash(key)  # unhashable: dict's own TypeError
        raise TypeError(f"keys must be {KEY_TYPES_DOC}; cannot store {_shown_key(key)}: {exc}") from None
    spelling = _encode(key)
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
    """The plain str/int/float/tuple equal to an instance of a strict subclass
    of those types, else None (a plain instance is already as plain as it gets)."""
    t = type(key)
    if t in _BASE_TYPES:
        return None
    if isinstance(key, str):
        return str.__str__(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return int.__index__(key)
    if isinstance(key, float):
        return float.__float__(key)
    if isinstance(key, tuple):
        return tuple(key)
    return None


_BASE_TYPES = frozenset({str, int, float, bool, tuple, type(None)})


def _as_key(obj: Any) -> Any:
    return tuple(_as_key(item) for item in obj) if type(obj) is list else obj


def _text(stored: Any, part: str) -> str:
    t = type(stored)
    if t is str:
        return stored
    if t is bytes:
        return stored.decode("ascii")  # UnicodeDecodeError is a ValueError
    raise ValueError(f"a key's {part} must be text, not {t.__name__}")


def decode_key(identity: str | bytes, spelling: str | bytes | None) -> Any:
    """The key object stored as ``(identity, spelling)`` (text, or its ASCII bytes).

    Raises ValueError when the pair is not exactly what :func:`key_identity`
    makes for some key (a torn or hand-written row): a key is never decoded
    as another one."""
    if type(identity) is not str:
        identity = _text(identity, "identity")
    if spelling is None and identity[:1] == '"' and "\\" not in identity:
        # A str key without escapes: its JSON is the text in quotes.
        key = identity[1:-1]
        if _quote(key) == identity:
            return key
        raise ValueError(f"not the JSON identity of a str key: {identity!r}")
    try:
        if spelling is None:
            # The key is decoded from its identity, so it is the key stored
            # exactly when the identity is its normalised JSON: a bool, an
            # integral float or -0.0 (which need a spelling) or any other
            # spacing or escaping would normalise to another text.
            key = _as_key(_decode(identity))
            if _check_key_text(key, _normalise(key)) == identity:
                return key
        else:
            spelling = _text(spelling, "spelling")
            key = _as_key(_decode(spelling))
            if key_identity(key) == (identity, spelling):
                return key
    except RecursionError:
        raise ValueError("nested too deeply to be a key") from None
    except (TypeError, _Unsupported) as exc:
        raise ValueError(f"not a key: {exc}") from None
    raise ValueError(f"identity {identity!r} and spelling {spelling!r} do not belong to one key")


_SCALARS = (str, int, float, bool, type(None))


#: The dict keys json.dumps accepts in a value; they come back as their JSON
#: spelling in a str (1 -> "1", True -> "true", None -> "null"), as json.loads gives.
_JSON_OBJECT_KEYS = frozenset({str, int, float, bool, type(None)})


_SCALAR_SET = frozenset(_SCALARS)
_CONTAINERS = frozenset({list, tuple, dict})
_JSON_TYPES = _SCALAR_SET | _CONTAINERS


def _check_value(value: Any, depth: int = 0) -> None:
    """TypeError unless ``value`` is made of exactly the types JSON holds (no
    subclasses, which would come back as their base type), at most 500 deep.
    The types of a container's members are checked together (at C speed);
    only nested containers are walked."""
    t = type(value)
    if t in _SCALAR_SET:
        return
    if depth > 500:
        raise TypeError("value nested too deeply (or circular) to store as JSON")
    if t is list or t is tuple:
        members = value
    elif t is dict:
        key_types = set(map(type, value))
        if not key_types <= _JSON_OBJECT_KEYS:
            k = next(k for k in value if type(k) not in _JSON_OBJECT_KEYS)
            raise TypeError(
                f"cannot store a dict with a {type(k).__name__} key ({k!r}) as JSON: "
                "JSON object keys are str, int, float, bool or None (read back as str)"
            )
        members = value.values()
    else:
        raise TypeError(
            f"cannot store a value of type {t.__name__!r} as JSON; values must be None, bool, int, "
            "float, str, list, tuple or dict with str keys"
        )
    types = set(map(type, members))
    if types <= _SCALAR_SET:
        return
    if not types <= _JSON_TYPES:
        bad = next(m for m in members if type(m) not in _SCALAR_SET and type(m) not in _CONTAINERS)
        _check_value(bad, depth + 1)  # raises, naming its type
    for member in members:
        if type(member) in _CONTAINERS:
            _check_value(member, depth + 1)


def encode_value(value: Any) -> str:
    """The JSON text of ``value``; TypeError if JSON cannot hold it faithfully."""
    t = type(value)
    if t is str:
        return _quote(value)
    if t not in _SCALAR_SET:
        _check_value(value)
    try:
        return _encode(value)
    except ValueError as exc:
        raise TypeError(f"cannot store {type(value).__name__} value as JSON: {exc}") from None


def decode_value(text: str | bytes) -> Any:
    """The value stored as ``text``; ValueError if it is not JSON (or nested
    too deeply to decode)."""
    try:
        return _decode(text)
    except RecursionError:
        raise ValueError("value nested too deeply to decode") from None
    except TypeError:  # not text at all (a number or blob written by hand)
        raise ValueError(f"a value must be JSON text, not {type(text).__name__}") from None
