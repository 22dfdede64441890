"""What every reference backend shares on top of its own storage operations.

``StoreBase`` implements dict's single-key methods (``[]``, ``get``, ``in``,
``[]=``, ``del``, ``pop``, ``popitem``, ``setdefault``) with dict's errors, and
its comparison, ``|``/``|=`` and ``copy``, on a few storage primitives that
each backend writes: they take key identities and JSON texts (see
:mod:`reference_backends.codec`), never Python objects.
``encoded_rows`` turns ``update()``'s arguments into encoded rows with dict's
own errors, before anything is written.

Lifecycle (one behaviour for every backend): ``close()`` releases the handle
(the backend's ``_release()``, called once) and is idempotent; a store is a
context manager that closes on exit; after ``close()`` every public method,
``iter()``, ``reversed()``, the views and an iteration already under way (at
its next step) raise :class:`~reference_backends.errors.StoreClosedError`
naming the store.  The check is one attribute test per call, made before any
argument is looked at.  ``repr()`` and ``closed`` work on a closed handle.

Decoding: a stored row the codec did not write (torn, hand-made) raises
:class:`~reference_backends.errors.CorruptStoreError` naming the store, the
row's key and the text, from whatever reads it; ``pop`` and ``popitem``
remove such a row before they can see it, then raise the same error.

``fromkeys(iterable, value=None, /, *options, **keyword_options)`` is a
classmethod on every backend: dict's two arguments first, then the
constructor's own options (path, table, ...), which must be options, never
initial contents.  It opens the store those options name and sets every key to
``value`` in one ``update()`` (atomic where the backend's update is), so on a
persistent location the keys join what is already stored there.
"""

from __future__ import annotations

import inspect
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, TypeVar

from .codec import _quote, decode_key, decode_value, encode_value, key_identity, lookup_identity
from .views import StoreItemsView, StoreKeysView, StoreValuesView, decoded_keys
from .errors import CorruptStoreError, StoreClosedError

_MISSING: Any = object()
_CLOSING = threading.Lock()
os.register_at_fork(after_in_child=_CLOSING._at_fork_reinit)  # never inherited held
Text = str | bytes
Row = tuple[Text, Text | None, Text | None]
EncodedRow = tuple[str, str | None, str]
S = TypeVar("S", bound="StoreBase")


