"""KyotoCabinetDict: the mapping, on an engine shared per file (see the package doc)."""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from ..base import StoreBase, encoded_rows
from .engine import Engine
from .formats import FORMATS, VALID
from .handles import Process, acquire, release

__all__ = ["KyotoCabinetDict"]


class KyotoCabinetDict(StoreBase):
    """A mutable mapping stored in the Kyoto Cabinet database ``path``.

    ``KyotoCabinetDict(path, *args, **kwargs)``: the remaining arguments fill
    the store as ``dict(*args, **kwargs)`` would.  ``path`` must end in
    ``.kch``, ``.kct``, ``.kcd``, ``.kcf`` or ``.kcx`` (see the package doc
    for what each is), must not contain ``#`` (Kyoto Cabinet reads tuning
    parameters after it), and is created if missing.  Opening errors name the
    path: ``FileNotFoundError`` (no such folder), ``IsADirectoryError``/
    ``NotADirectoryError`` (a folder where a file database belongs, or the
    reverse), ``PermissionError``,
    :class:`~reference_backends.errors.CorruptStoreError` (not a database of
    this type, or a damaged one), :class:`~reference_backends.errors.StoreBusyError`
    (another process holds it open for longer than ``lock_timeout``).
    A write on a full disk raises :class:`~reference_backends.errors.StoreFullError`;
    a store on a location this process may not change opens to read, and a write
    raises :class:`~reference_backends.errors.ReadOnlyStoreError`.

    Every write is in the file when it returns (it survives the process being
    killed); ``update`` writes all of its items or none.  Another
    KyotoCabinetDict on the same file in this process (by any path, hard links
    included) shares the open database; one process at a time may open it.
    After ``close()`` every operation raises
    :class:`~reference_backends.errors.StoreClosedError`; a handle opened
    before ``os.fork()`` raises RuntimeError in the child.

    Differences from dict, all of them consequences of storing JSON: values
    come back as their JSON round trip (a tuple comes back as a list), values
    JSON cannot hold raise TypeError (and nothing is written), keys are limited
    to str, int, float (not NaN), bool, None and tuples of them, a stored value
    is a copy, and ``copy()`` returns a plain dict snapshot.  Iteration order
    is the database's (sorted by :func:`~.formats.tree_order_key` for B+
    trees, insertion order for ``.kcx``, none for hash databases),
    ``popitem()`` takes the last item of a B+ tree or ``.kcx`` store and the
    first of a hash one, and ``reversed()`` works except on hash databases.

    Changing the store while iterating never raises.  Keys neither written
    nor deleted during an iteration are each yielded exactly once, and no key
    is yielded twice, except on ``.kch``: there an overwrite with a longer
    value can move the record past the cursor, so that key may come again.
    """

    #: Seconds to wait for another process to close the database.
    lock_timeout = 10.0

    def __init__(self, path: str | os.PathLike[str], *args: Any, **kwargs: Any) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"KyotoCabinetDict(path, *args, **kwargs): path must be a str or path, not "
                f"{type(path).__name__}; pass initial contents after the path or as keywords"
            )
        path = os.fspath(path)
        if not isinstance(path, str):
            path = os.fsdecode(path)
        fmt = FORMATS.get(os.path.splitext(path)[1])
        if fmt is None:
            raise ValueError(f"cannot tell the Kyoto Cabinet database type of {path!r}: its name must end in {VALID}")
        if "#" in path or "#" in os.path.realpath(path):
            raise ValueError(f"Kyoto Cabinet cannot open {path!r}: '#' in a path starts tuning parameters")
        self.path = path
        self.format = fmt
        self._engine: Engine | None = None
        engine = acquire(path, fmt, self.lock_timeout)
        self._engine = engine
        self._finalizer = weakref.finalize(self, release, engine)
        if args or kwargs:
            try:
                self.update(*args, **kwargs)
            except BaseException:
                self.close()
                raise

    # -- lifecycle (see StoreBase) -----------------------------------------
    def _release(self) -> None:
        self._engine = None
        finalizer = getattr(self, "_finalizer", None)
        if finalizer is not None:
            finalizer()

    def _describe(self) -> str:
        return f"KyotoCabinetDict({self.path!r})"

    def _live(self) -> Engine:
        self._check_open()
        engine = self._engine
        assert engine is not None
        if engine.pid != Process.pid:
            raise RuntimeError(
                f"KyotoCabinetDict({self.path!r}) was opened in process {engine.pid}, before a fork: "
                "open the store again in this process (after the parent closed it)"
            )
        return engine

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<KyotoCabinetDict path={self.path!r} ({self.format.title}) {state}>"

    # -- storage primitives (see StoreBase) --------------------------------
    def _load(self, identity: str) -> bytes | None:
        return self._live().get(identity)

    def _has(self, identity: str) -> bool:
        return self._live().contains(identity)

    def _store(self, identity: str, spelling: str | None, text: str) -> None:
        self._live().put(identity, spelling, text)

    def _remove(self, identity: str) -> bool:
        return bool(self._live().delete(identity))

    def _take(self, identity: str) -> bytes | None:
        return self._live().pop(identity)

    def _take_item(self) -> tuple[bytes, bytes | None, bytes] | None:
        """The last item in iteration order (B+ tree, ``.kcx``) or the first (hash databases)."""
        return self._live().popitem()

    def _store_absent(self, identity: str, spelling: str | None, text: str) -> bytes | None:
        return self._live().setdefault(identity, spelling, text)

    # -- whole store -------------------------------------------------------
    def _count(self) -> int:
        return self._live().count()

    def _clear(self) -> None:
        self._live().clear()

    def _update(self, rows: list[tuple[str, str | None, str]]) -> None:
        """Every row in one transaction (``.kcx``: one append); a key repeated in
        ``rows`` keeps its first spelling and its last value."""
        engine = self._live()
        merged: dict[str, tuple[str | None, str]] = {}
        for identity, spelling, text in rows:
            first = merged.get(identity)
            merged[identity] = (spelling if first is None else first[0], text)
        engine.update([(identity, spelling, text) for identity, (spelling, text) in merged.items()])

    # -- iteration ---------------------------------------------------------
    def _rows(self, forward: bool, values: bool = True) -> Iterator[tuple[bytes, bytes | None, bytes]]:
        """A cursor walk (see StoreBase._rows); values come with the records anyway."""
        engine = self._live()
        if not forward and not self.format.reversible:
            raise TypeError(
                f"a KyotoCabinetDict on a {self.format.title} database ({self.format.ext}) is not "
                "reversible: hash databases have no order to reverse"
            )
        return self._walk(engine, forward)

    def _walk(self, engine: Engine, forward: bool) -> Iterator[tuple[bytes, bytes | None, bytes]]:
        records = engine.records(forward)
        try:
            for record in records:
                yield record
                self._live()  # closed meanwhile: stop before touching the cursor
        finally:
            records.close()
