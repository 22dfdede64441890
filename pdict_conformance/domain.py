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
    if _frozenset_keys(caps):
        containers += [frozenset(), frozenset({"a"}), frozenset({1, "b"})]
    pool += [k for k in containers if all(_in_domain_scalar(x, caps) for x in _flatten(k))]
    return [k for k in pool if not is_forbidden(k, caps)]


def _frozenset_keys(caps: Capabilities) -> bool:
    """frozenset keys are generated unless declared out, or compared by a
    serialised form (which a frozenset's value does not fix)."""
    return "frozenset" in caps.key_types and caps.key_comparison != "serialised"


def is_forbidden(key: Any, caps: Capabilities) -> bool:
    """True for a key the declaration's ``forbidden_keys`` rules out."""
    return "empty" in caps.forbidden_keys and type(key) in (str, bytes) and len(key) == 0


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
    empty_ok = "empty" not in caps.forbidden_keys
    if "str" in kinds:
        options.append(st.text(min_size=0 if empty_ok else 1, max_size=6))
    if "int" in kinds:
        options.append(st.integers(min_value=-(2**70), max_value=2**70))
    if "float" in kinds:
        options.append(st.floats(allow_nan=False))
    if "bool" in kinds:
        options.append(st.booleans())
    if "none" in kinds:
        options.append(st.none())
    if "bytes" in kinds:
        options.append(st.binary(min_size=0 if empty_ok else 1, max_size=4))
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
    if _frozenset_keys(caps):
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


def buffers_as_bytes(value: Any) -> Any:
    """``value`` with every bytes-like object (bytearray, memoryview) turned into bytes,
    containers included: how the kit compares values under ``value_buffer="bytes_like"``."""
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, list):
        return [buffers_as_bytes(v) for v in value]
    if isinstance(value, tuple):
        return tuple(buffers_as_bytes(v) for v in value)
    if isinstance(value, dict):
        return {k: buffers_as_bytes(v) for k, v in value.items()}
    return value


class NotExpressible(Exception):
    """The declared domain cannot supply what a test needs; ``capability`` says why."""

    def __init__(self, capability: str, need: str):
        super().__init__(f"not applicable: the declared {capability} cannot supply {need}")
        self.capability = capability


def _nested(kind: type, depth: int) -> Any:
    """kind(), kind([kind()]), ...: ``depth`` levels of one container type."""
    value = kind()
    for _ in range(depth):
        value = kind([value])
    return value


def _binary(kind: type, i: int) -> Any:
    """The i-th of a series of distinct containers of one type and nothing else, of
    size and depth about log2(i): i's binary digits, as the positions of nested
    empties of growing depth."""
    digits = bin(i + 1)[2:]
    return kind(_nested(kind, depth) for depth, bit in enumerate(reversed(digits)) if bit == "1")


#: Key makers, most readable first: each maps i to the i-th of a series of
#: distinct keys of one type.  bool and None give at most two and one keys.
_KEY_MAKERS: list[tuple[str, Any]] = [
    ("str", lambda i: f"k{i:05d}"),
    ("bytes", lambda i: f"k{i:05d}".encode()),
    ("int", lambda i: i),
    ("float", lambda i: i + 0.5),
    ("object", Token),
    ("tuple", lambda i: _binary(tuple, i)),
    ("frozenset", lambda i: _binary(frozenset, i)),
]

#: Value makers, most readable first (hashable ones before lists and dicts).
_VALUE_MAKERS: list[tuple[str, Any]] = [
    ("int", lambda i: i),
    ("str", lambda i: f"v{i}"),
    ("float", lambda i: i + 0.25),
    ("bytes", lambda i: f"v{i}".encode()),
    ("object", lambda i: Token(i + 100)),
    ("tuple", lambda i: _binary(tuple, i)),
    ("list", lambda i: _binary(list, i)),
    ("dict", lambda i: {f"d{i}": {}}),
]

#: The few values of the finite types, for a domain made only of them.
_FEW_VALUES: list[tuple[str, Any]] = [("none", None), ("bool", True), ("bool", False), ("set", set())]


