"""Capabilities: what a backend declares about itself, by name.

Every capability is a named, documented property with a fixed set of allowed
values.  The kit gates its tests on them: a test that needs a capability the
backend lacks is *not applicable* (skipped, naming the capability), and a test
that checks dict behaviour which a declared capability says differs is a
*declared deviation* (run as a strict expected failure).

``Capabilities.validate`` turns a user's declaration (a mapping of names to
values) into a frozen ``Capabilities`` object, rejecting unknown names and
values with a message that lists the allowed ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

#: Key types the kit knows how to generate.  ``"tuple"`` and ``"frozenset"``
#: are hashable containers; ``"object"`` is an arbitrary hashable user object.
KEY_TYPES = frozenset({"str", "int", "float", "bool", "none", "bytes", "tuple", "frozenset", "object"})

#: Value types the kit knows how to generate.
VALUE_TYPES = frozenset(
    {"none", "bool", "int", "float", "str", "bytes", "list", "dict", "tuple", "set", "object"}
)


class CapabilityError(ValueError):
    """A capability declaration names an unknown capability or value."""


@dataclasses.dataclass(frozen=True)
class Capability:
    """One named capability: its allowed values, the dict value, and what it means."""

    name: str
    allowed: tuple[Any, ...] | None  # None: a subset of ``subset_of``
    dict_value: Any
    doc: str
    subset_of: frozenset[str] | None = None

    def check(self, value: Any) -> Any:
        """Return the normalised value, or raise CapabilityError."""
        if self.subset_of is not None:
            if isinstance(value, str) or not hasattr(value, "__iter__"):
                raise CapabilityError(
                    f"capability {self.name!r} takes a set of names from "
                    f"{sorted(self.subset_of)}, got {value!r}"
                )
            items = frozenset(value)
            unknown = items - self.subset_of
            if unknown:
                raise CapabilityError(
                    f"capability {self.name!r}: unknown value(s) {sorted(map(str, unknown))}; "
                    f"allowed: {sorted(self.subset_of)}"
                )
            return items
        if value not in self.allowed:  # type: ignore[operator]
            raise CapabilityError(
                f"capability {self.name!r} cannot be {value!r}; allowed: "
                + ", ".join(repr(a) for a in self.allowed)  # type: ignore[union-attr]
            )
        return value


_DECLARED: list[Capability] = [
    Capability(
        "key_types", None, KEY_TYPES,
        "Which key types the store accepts. Keys outside this set are never generated.",
        subset_of=KEY_TYPES,
    ),
    Capability(
        "numeric_key_equality", ("python", "distinct"), "python",
        "'python': equal keys of different types (1, 1.0, True; 0, 0.0, False, -0.0) are one key, "
        "as in dict. 'distinct': they are separate keys (a declared deviation from dict).",
    ),
    Capability(
        "key_type_preserved", (True, False), True,
        "True: iteration yields the key object as first inserted (True stays True, 1.0 stays "
        "1.0). False: keys may come back as another, equal type.",
    ),
    Capability(
        "value_types", None, VALUE_TYPES,
        "Which value types the store accepts. Values outside this set are never generated.",
        subset_of=VALUE_TYPES,
    ),
    Capability(
        "value_roundtrip", ("identity", "equal", "json"), "identity",
        "'identity': the stored object itself comes back (dict). 'equal': an equal object of "
        "the same type comes back. 'json': json.loads(json.dumps(value)) comes back: tuples "
        "become lists, and dict keys that are int, float, bool or None become their JSON "
        "spelling as str ({1: 'a'} comes back as {'1': 'a'}); a value json.dumps refuses "
        "(bytes, sets, objects, dicts with tuple keys) is outside the domain. Methods return "
        "what dict's return: setdefault() of a new key returns the default object itself, "
        "later reads give its round trip. Tests that need more are declared deviations.",
    ),
    Capability(
        "values_are_copies", (True, False), False,
        "True: the store keeps a copy of a value, so mutating the object after storing it (or "
        "after reading it) does not change the store. False: it keeps the object (dict).",
    ),
    Capability(
        "ordering", ("insertion", "sorted", "none"), "insertion",
        "Iteration order. 'insertion': as dict (an overwrite keeps the place, a delete and "
        "re-insert moves the key to the end). 'sorted': by the spec's order_key(key). 'none': "
        "no order promised; order tests do not apply.",
    ),
    Capability(
        "popitem", ("last", "first", "any"), "last",
        "Which item popitem() removes: the last or first in iteration order, or any item.",
    ),
    Capability(
        "reversed", (True, "mapping_only", False), True,
        "True: reversed(mapping) and reversed() of its keys, values and items views work, in "
        "reverse iteration order. 'mapping_only': reversed(mapping) works, the views do not "
        "support reversed() (TypeError). False: neither does.",
    ),
    Capability(
        "mutation_during_iteration", ("raises", "tolerated", "undefined"), "raises",
        "'raises': changing the size while iterating raises RuntimeError on the next step, as "
        "dict. 'tolerated': no error, every key present and untouched for the whole iteration "
        "is yielded exactly once, no key twice. 'undefined': nothing is promised.",
    ),
    Capability(
        "operators", (True, False), True,
        "The | and |= operators (PEP 584) work as for dict.",
    ),
    Capability(
        "copy", ("same_type", "dict", "none"), "same_type",
        "What copy() returns: a new store of the same type, a plain dict snapshot, or "
        "copy() is not supported. A store that copy() (or |) returns is handed to the spec's "
        "close() when the kit is done with it; its location is the backend's business (the kit "
        "destroys only the locations it asked for).",
    ),
    Capability(
        "fromkeys", (True, False), True,
        "The spec can build a store with fromkeys(iterable, value).",
    ),
    Capability(
        "dict_repr", (True, False), True,
        "repr(mapping) is exactly repr of the equal dict.",
    ),
    Capability(
        "persistent", (True, False), False,
        "The spec can reopen a store and finds the same contents (BackendSpec.reopen).",
    ),
    Capability(
        "shared_handles", (True, False), False,
        "The spec can open a second live handle on a store, and each handle sees the other's "
        "changes at once (BackendSpec.open_second).",
    ),
    Capability(
        "nan_keys", ("identity", "none"), "identity",
        "'identity': a NaN key object can be found again by itself (dict uses identity). "
        "'none': NaN keys are outside the domain (they are never equal to themselves, so a "
        "store that encodes keys cannot find them).",
    ),
    # -- designs of real stores (dbm, LMDB, serialising stores) ---------------
    Capability(
        "value_buffer", ("bytes", "bytes_like"), "bytes",
        "'bytes': a bytes value comes back as bytes. 'bytes_like': it may come back as another "
        "buffer type (bytearray, memoryview, ...) holding the same bytes; the kit compares such "
        "values by bytes(value).",
    ),
    Capability(
        "key_spelling", ("as_written", "utf8_bytes"), "as_written",
        "'as_written': iteration yields the key object as stored (see key_type_preserved). "
        "'utf8_bytes': str keys are stored as their UTF-8 encoding (dbm style): iteration yields "
        "bytes, and a str key and its UTF-8 bytes are one key.",
    ),
    Capability(
        "key_comparison", ("equality", "serialised"), "equality",
        "'equality': keys are one key when they are equal (__eq__ and __hash__), as in dict. "
        "'serialised': keys are one key only when their serialised forms are equal, that is "
        "when they are equal and of the same type all the way down: 1, 1.0 and True are three "
        "keys, and so are 0.0 and -0.0, and (1,) and (1.0,). The kit then generates no key "
        "whose serialised form its value does not fix (no frozenset keys).",
    ),
    Capability(
        "forbidden_keys", None, frozenset(),
        "Keys inside key_types that the store refuses. 'empty': the empty str and bytes keys. "
        "Storing a forbidden key raises ValueError, TypeError or KeyError and writes nothing; "
        "looking one up finds nothing. Forbidden keys are never generated otherwise.",
        subset_of=frozenset({"empty"}),
    ),
    Capability(
        "update_atomic", (False, True), False,
        "False: update() applies its pairs in order, as dict does, so an error part-way (a bad "
        "pair, an unhashable key, a key or value outside the domain) leaves the pairs before it "
        "applied (or, for a store that validates first, none of them) and none after it. "
        "True: update() applies all of its pairs or none: any error leaves the store unchanged.",
    ),
    Capability(
        "sized", (True, False), True,
        "True: len() answers the number of keys. False: the store cannot count its keys; "
        "len() raises TypeError, and no test relies on it.",
    ),
    # -- durability and concurrency (tested only with persistent=True) ---------
    Capability(
        "crash_durability", ("acknowledged", "none"), "acknowledged",
        "What survives when the process using the store is killed (SIGKILL). 'acknowledged': "
        "every operation that returned before the kill, at most the one in flight partly "
        "applied (never a declared-atomic update), and the store reopens without error. "
        "'none': nothing is promised.",
    ),
    Capability(
        "processes", ("shared", "exclusive", "private"), "shared",
        "'shared': several processes may open one location at once and each sees the others' "
        "acknowledged writes at its next read. 'exclusive': a second process opening a location "
        "that is open gets a clear exception in bounded time, and the data stays intact. "
        "'private': the store lives inside the process that made it (in memory) and has no "
        "location another process could open.",
    ),
    Capability(
        "thread_safe", (True, False), True,
        "True: one handle may be used by several threads at once. False: a handle belongs to "
        "the thread that uses it; the kit does not share one between threads.",
    ),
    Capability(
        "atomic_rmw", ("processes", "threads", "none"), "processes",
        "Whether setdefault(), pop() and popitem() (and update() when update_atomic) are atomic "
        "read-modify-writes: across processes and threads, across the threads of one process "
        "only, or not at all (they may race: two setdefault() winners, a key popped twice).",
    ),
    Capability(
        "after_fork", ("works", "raises"), "works",
        "What a store opened before os.fork() does in the child: 'works' (it reads and writes "
        "the same data as the parent), or 'raises' (a clear exception on first use, never a "
        "silent wrong answer).",
    ),
]

CAPABILITIES: Mapping[str, Capability] = {c.name: c for c in _DECLARED}


class Capabilities(Mapping[str, Any]):
    """A validated, frozen set of capability values (all names present).

    Read them as attributes (``caps.ordering``) or items (``caps["ordering"]``).
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]):
        object.__setattr__(self, "_values", dict(values))

    @classmethod
    def of_dict(cls) -> "Capabilities":
        """The capabilities of the builtin dict: the full contract."""
        return cls({c.name: c.dict_value for c in _DECLARED})

    @classmethod
    def validate(cls, declared: Mapping[str, Any] | None, base: "Capabilities | None" = None) -> "Capabilities":
        """Validate a declaration; unnamed capabilities take ``base``'s values (dict's by default)."""
        values = dict((base or cls.of_dict())._values)
        for name, value in (declared or {}).items():
            cap = CAPABILITIES.get(name)
            if cap is None:
                raise CapabilityError(
                    f"unknown capability {name!r}; known capabilities: {', '.join(sorted(CAPABILITIES))}"
                )
            values[name] = cap.check(value)
        return cls(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Capabilities are frozen")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def differences_from_dict(self) -> dict[str, Any]:
        """The capabilities whose value is not dict's."""
        base = Capabilities.of_dict()
        return {k: v for k, v in self._values.items() if base[k] != v}

    def as_json(self) -> dict[str, Any]:
        """A JSON-friendly copy (sets become sorted lists)."""
        return {
            k: sorted(v) if isinstance(v, frozenset) else v for k, v in sorted(self._values.items())
        }

    def __repr__(self) -> str:
        return f"Capabilities({self.as_json()!r})"
