"""The reference model: what a store with a given declaration must hold.

A :class:`ReferenceModel` is dict's behaviour under a backend's capabilities:
which keys are one key (``numeric_key_equality``, ``key_comparison``,
``key_spelling``), which keys are refused (``forbidden_keys``), what a stored
value reads back as (``value_roundtrip``, ``values_are_copies``), and the
order iteration follows (``ordering`` with the spec's ``order_key``).  Like
dict, an overwrite keeps the first inserted key object and its place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterator
from typing import Any

from ..capabilities import Capabilities
from ..compare import identity_function, spelling_function
from ..domain import expected

#: The keys ``forbidden_keys`` names, by its values.
FORBIDDEN: dict[str, tuple[Any, ...]] = {"empty": ("", b"")}


class Entry:
    """One key: the key object first stored, and the value it must read back as."""

    __slots__ = ("key", "value")

    def __init__(self, key: Any, value: Any):
        self.key = key
        self.value = value

    def __repr__(self) -> str:
        return f"{self.key!r}: {self.value!r}"


class ReferenceModel:
    """dict under a declaration.  ``value`` arguments are the objects handed to
    the store; entries hold what reading them back must give."""

    def __init__(self, caps: Capabilities, order_key: Callable[[Any], Any]):
        self.caps = caps
        self.order_key = order_key
        self._entries: dict[Hashable, Entry] = {}
        #: Identities of the keys set since the last :meth:`take_written`.
        self._written: set[Hashable] = set()
        #: ``identity(key)``: equal for exactly the keys the store treats as one.
        self.identity: Callable[[Any], Hashable] = identity_function(caps)
        #: ``spelled(key)``: the key object iteration yields for a stored key object.
        self.spelled: Callable[[Any], Any] = spelling_function(caps)

    def forbidden(self, key: Any) -> bool:
        """Whether the declaration says the store refuses ``key``."""
        return any(
            type(key) is type(k) and key == k for name in self.caps.forbidden_keys for k in FORBIDDEN[name]
        )

    # -- reading -----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Any) -> bool:
        return self.identity(key) in self._entries

    def find(self, key: Any) -> Entry | None:
        """The entry for ``key``, or None."""
        return self._entries.get(self.identity(key))

    def entry(self, identity: Hashable) -> Entry | None:
        """The entry for a key's identity, or None."""
        return self._entries.get(identity)

    def entries(self) -> list[Entry]:
        """Every entry, in insertion order."""
        return list(self._entries.values())

    def entries_of(self, identities: set[Hashable]) -> list[Entry]:
        """The entries among ``identities``, in insertion order."""
        return [e for i, e in self._entries.items() if i in identities]

    def take_written(self) -> set[Hashable]:
        """The identities of the keys set since the last call."""
        written, self._written = self._written, set()
        return written

    def ordered(self) -> list[Entry] | None:
        """The entries in the declared iteration order; None for ``ordering="none"``."""
        if self.caps.ordering == "none":
            return None
        if self.caps.ordering == "sorted":
            return sorted(self._entries.values(), key=lambda e: self.order_key(e.key))
        return list(self._entries.values())

    def readback(self, value: Any) -> Any:
        """What reading ``value`` back after storing it must give."""
        want = expected(value, self.caps)
        if self.caps.values_are_copies and want is value:
            return copy.deepcopy(value)
        return want

    def python_dict(self) -> dict[Any, Any] | None:
        """The contents as a plain dict of spelled keys, or None when two keys
        the store keeps apart are one key to a dict."""
        plain = {self.spelled(e.key): e.value for e in self._entries.values()}
        return plain if len(plain) == len(self._entries) else None

    def __iter__(self) -> Iterator[Any]:
        return (e.key for e in self._entries.values())

    # -- writing ---------------------------------------------------------------
    def set(self, key: Any, value: Any) -> None:
        """``store[key] = value`` (the key must not be forbidden)."""
        ident = self.identity(key)
        self._written.add(ident)
        entry = self._entries.get(ident)
        if entry is None:
            self._entries[ident] = Entry(key, self.readback(value))
        else:
            entry.value = self.readback(value)

    def delete(self, key: Any) -> Entry:
        """``del store[key]``; raises ``KeyError(key)`` as dict does."""
        try:
            return self._entries.pop(self.identity(key))
        except KeyError:
            raise KeyError(key) from None

    def clear(self) -> None:
        self._entries.clear()

    def snapshot(self) -> "ReferenceModel":
        """An independent copy (entries copied, values shared)."""
        other = ReferenceModel(self.caps, self.order_key)
        other._entries = {ident: Entry(e.key, e.value) for ident, e in self._entries.items()}
        other._written = set(self._written)
        return other

    def same_contents(self, other: "ReferenceModel") -> bool:
        """Same keys (by identity) with the same read-back values (by identity of objects)."""
        return self._entries.keys() == other._entries.keys() and all(
            e.value is other._entries[i].value for i, e in self._entries.items()
        )