class StoreBase(MutableMapping):
    """dict's methods for a JSON store, on the backend's storage primitives.

    ``copy()`` and ``|`` give plain dict snapshots.  Each primitive must be
    atomic on its own; none is called with an identity the codec did not make,
    nor on a closed handle.
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

    def _store_absent(self, identity: str, spelling: str | None, text: str) -> Text | None:
        """Store ``text`` only if ``identity`` is absent, atomically.  None when
        this call stored it; otherwise the value text already stored."""
        raise NotImplementedError

    def _rows(self, forward: bool, values: bool) -> Iterator[Row]:
        """Every ``(identity, spelling, text)`` in iteration order (or backwards),
        read from the database a page or a cursor step at a time, never all at once.
        When ``values`` is false ``text`` is never read (None, or whatever the
        backend finds cheapest).  Must raise TypeError at
        once (not on the first step) when asked to go backwards without an order."""
        raise NotImplementedError

    def _count(self) -> int:
        """The number of keys."""
        raise NotImplementedError

    def _clear(self) -> None:
        """Delete every key."""
        raise NotImplementedError

    def _update(self, rows: list[EncodedRow]) -> None:
        """Store every ``(identity, spelling, text)`` in order, as ``_store`` would
        (a key repeated in ``rows`` keeps its first spelling and its last value).
        ``rows`` is never empty."""
        for identity, spelling, text in rows:
            self._store(identity, spelling, text)

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
        with _CLOSING:  # two threads closing at once: one releases
            if self._closed:
                return
            self._closed = True
        self._release()

    @property
    def closed(self) -> bool:
        """Whether close() was called on this handle."""
        return self._closed

    def _check_open(self) -> None:
        """Raise StoreClosedError if this handle is closed."""
        if self._closed:
            self._raise_closed()

    def _raise_closed(self) -> None:
        raise StoreClosedError(f"{self._describe()} is closed")

    def __enter__(self: S) -> S:
        if self._closed:
            self._raise_closed()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{self._describe()} {'closed' if self._closed else 'open'}>"

    # -- iteration and views -------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        if self._closed:
            self._raise_closed()
        return decoded_keys(self, self._rows(True, False))

    def __reversed__(self) -> Iterator[Any]:
        if self._closed:
            self._raise_closed()
        return decoded_keys(self, self._rows(False, False))

    def keys(self) -> StoreKeysView:
        if self._closed:
            self._raise_closed()
        return StoreKeysView(self)

    def values(self) -> StoreValuesView:
        if self._closed:
            self._raise_closed()
        return StoreValuesView(self)

    def items(self) -> StoreItemsView:
        if self._closed:
            self._raise_closed()
        return StoreItemsView(self)

    # -- dict's single-key methods ------------------------------------------------
    def __getitem__(self, key: Any) -> Any:
        if self._closed:
            self._raise_closed()
        identity = lookup_identity(key)
        text = None if identity is None else self._load(identity)
        if text is None:
            raise KeyError(key)
        try:
            return decode_value(text)
        except ValueError as exc:
            raise self._corrupt_row(identity, "value", text, exc) from None

    def get(self, key: Any, default: Any = None) -> Any:
        if self._closed:
            self._raise_closed()
        identity = lookup_identity(key)
        text = None if identity is None else self._load(identity)
        if text is None:
            return default
        try:
            return decode_value(text)
        except ValueError as exc:
            raise self._corrupt_row(identity, "value", text, exc) from None

    def __contains__(self, key: Any) -> bool:
        if self._closed:
            self._raise_closed()
        identity = lookup_identity(key)
        return identity is not None and self._has(identity)

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._closed:
            self._raise_closed()
        identity, spelling = key_identity(key)
        self._store(identity, spelling, encode_value(value))

    def __delitem__(self, key: Any) -> None:
        if self._closed:
            self._raise_closed()
        identity = lookup_identity(key)
        if identity is None or not self._remove(identity):
            raise KeyError(key)

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        if self._closed:
            self._raise_closed()
        identity = lookup_identity(key)
        text = None if identity is None else self._take(identity)
        if text is not None:
            return self._decode_value(identity, text)
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self) -> tuple[Any, Any]:
        if self._closed:
            self._raise_closed()
        found = self._take_item()
        if found is None:
            raise KeyError("popitem(): dictionary is empty")
        identity, spelling, text = found
        return self._decode_key(identity, spelling), self._decode_value(identity, text)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if self._closed:
            self._raise_closed()
        identity, spelling = key_identity(key)
        try:
            text = encode_value(default)
        except TypeError:
            # dict returns an existing value without looking at the default.
            found = self.get(key, _MISSING)
            if found is _MISSING:
                raise
            return found
        existing = self._store_absent(identity, spelling, text)
        # As dict: the default object itself when it was stored, else the stored value.
        return default if existing is None else self._decode_value(identity, existing)

    # -- whole store -------------------------------------------------------------------
    def __len__(self) -> int:
        if self._closed:
            self._raise_closed()
        return self._count()

    def clear(self) -> None:
        if self._closed:
            self._raise_closed()
        self._clear()

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """As dict.update; every pair is encoded (with dict's errors) before
        anything is written, so a key or value the store cannot hold writes nothing."""
        if self._closed:
            self._raise_closed()
        rows = encoded_rows(other, kwargs)
        if rows:
            self._update(rows)

    @classmethod
    def fromkeys(cls: type[S], iterable: Iterable[Any], value: Any = None, /, *options: Any, **keyword_options: Any) -> S:
        """The store named by the constructor's ``options`` (``cls(*options,
        **keyword_options)``) with every key of ``iterable`` set to ``value``.

        dict's arguments come first so that ``fromkeys(keys)`` and
        ``fromkeys(keys, value)`` mean what they mean for dict.  ``options`` are
        the constructor's own parameters only (e.g. ``path, table`` for
        SqliteDict): more positional options than the constructor has before
        its initial contents, or a keyword that is not one of its parameters, is
        a TypeError, so keys can never be mistaken for contents.  The keys are
        written with one ``update()``; if it fails the store is closed and the
        error raised.
        """
        positional, named = _constructor_options(cls)
        if len(options) > len(positional):
            raise TypeError(
                f"{cls.__name__}.fromkeys(iterable, value=None, /, *options): at most "
                f"{len(positional)} options ({', '.join(positional)}), got {len(options)}"
            )
        unknown = sorted(set(keyword_options) - named)
        if unknown:
            raise TypeError(
                f"{cls.__name__}.fromkeys(): {', '.join(unknown)} is not an option of "
                f"{cls.__name__}(); options: {', '.join(sorted(named))}"
            )
        store = cls(*options, **keyword_options)
        try:
            store.update((key, value) for key in iterable)
        except BaseException:
            store.close()
            raise
        return store

    # -- decoding with the store named in errors ------------------------------------
    def _decode_value(self, identity: Text, text: Text) -> Any:
        try:
            return decode_value(text)
        except ValueError as exc:
            raise self._corrupt_row(identity, "value", text, exc) from None

    def _decode_key(self, identity: Text, spelling: Text | None) -> Any:
        try:
            return decode_key(identity, spelling)
        except ValueError as exc:
            raise self._corrupt_row(identity, "key", spelling if spelling is not None else identity, exc) from None

    def _corrupt_row(self, identity: Text, part: str, text: Text, exc: Exception) -> CorruptStoreError:
        return CorruptStoreError(
            f"{self._describe()}: the stored {part} of the row with key {_shown(identity)} "
            f"cannot be decoded ({_shown(text)}): {exc}"
        )

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


def _shown(text: Text, limit: int = 80) -> str:
    """A stored text for a message: its repr, cut to ``limit`` characters."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _constructor_options(cls: type) -> tuple[tuple[str, ...], frozenset[str]]:
    """``cls()``'s positional options (before ``*args``) and every named parameter."""
    found = _OPTIONS.get(cls)
    if found is None:
        params = list(inspect.signature(cls).parameters.values())
        positional = tuple(
            p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        )
        named = frozenset(p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        found = _OPTIONS[cls] = (positional, named)
    return found


_OPTIONS: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}


def encoded_rows(other: Any, kwargs: Mapping[str, Any]) -> list[EncodedRow]:
    """``(identity, spelling, value_json)`` for dict.update's arguments, in
    order, every one encoded before this returns, with dict's errors."""
    if type(other) is dict:
        # dict.update reads an exact dict's items directly, and so does this; a
        # str key's row is key_identity's first case, made without the call.
        quote, encode = _quote, encode_value
        rows = [(quote(k), None, encode(v)) if type(k) is str else (*key_identity(k), encode(v))
                for k, v in other.items()]
    else:
        rows = list(_rows_of(other))
    rows.extend((*key_identity(key), encode_value(value)) for key, value in kwargs.items())
    return rows


def _rows_of(other: Any) -> Iterator[EncodedRow]:
    """Encoded rows of dict.update's positional argument, other than an exact dict."""
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
