"""Keys and values from a backend's declared domain, and what should come back.

Strategies (hypothesis) and fixed samples draw only from the declared key and
value types.  They favour the cases stores get wrong: equal keys of different
types (``1``, ``1.0``, ``True``), look-alikes (``'1'`` and ``1``, ``'null'``
and ``None``), empty and non-ASCII strings, big ints, extreme floats, nested
containers.  NaN is never generated as a value (it is unequal to itself, so
only identity could compare it) and only with ``nan_keys="identity"`` as a key.

``expected(value, caps)`` is what a backend with those capabilities should
return for a stored value; ``same(a, b)`` compares strictly, types included,
so a value that silently changed type is caught.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import strategies as st

from . import compare
from .capabilities import Capabilities


class Token:
    """A hashable user object (for ``key_types``/``value_types`` containing ``"object"``)."""

    __slots__ = ("n",)

    def __init__(self, n: int):
        self.n = n

    def __eq__(self, other: object) -> bool:
        return type(other) is Token and other.n == self.n

    def __hash__(self) -> int:
        return hash(("Token", self.n))

    def __repr__(self) -> str:
        return f"Token({self.n})"


_STR_KEYS = ["", "a", "b", "1", "1.0", "True", "None", "null", "true", " ", "é", "日本", "a\x00b", "[1]", '"q"']
_INT_KEYS = [0, 1, -1, 2, 2**53 + 1, 2**64, -(2**70), 10**40]
_FLOAT_KEYS = [0.0, -0.0, 1.0, 2.0, 0.5, -2.25, 1e300, float("inf"), float("-inf"), 2.0**53]
_BOOL_KEYS = [True, False]


def _scalar_key_pool(caps: Capabilities) -> list[Any]:
    kinds = caps.key_types
    pool: list[Any] = []
    if "str" in kinds:
        pool += _STR_KEYS
    if "int" in kinds:
        pool += _INT_KEYS
    if "float" in kinds:
        pool += _FLOAT_KEYS
    if "bool" in kinds:
        pool += _BOOL_KEYS
    if "none" in kinds:
        pool.append(None)
    if "bytes" in kinds:
        pool += [b"", b"a", b"1"]
    if "object" in kinds:
        pool += [Token(0), Token(1)]
    return pool


def key_pool(caps: Capabilities) -> list[Any]:
    """A fixed list of tricky keys from the declared domain (duplicates by == included)."""
    pool = _scalar_key_pool(caps)
    containers: list[Any] = []
    if "tuple" in caps.key_types:
        containers += [(), ("a",), (1, "a"), (1.0, "a"), (True, "a"), (("x",), None)]
    if "frozenset" in caps.key_types:
        containers += [frozenset(), frozenset({"a"}), frozenset({1, "b"})]
    return pool + [k for k in containers if all(_in_domain_scalar(x, caps) for x in _flatten(k))]


def _flatten(key: Any):
    if isinstance(key, (tuple, frozenset)):
        for item in key:
            yield from _flatten(item)
    else:
        yield key


def _in_domain_scalar(x: Any, caps: Capabilities) -> bool:
    names = {str: "str", int: "int", float: "float", bool: "bool", type(None): "none", bytes: "bytes", Token: "object"}
    return names.get(type(x)) in caps.key_types


def _scalar_key_strategy(caps: Capabilities) -> st.SearchStrategy[Any]:
    kinds = caps.key_types
    options: list[st.SearchStrategy[Any]] = []
    if "str" in kinds:
        options.append(st.text(max_size=6))
    if "int" in kinds:
        options.append(st.integers(min_value=-(2**70), max_value=2**70))
    if "float" in kinds:
        options.append(st.floats(allow_nan=False))
    if "bool" in kinds:
        options.append(st.booleans())
    if "none" in kinds:
        options.append(st.none())
    if "bytes" in kinds:
        options.append(st.binary(max_size=4))
    if "object" in kinds:
        options.append(st.builds(Token, st.integers(0, 3)))
    return st.one_of(options)


def key_strategy(caps: Capabilities) -> st.SearchStrategy[Any]:
    """Keys from the declared domain, mostly from a small pool so that keys collide."""
    pool = key_pool(caps)
    scalar = _scalar_key_strategy(caps)
    general = scalar
    if "tuple" in caps.key_types:
        general = st.one_of(scalar, st.tuples(scalar, scalar), st.tuples())
    if "frozenset" in caps.key_types:
        general = st.one_of(general, st.frozensets(scalar, max_size=3))
    return st.one_of(st.sampled_from(pool), st.sampled_from(pool), general)


def value_strategy(caps: Capabilities) -> st.SearchStrategy[Any]:
    """Values from the declared domain, nested containers included."""
    kinds = caps.value_types
    scalars: list[st.SearchStrategy[Any]] = []
    if "none" in kinds:
        scalars.append(st.none())
    if "bool" in kinds:
        scalars.append(st.booleans())
    if "int" in kinds:
        scalars.append(st.integers() | st.sampled_from([2**64, -(2**100), 10**50]))
    if "float" in kinds:
        scalars.append(st.floats(allow_nan=False) | st.sampled_from([0.1, -0.0, 1e-310, 1.7976931348623157e308]))
    if "str" in kinds:
        scalars.append(st.text(max_size=10) | st.sampled_from(["", "null", "1", "é日本", "\ud800"]))
    if "bytes" in kinds:
        scalars.append(st.binary(max_size=8))
    if "object" in kinds:
        scalars.append(st.builds(Token, st.integers(0, 3)))
    base = st.one_of(scalars)

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        containers: list[st.SearchStrategy[Any]] = []
        if "list" in kinds:
            containers.append(st.lists(children, max_size=4))
        if "tuple" in kinds:
            containers.append(st.lists(children, max_size=4).map(tuple))
        if "dict" in kinds:
            containers.append(st.dictionaries(st.text(max_size=4), children, max_size=4))
        if "set" in kinds:
            containers.append(st.frozensets(base, max_size=4).map(set))
        return st.one_of(containers) if containers else children

    return st.recursive(base, extend, max_leaves=10)


def value_samples(caps: Capabilities) -> list[Any]:
    """A fixed list of values from the declared domain, one or more of each type."""
    kinds = caps.value_types
    out: list[Any] = []
    table = {
        "none": [None],
        "bool": [True, False],
        "int": [0, 1, -7, 2**64, -(10**40)],
        "float": [0.0, -0.0, 1.5, 1e300, float("inf")],
        "str": ["", "x", "null", "é日本"],
        "bytes": [b"", b"\x00\xff"],
        "object": [Token(7)],
    }
    for name, values in table.items():
        if name in kinds:
            out += values
    if "list" in kinds:
        out += [[], [1, "a", None] if {"int", "str", "none"} <= kinds else []]
        if "dict" in kinds:
            out.append([{"k": []}])
    if "dict" in kinds:
        out += [{}, {"a": "b"} if "str" in kinds else {}]
    if "tuple" in kinds:
        out += [(), ("t",) if "str" in kinds else ()]
    if "set" in kinds and "str" in kinds:
        out.append({"s"})
    return out


def expected(value: Any, caps: Capabilities) -> Any:
    """What a store with these capabilities gives back for a stored ``value``."""
    if caps.value_roundtrip == "json":
        return json.loads(json.dumps(value))
    return value


def same(a: Any, b: Any) -> bool:
    """Strict equality: equal, and of the same types all the way down
    (:func:`pdict_conformance.compare.same`, the kit's one comparison)."""
    return compare.same(a, b)
