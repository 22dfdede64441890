"""dict's extras for the test stores: ``fromkeys``, ``|``, ``|=``, dict's repr, and views
with dict's reprs that can be reversed.

Mixed into the correct bases of ``broken_mappings`` and ``control_base``; a
class using it provides ``copy()`` (which ``|`` builds on) and a constructor
that takes dict's arguments.
"""

from __future__ import annotations

import reprlib
from collections.abc import ItemsView, Iterable, KeysView, Mapping, ValuesView
from typing import Any


class DictExtras:
    """``fromkeys``, ``|``, ``|=`` and repr as dict has them, on the MutableMapping API."""

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


class DictKeys(KeysView):
    """A keys view with dict's repr and reversed() over the mapping's own reversed()."""

    def __reversed__(self):
        return reversed(self._mapping)

    def __repr__(self) -> str:
        return f"dict_keys({list(self)!r})"


class DictValues(ValuesView):
    """A values view with dict's repr, reversible."""

    def __reversed__(self):
        for key in reversed(self._mapping):
            yield self._mapping[key]

    def __repr__(self) -> str:
        return f"dict_values({list(self)!r})"


class DictItems(ItemsView):
    """An items view with dict's repr, reversible."""

    def __reversed__(self):
        for key in reversed(self._mapping):
            yield (key, self._mapping[key])

    def __repr__(self) -> str:
        return f"dict_items({list(self)!r})"
