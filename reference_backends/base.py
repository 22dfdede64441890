"""What every reference backend shares on top of its own storage operations.

``StoreBase`` implements dict's single-key methods (``[]``, ``get``, ``in``,
``[]=``, ``del``, ``pop``, ``popitem``, ``setdefault``) with dict's errors, and
its comparison, ``|``/``|=`` and ``copy``, on a few storage primitives that
each backend writes: they take key identities and JSON texts (see
:mod:`reference_backends.codec`), never Python objects.
``encoded_rows`` turns ``update()``'s arguments into encoded rows with dict's
own errors, before anything is written.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping, MutableMapping, ValuesView
from typing import Any

from .codec import decode_key, decode_value, encode_value, key_identity, lookup_identity
from .errors import StoreClosedError

_MISSING: Any = object()
Text = str | bytes
Row = tuple[Text, Text | None, Text | None]


class StoreBase(MutableMapping):
    """dict's methods for a JSON store, on the backend's storage primitives.

    ``copy()`` and ``|`` give plain dict snapshots.  Each primitive must be
    atomic on its own; none is called with an identity the codec did not make.
    """

    # -- the storage primitives a backend implements ----------------------------
    def _load(self, identity: str) -> Text | None:
        """The value text stored under ``identity``, or None."""
        raise NotImplementedError

    def _has(self, identity: str) -> bool:
        """Whether ``identity`` is stored."""
        raise NotImplementedError

    def _store(self, identity: str, spelling: str | None, text: str) -> None:
        """Set the value; a new key takes ``spelling``, an existing one keeps its own."""
        raise NotImplementedError

    def _remove(self, identity: str) -> bool:
        """Delete the key; whether it was there."""
        raise NotImplementedError

    def _take(self, identity: str) -> Text | None:
        """Delete the key and return the value text it held, or None if absent."""
        raise NotImplementedError

    def _take_item(self) -> tuple[Text, Text | None, Text] | None:
        """Delete popitem's item; ``(identity, spelling, text)``, or None if empty."""
        raise NotImplementedError

    def _store_absent(self, identity: str, spelling: str | None, text: str) -> Text:
        """Store only if absent; the value text stored afterwards."""
        raise NotImplementedError

    def _rows(self, forward: bool, values: bool) -> Iterator[Row]:
        """Every ``(identity, spelling, text)`` in iteration order (or backwards),
        read from the database a page or a cursor step at a time, never all at once.
        ``text`` may be None when ``values`` is false.  Must raise TypeError at
        once (not on the first step) when asked to go backwards without an order."""
        raise NotImplementedError

    # -- lifecycle -------------------------------------------------------------------
    #: Set by close(); every public operation then raises StoreClosedError.
    _closed: bool = False

    def _release(self) -> None:
        """Release the backend's resources (connection, file handle, lock).
        Called exactly once, by the first close()."""

    def _describe(self) -> str:
        """How messages name this store, e.g. ``SqliteDict('data.db', table='dict')``."""
        return type(self).__name__

    def close(self) -> None:
        """Release this handle; the data stays.  Idempotent.  Afterwards every
        operation on the handle raises :class:`~reference_backends.errors.StoreClosedError`."""
        if not self._closed:
            self._closed = True
            self._release()

    @property
    def closed(self) -> bool:
        """Whether close() was called on this handle."""
        return self._closed

    def _check_open(self) -> None:
        """Raise StoreClosedError if this handle is closed."""
        if self._closed:
            raise StoreClosedError(f"{self._describe()} is closed")

    def __enter__(self) -> "StoreBase":
        self._check_open()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- iteration and views -------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        return _keys(self._rows(True, False))

    def __reversed__(self) -> Iterator[Any]:
        return _keys(self._rows(False, False))

    def keys(self) -> "StoreKeysView":
        return StoreKeysView(self)

    def values(self) -> "StoreValuesView":
        return StoreValuesView(self)

    def items(self) -> "StoreItemsView":
        return StoreItemsView(self)

    # -- dict's single-key methods ------------------------------------------------
    def __getitem__(self, key: Any) -> Any:
        identity = lookup_identity(key)
        text = None if identity is None else self._load(identity)
        if text is None:
            raise KeyError(key)
        return decode_value(text)

    def get(self, key: Any, default: Any = None) -> Any:
        identity = lookup_identity(key)
        text = None if identity is None else self._load(identity)
        return default if text is None else decode_value(text)

    def __contains__(self, key: Any) -> bool:
        identity = lookup_identity(key)
        return identity is not None and self._has(identity)

    def __setitem__(self, key: Any, value: Any) -> None:
        identity, spelling = key_identity(key)
        self._store(identity, spelling, encode_value(value))

    def __delitem__(self, key: Any) -> None:
        identity = lookup_identity(key)
        if identity is None or not self._remove(identity):
            raise KeyError(key)

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        identity = lookup_identity(key)
        text = None if identity is None else self._take(identity)
        if text is not None:
            return decode_value(text)
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self) -> tuple[Any, Any]:
        found = self._take_item()
        if found is None:
            raise KeyError("popitem(): dictionary is empty")
        identity, spelling, text = found
        return decode_key(identity, spelling), decode_value(text)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        identity, spelling = key_identity(key)
        try:
            text = encode_value(default)
        except TypeError:
            # dict returns an existing value without looking at the default.
            found = self.get(key, _MISSING)
            if found is _MISSING:
                raise
            return found
        return decode_value(self._store_absent(identity, spelling, text))

    # -- comparison, copy and operators ---------------------------------------------

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


def _keys(rows: Iterator[Row]) -> Iterator[Any]:
    for identity, spelling, _ in rows:
        yield decode_key(identity, spelling)


def _values(rows: Iterator[Row]) -> Iterator[Any]:
    for _, _, text in rows:
        yield decode_value(text)


def _items(rows: Iterator[Row]) -> Iterator[tuple[Any, Any]]:
    for identity, spelling, text in rows:
        yield decode_key(identity, spelling), decode_value(text)


class StoreKeysView(KeysView):
    """keys(): live, iterating on the database."""

    def __reversed__(self) -> Iterator[Any]:
        return reversed(self._mapping)


class StoreValuesView(ValuesView):
    """values(): live, iterating on the database."""

    def __iter__(self) -> Iterator[Any]:
        return _values(self._mapping._rows(True, True))

    def __reversed__(self) -> Iterator[Any]:
        return _values(self._mapping._rows(False, True))


class StoreItemsView(ItemsView):
    """items(): live, iterating on the database."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return _items(self._mapping._rows(True, True))

    def __reversed__(self) -> Iterator[tuple[Any, Any]]:
        return _items(self._mapping._rows(False, True))


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
