"""The read side shared by every reference backend: rows decoded into keys,
values and items as iteration yields them, and the live views.

Each generator checks the store is open before every row, so an iteration
under way raises StoreClosedError at its next step once the store closes,
and turns a row the codec did not write into the store's CorruptStoreError.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, ValuesView
from typing import TYPE_CHECKING, Any

from .codec import _quote, decode_key, decode_value

if TYPE_CHECKING:
    from .base import Row, StoreBase


def decoded_keys(store: StoreBase, rows: Iterator[Row]) -> Iterator[Any]:
    decode, quote = decode_key, _quote
    for identity, spelling, _ in rows:
        if store._closed:
            store._raise_closed()
        # decode_key's first case, inlined (saving a call per key): a str key
        # stored as its own JSON, no spelling.  The same check as there; any
        # other row, and one that fails the check, goes through decode_key.
        if spelling is None and type(identity) is str and identity[:1] == '"':
            key = identity[1:-1]
            if quote(key) == identity:
                yield key
                continue
        try:
            key = decode(identity, spelling)
        except ValueError as exc:
            raise store._corrupt_row(identity, "key", spelling if spelling is not None else identity, exc) from None
        yield key


def decoded_values(store: StoreBase, rows: Iterator[Row]) -> Iterator[Any]:
    for identity, _, text in rows:
        if store._closed:
            store._raise_closed()
        try:
            value = decode_value(text)
        except ValueError as exc:
            raise store._corrupt_row(identity, "value", text, exc) from None
        yield value


def decoded_items(store: StoreBase, rows: Iterator[Row]) -> Iterator[tuple[Any, Any]]:
    for identity, spelling, text in rows:
        if store._closed:
            store._raise_closed()
        try:
            key = decode_key(identity, spelling)
        except ValueError as exc:
            raise store._corrupt_row(identity, "key", spelling if spelling is not None else identity, exc) from None
        try:
            value = decode_value(text)
        except ValueError as exc:
            raise store._corrupt_row(identity, "value", text, exc) from None
        yield key, value


class StoreKeysView(KeysView):
    """keys(): live, iterating on the database."""

    def __iter__(self) -> Iterator[Any]:
        return iter(self._mapping)

    def __reversed__(self) -> Iterator[Any]:
        return reversed(self._mapping)


class StoreValuesView(ValuesView):
    """values(): live, iterating on the database."""

    def __iter__(self) -> Iterator[Any]:
        store = self._mapping
        if store._closed:
            store._raise_closed()
        return decoded_values(store, store._rows(True, True))

    def __reversed__(self) -> Iterator[Any]:
        store = self._mapping
        if store._closed:
            store._raise_closed()
        return decoded_values(store, store._rows(False, True))


class StoreItemsView(ItemsView):
    """items(): live, iterating on the database."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        store = self._mapping
        if store._closed:
            store._raise_closed()
        return decoded_items(store, store._rows(True, True))

    def __reversed__(self) -> Iterator[tuple[Any, Any]]:
        store = self._mapping
        if store._closed:
            store._raise_closed()
        return decoded_items(store, store._rows(False, True))
