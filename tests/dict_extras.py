"""dict's extras for the test stores: ``fromkeys``, ``|``, ``|=`` and dict's repr.

Mixed into the correct bases of ``broken_mappings`` and ``control_base``; a
class using it provides ``copy()`` (which ``|`` builds on) and a constructor
that takes dict's arguments.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Mapping
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
