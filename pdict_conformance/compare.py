"""How the kit compares what a store gives back with what dict would: one module.

Values
    :func:`same` is strict equality: equal, and of the same type all the way
    down, so a value that silently changed type (``1`` read back as ``1.0``,
    a tuple as a list) is caught.  ``-0.0`` differs from ``0.0``; a NaN is the
    same as a NaN.  Lists and tuples compare element by element in order; dicts
    and sets compare as dict and set equality do, in any order, each element
    strictly.  With ``bytes_like=True`` (the ``value_buffer="bytes_like"``
    declaration) a ``bytes`` wanted may come back as any buffer holding the
    same bytes (``bytearray``, ``memoryview``).  :func:`value_matches` applies
    a backend's declaration.

Keys
    A store decides which keys are one key by its declaration (see
    ``numeric_key_equality``, ``key_comparison`` and ``key_spelling`` in
    :mod:`pdict_conformance.capabilities`).  :func:`key_identity` maps a key to
    a hashable token that is equal for exactly the keys the store must treat
    as one; :func:`spelled` is the key object iteration should yield for a
    stored key object.  Keys are compared with :func:`same` too: the first
    inserted key object is the one dict keeps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from .capabilities import Capabilities

_BUFFERS = (bytes, bytearray, memoryview)


def same(got: Any, want: Any, *, bytes_like: bool = False) -> bool:
    """Strict equality of ``got`` with ``want`` (see the module doc)."""
    if got is want:
        return True
    if bytes_like and type(want) is bytes:
        return _buffer_bytes(got) == want
    if type(got) is not type(want):
        return False
    if isinstance(want, float):
        if math.isnan(want) or math.isnan(got):
            return math.isnan(want) and math.isnan(got)
        return got == want and math.copysign(1.0, got) == math.copysign(1.0, want)
    if isinstance(want, (list, tuple)):
        return len(got) == len(want) and all(same(g, w, bytes_like=bytes_like) for g, w in zip(got, want))
    if isinstance(want, dict):
        return _same_dicts(got, want, bytes_like)
    if isinstance(want, (set, frozenset)):
        return _same_sets(got, want)
    return bool(got == want)


def same_sequence(got: Iterable[Any], want: Iterable[Any], *, bytes_like: bool = False) -> bool:
    """Two sequences of the same length whose elements are :func:`same` in order."""
    got, want = list(got), list(want)
    return len(got) == len(want) and all(same(g, w, bytes_like=bytes_like) for g, w in zip(got, want))


def value_matches(got: Any, want: Any, caps: Capabilities) -> bool:
    """Whether ``got`` is what a store with ``caps`` may give back for ``want``
    (``want`` already being the declared round trip of the stored value)."""
    return same(got, want, bytes_like=caps.value_buffer == "bytes_like")


def _buffer_bytes(value: Any) -> bytes | None:
    if isinstance(value, _BUFFERS):
        return bytes(value)
    try:
        return memoryview(value).tobytes()
    except TypeError:
        return None


def _same_dicts(got: dict, want: dict, bytes_like: bool) -> bool:
    if len(got) != len(want):
        return False
    # Keys equal by == cannot share a dict, so each wanted key has one candidate.
    got_keys = {k: k for k in got}
    for key, value in want.items():
        if key not in got_keys or not same(got_keys[key], key):
            return False
        if not same(got[key], value, bytes_like=bytes_like):
            return False
    return True


def _same_sets(got: set | frozenset, want: set | frozenset) -> bool:
    if len(got) != len(want) or got != want:
        return False
    candidates = {x: x for x in got}
    return all(same(candidates[x], x) for x in want)


# -- keys -------------------------------------------------------------------------


def spelled(key: Any, caps: Capabilities) -> Any:
    """The key object iteration yields for a stored ``key`` object:
    ``key_spelling="utf8_bytes"`` turns a str key into its UTF-8 bytes."""
    if type(key) is str and caps.key_spelling == "utf8_bytes":
        return key.encode("utf-8", "surrogatepass")
    return key


def spelling_function(caps: Capabilities) -> Callable[[Any], Any]:
    """:func:`spelled` for ``caps``, as one fast function."""
    if caps.key_spelling == "utf8_bytes":
        return lambda key: key.encode("utf-8", "surrogatepass") if type(key) is str else key
    return _itself


def identity_function(caps: Capabilities) -> Callable[[Any], Hashable]:
    """:func:`key_identity` for ``caps``, as one fast function."""
    spell = spelling_function(caps)
    if caps.key_comparison == "serialised":
        return lambda key: _typed(spell(key), signed_zero=True)
    if caps.numeric_key_equality == "distinct":
        return lambda key: _typed(spell(key), signed_zero=False)
    return spell


def _itself(key: Any) -> Any:
    return key


def key_identity(key: Any, caps: Capabilities) -> Hashable:
    """A token equal for exactly the keys a store with ``caps`` treats as one key.

    dict's rule (``numeric_key_equality="python"``, ``key_comparison="equality"``)
    is ``==`` with ``hash``: the token is the key itself.  ``"distinct"`` keeps
    keys of different types apart at every depth (``1``, ``1.0``, ``True``;
    ``(1,)`` and ``(1.0,)``).  ``"serialised"`` also keeps ``0.0`` and ``-0.0``
    apart.  ``key_spelling="utf8_bytes"`` makes a str key and its UTF-8 bytes
    one key.
    """
    key = spelled(key, caps)
    if caps.key_comparison == "serialised":
        return _typed(key, signed_zero=True)
    if caps.numeric_key_equality == "distinct":
        return _typed(key, signed_zero=False)
    return key


def _typed(key: Any, *, signed_zero: bool) -> Hashable:
    kind = type(key)
    if kind is tuple:
        return (tuple, tuple(_typed(k, signed_zero=signed_zero) for k in key))
    if kind is frozenset:
        return (frozenset, frozenset(_typed(k, signed_zero=signed_zero) for k in key))
    if kind is float and signed_zero:
        return (float, key, math.copysign(1.0, key))
    return (kind, key)


def keyerror_carries(error: BaseException, key: Any, caps: Capabilities | None = None) -> bool:
    """Whether ``error`` names ``key`` as dict's ``KeyError(key)`` does.

    Also accepted: the key as the store spells it (``key_spelling``), and the
    args that ``PyErr_SetObject(PyExc_KeyError, key)`` makes, which is what
    ``OrderedDict.pop`` raises (``KeyError()`` for None, ``KeyError(1, 2)`` for
    the key ``(1, 2)``): a CPython quirk, not a store's.
    """
    args = error.args
    if len(args) == 1 and (same(args[0], key) or (caps is not None and same(args[0], spelled(key, caps)))):
        return True
    if key is None:
        return args == ()
    return type(key) is tuple and len(args) == len(key) and same(args, key)
