"""What every reference backend shares on top of its own storage operations.

``StoreBase`` gives dict's comparison, ``|``/``|=`` and ``copy`` in terms of
``items()`` and ``update()``, so a backend writes only its storage code.
``encoded_rows`` turns ``update()``'s arguments into encoded rows with dict's
own errors, before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from .codec import encode_value, key_identity


class StoreBase(MutableMapping):
    """Comparison, operators and copy for a JSON store (a dict snapshot for copy and ``|``)."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        if len(self) != len(other):
            return False
        for key, value in self.items():
            try:
                if other[key] != value:
                    return False
            except KeyError:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> dict[Any, Any]:
        """A plain dict holding a snapshot of the store."""
        return dict(self.items())

    def __or__(self, other: Any) -> dict[Any, Any]:
        if not isinstance(other, Mapping):
            return NotImplemented
        result = self.copy()
        result.update(other)
        return result

    def __ror__(self, other: Any) -> dict[Any, Any]:
        if not isinstance(other, Mapping):
            return NotImplemented
        result = dict(other)
        result.update(self.items())
        return result

    def __ior__(self, other: Any) -> "StoreBase":
        self.update(other)
        return self


def encoded_rows(other: Any, kwargs: Mapping[str, Any]) -> Iterator[tuple[str, str | None, str]]:
    """``(identity, spelling, value_json)`` for dict.update's arguments, with dict's errors."""
    if hasattr(other, "keys"):
        for key in other.keys():
            yield (*key_identity(key), encode_value(other[key]))
    else:
        for index, pair in enumerate(other):
            try:
                items = tuple(pair)
            except TypeError:
                raise TypeError(
                    f"cannot convert dictionary update sequence element #{index} to a sequence"
                ) from None
            if len(items) != 2:
                raise ValueError(
                    f"dictionary update sequence element #{index} has length {len(items)}; 2 is required"
                )
            yield (*key_identity(items[0]), encode_value(items[1]))
    for key, value in kwargs.items():
        yield (*key_identity(key), encode_value(value))