class Domain:
    """Representative keys and values of one declaration, and what comes back.

    Scenario tests take their keys and values from here, so that each applies
    to every store whose domain can express it: ``keys(3)`` are three distinct
    keys, ``values(2)`` two distinct values, of the declared types.  When the
    domain cannot supply them, the test is not applicable, naming the capability.
    """

    def __init__(self, caps: Capabilities, on_missing: Any = None):
        self.caps = caps
        self._on_missing = on_missing

    def _missing(self, capability: str, need: str) -> Any:
        """Report that the declared ``capability`` cannot supply ``need``: through
        ``on_missing(reason)`` (the harness skips the test), else NotExpressible."""
        error = NotExpressible(capability, need)
        if self._on_missing is not None:
            self._on_missing(str(error))
        raise error

    # -- keys ---------------------------------------------------------------
    def keys(self, n: int) -> list[Any]:
        """``n`` distinct, allowed keys of one declared type (str first, then bytes, int, ...)."""
        for name, make in _KEY_MAKERS:
            if name in self.caps.key_types and (name != "frozenset" or _frozenset_keys(self.caps)):
                return [make(i) for i in range(n)]
        few = [k for k in (None, True, False) if _in_domain_scalar(k, self.caps)]
        if len(few) < n:
            self._missing("key_types", f"{n} distinct keys")
        return few[:n]

    def key(self) -> Any:
        return self.keys(1)[0]

    def key_back(self, key: Any) -> Any:
        """The key object iteration yields for a stored ``key`` (``key_spelling``)."""
        if self.caps.key_spelling == "utf8_bytes" and isinstance(key, str):
            return key.encode("utf-8")
        return key

    def keys_back(self, keys: Any) -> list[Any]:
        return [self.key_back(k) for k in keys]

    # -- values -------------------------------------------------------------
    def values(self, n: int) -> list[Any]:
        """``n`` distinct values of one declared type, hashable ones preferred
        (see :meth:`hashable_values`)."""
        for name, make in _VALUE_MAKERS:
            if name in self.caps.value_types:
                return [make(i) for i in range(n)]
        few = [v for name, v in _FEW_VALUES if name in self.caps.value_types]
        if len(few) < n:
            self._missing("value_types", f"{n} distinct values")
        return few[:n]

    def value(self) -> Any:
        return self.values(1)[0]

    def hashable_values(self, n: int) -> list[Any]:
        """``n`` distinct values that read back hashable (for items() set operations)."""
        values = self.values(n)
        if self.caps.value_buffer == "bytes_like" and any(isinstance(v, bytes) for v in values):
            self._missing("value_buffer", "values that read back hashable (bytes come back as buffers)")
        try:
            for v in values:
                hash(self.value_back(v))
        except TypeError:
            self._missing("value_types", f"{n} values that read back hashable")
        return values

    def value_back(self, value: Any) -> Any:
        """What reading a stored ``value`` gives back, compared as :meth:`same_value` does."""
        return expected(value, self.caps)

    def read(self, got: Any) -> Any:
        """A value read from the store, put in comparable form (buffers as bytes when declared)."""
        return buffers_as_bytes(got) if self.caps.value_buffer == "bytes_like" else got

    def same_value(self, got: Any, stored: Any) -> bool:
        """``got``, read back for ``stored``, is its declared round trip (types included)."""
        return same(self.read(got), self.value_back(stored))

    # -- whole stores ---------------------------------------------------------
    def contents(self, store: Any) -> dict[Any, Any]:
        """The store's items as a dict, values in comparable form."""
        return {k: self.read(v) for k, v in store.items()}

    def expect(self, pairs: Any) -> dict[Any, Any]:
        """What :meth:`contents` gives for a store holding ``pairs`` (a dict or pairs)."""
        items = pairs.items() if hasattr(pairs, "items") else pairs
        return {self.key_back(k): self.value_back(v) for k, v in items}

    def size(self, store: Any) -> int:
        """The number of keys: ``len(store)`` checked against iteration when the store is
        sized, the iteration count when it is not (``sized=False``)."""
        counted = sum(1 for _ in store)
        if self.caps.sized:
            assert len(store) == counted, f"len() is {len(store)} but iteration yields {counted} keys"
        return counted
