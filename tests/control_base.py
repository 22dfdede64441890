"""The base of the control stores: a correct in-memory store with hooks, and its spec.

``ControlStore`` is a ``MutableMapping`` over a private dict that files each
key under ``_file(key)`` and keeps, beside the stored value, the key object
iteration gives back (the first inserted, as dict does).  A design changes
only its hooks: ``_file``, ``_check_key``, ``_spell``, ``_dump`` and ``_load``.
``ControlSpec`` opens one in memory.  The designs are in ``control_stores.py``.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, KeysView, MutableMapping, ValuesView
from typing import Any, ClassVar

from dict_extras import DictExtras
from dict_extras import DictItems as _Items, DictKeys as _Keys, DictValues as _Values
from pdict_conformance import BackendSpec

# -- views -------------------------------------------------------------------------




class _ForwardKeys(KeysView):
    """A keys view without ``__reversed__`` (reversed() raises TypeError)."""


class _ForwardValues(ValuesView):
    pass


class _ForwardItems(ItemsView):
    pass


# -- the store -----------------------------------------------------------------------


class ControlStore(DictExtras, MutableMapping):
    """A correct store: ``_data[_file(key)] = (key as iterated, _dump(value))``."""

    #: The views ``keys()``, ``values()`` and ``items()`` return.
    views: ClassVar[tuple[type, type, type]] = (_Keys, _Values, _Items)

    def __init__(self, *args: Any, **kwargs: Any):
        self._data: dict[Any, tuple[Any, Any]] = {}
        self._changes = 0
        self.update(*args, **kwargs)

    # -- the design's hooks ------------------------------------------------
    def _file(self, key: Any) -> Any:
        """What the key is filed under; raises TypeError for an unhashable key."""
        hash(key)
        return key

    def _check_key(self, key: Any) -> None:
        """Refuse a key the store cannot hold (before anything is written)."""

    def _spell(self, key: Any) -> Any:
        """The key object iteration yields for a newly inserted ``key``."""
        return key

    def _dump(self, value: Any) -> Any:
        """The stored form of ``value``; raises TypeError for a value outside the domain."""
        return value

    def _load(self, stored: Any) -> Any:
        return stored

    # -- the abstract methods ----------------------------------------------
    def __getitem__(self, key: Any) -> Any:
        try:
            return self._load(self._data[self._file(key)][1])
        except KeyError:
            raise KeyError(key) from None

    def __setitem__(self, key: Any, value: Any) -> None:
        code = self._file(key)
        self._check_key(key)
        stored = self._dump(value)
        old = self._data.get(code)
        if old is None:
            self._changes += 1
        self._data[code] = (old[0] if old is not None else self._spell(key), stored)

    def __delitem__(self, key: Any) -> None:
        try:
            del self._data[self._file(key)]
        except KeyError:
            raise KeyError(key) from None
        self._changes += 1

    def __iter__(self):
        return self._guarded(code for code in list(self._data))

    def __reversed__(self):
        return self._guarded(code for code in reversed(list(self._data)))

    def _guarded(self, codes: Iterable[Any]):
        """Yield the keys of ``codes``; RuntimeError once keys are added or removed (as dict)."""
        start = self._changes
        for code in codes:
            if self._changes != start:
                raise RuntimeError("store changed size during iteration")
            entry = self._data.get(code)
            if entry is not None:
                yield entry[0]
        if self._changes != start:
            raise RuntimeError("store changed size during iteration")

    def __len__(self) -> int:
        return len(self._data)

    # -- what a store answers itself ---------------------------------------
    def __contains__(self, key: Any) -> bool:
        return self._file(key) in self._data

    def keys(self):
        return self.views[0](self)

    def values(self):
        return self.views[1](self)

    def items(self):
        return self.views[2](self)

    def get(self, key: Any, default: Any = None) -> Any:
        code = self._file(key)
        return self._load(self._data[code][1]) if code in self._data else default

    def pop(self, key: Any, *default: Any) -> Any:
        if len(default) > 1:
            raise TypeError(f"pop expected at most 2 arguments, got {1 + len(default)}")
        code = self._file(key)
        if code not in self._data:
            if default:
                return default[0]
            raise KeyError(key)
        _, stored = self._data.pop(code)
        self._changes += 1
        return self._load(stored)

    def popitem(self) -> tuple[Any, Any]:
        if not self._data:
            raise KeyError("popitem(): dictionary is empty")
        key, stored = self._data.pop(next(reversed(self._data)))
        self._changes += 1
        return key, self._load(stored)

    def clear(self) -> None:
        if self._data:
            self._changes += 1
        self._data.clear()

    # -- dict's extras -------------------------------------------------------
    def copy(self):
        new = type(self)()
        new._data = dict(self._data)
        return new



class ForwardViewStore(ControlStore):
    """reversed(store) works; its views cannot be reversed."""

    views = (_ForwardKeys, _ForwardValues, _ForwardItems)

    def __repr__(self) -> str:  # dict's view reprs are not promised
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self.items()) + "}"


class ControlSpec(BackendSpec):
    """Opens ``store_class`` in memory; ``fromkeys`` is the class's own."""

    store_class: ClassVar[type[ControlStore]] = ControlStore

    def new_location(self, scratch: Any) -> Any:
        return None

    def open(self, location: Any, *args: Any, **kwargs: Any) -> MutableMapping:
        return self.store_class(*args, **kwargs)

    def destroy(self, location: Any) -> None:
        pass

    def fromkeys(self, location: Any, keys: Iterable[Any], value: Any = None) -> MutableMapping:
        return self.store_class.fromkeys(keys, value)


def type_check(what: str, obj: Any, types: tuple[type, ...]) -> None:
    if type(obj) not in types:
        names = "/".join(t.__name__ for t in types)
        raise TypeError(f"{what} must be {names}, not {type(obj).__name__}")
