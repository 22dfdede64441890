"""Backend specs: how the kit makes, reopens and cleans up stores.

A store lives at a *location* (a file path, a table name, anything the spec
chooses).  The kit asks the spec for a fresh location for every store it
needs, opens handles on it, and destroys it when the test ends, so one test
never sees another's data.

The common case needs no subclass: ``--pdict-backend=module:MyDict`` with a
mapping class builds a :class:`MappingClassSpec` that judges the class against
full dict semantics.  A backend whose constructor takes its own options, or
that persists, writes a small :class:`BackendSpec` subclass::

    class MyStoreSpec(BackendSpec):
        capabilities = {"persistent": True, "value_roundtrip": "json"}

        def open(self, location, *args, **kwargs):
            store = MyStore(str(location))
            store.update(*args, **kwargs)
            return store
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any, ClassVar

from .capabilities import Capabilities


class BackendSpec:
    """Tells the kit how to use one backend.  Subclass it and override ``open``.

    Class attributes:

    ``name``
        Shown in the report; defaults to the class name.
    ``capabilities``
        The declaration: capability name -> value (see ``pdict_conformance.capabilities``).
        Names left out take dict's value, except ``persistent`` and
        ``shared_handles``, which are false unless declared.
    ``deviations``
        Known differences from dict that no capability describes: test name (a
        function name such as ``test_repr``, or an ``fnmatch`` pattern over the
        test's stable id, e.g. ``cpython_dict_tests/test_dict.py::test_repr*``)
        -> the reason.  Those tests must fail: one that passes
        is reported as a stale declaration, an error.
    ``services``
        Names of services the kit must start before any store is made (e.g.
        ``("cassandra",)``); they are handed to :meth:`start`.
    ``distribution``
        The installed package whose version goes into the report.

    The durability tier rebuilds a started spec in fresh child processes from
    the same ``--pdict-backend`` target: :meth:`handoff` (parent) and
    :meth:`adopt` (child) carry what :meth:`start` set up, and every location
    must survive a JSON round trip (a ``Path`` is sent as its string).
    """

    name: ClassVar[str] = ""
    capabilities: ClassVar[Mapping[str, Any]] = {}
    deviations: ClassVar[Mapping[str, str]] = {}
    services: ClassVar[tuple[str, ...]] = ()
    distribution: ClassVar[str | None] = None

    _counter = itertools.count()

    # -- session ---------------------------------------------------------
    def start(self, services: Mapping[str, Any]) -> None:
        """Called once before the first store; ``services`` maps each name in
        ``self.services`` to what the kit started for it."""

    def stop(self) -> None:
        """Called once when the session ends."""

    # -- handing a started spec to a fresh process -------------------------
    def handoff(self) -> dict[str, Any]:
        """What a fresh child process needs to use this started spec, as a
        JSON-serialisable dict (contact points, ports, keyspaces: services by
        value, never live connections).  The durability tier calls it in the
        parent after :meth:`start`; the child rebuilds the spec from the same
        ``--pdict-backend`` target and calls :meth:`adopt` with it.  Default:
        nothing is needed (``{}``)."""
        return {}

    def adopt(self, state: Mapping[str, Any]) -> None:
        """Called in a fresh child process instead of :meth:`start`, with what
        :meth:`handoff` returned in the parent: connect to the services the
        parent started, start none.  Default: nothing to do."""

    # -- stores ----------------------------------------------------------
    def new_location(self, scratch: Path) -> Any:
        """A location where no store exists yet.  ``scratch`` is an empty
        directory private to the current test.  Default: a path inside it."""
        return scratch / f"store-{next(self._counter)}"

    def open(self, location: Any, *args: Any, **kwargs: Any) -> MutableMapping:
        """Open the store at ``location``.  With arguments, fill it as
        ``dict(*args, **kwargs)`` would (the kit passes them only for a new
        location)."""
        raise NotImplementedError(f"{type(self).__name__} must implement open(location, *args, **kwargs)")

    def close(self, store: MutableMapping) -> None:
        """Release one handle (data stays).  Default: ``store.close()`` if it exists.

        Also called with the stores that ``copy()`` and ``|`` return (copy="same_type"),
        which the kit did not open through :meth:`open`."""
        close = getattr(store, "close", None)
        if callable(close):
            close()

    def destroy(self, location: Any) -> None:
        """Remove all data at ``location``; every handle on it is closed already.
        Default: delete the file or directory if ``location`` is a path."""
        if isinstance(location, Path):
            for path in (location, *location.parent.glob(location.name + "-*")):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                elif path.exists():
                    path.unlink()

    def fromkeys(self, location: Any, keys: Iterable[Any], value: Any = None) -> MutableMapping:
        """A store at ``location`` holding ``dict.fromkeys(keys, value)``.
        Default: open an empty store and assign each key."""
        store = self.open(location)
        for key in keys:
            store[key] = value
        return store

    def order_key(self, key: Any) -> Any:
        """For ``ordering="sorted"``: the sort key that iteration follows."""
        return key

    def describe(self) -> str:
        """One line for the report: what this spec certifies."""
        return self.name or type(self).__name__

    def declared_capabilities(self) -> Capabilities:
        """The validated declaration (raises CapabilityError on a bad one)."""
        base = Capabilities.validate({"persistent": False, "shared_handles": False})
        return Capabilities.validate(self.capabilities, base=base)


class MappingClassSpec(BackendSpec):
    """Judges a plain mapping class (``builtins:dict``, ``collections:OrderedDict``)
    against full dict semantics: every store is ``cls(*args, **kwargs)``.

    Two capabilities are read off the class instead of assumed, since they are
    presentation rather than semantics: ``dict_repr`` (OrderedDict's repr is
    ``OrderedDict(...)``) and ``copy`` (``dict.copy`` of a dict subclass
    returns a plain dict)."""

    def __init__(self, cls: type, target: str = ""):
        self.cls = cls
        self.target = target or f"{cls.__module__}:{cls.__qualname__}"

    def describe(self) -> str:
        return self.target

    def new_location(self, scratch: Path) -> Any:
        return None

    def open(self, location: Any, *args: Any, **kwargs: Any) -> MutableMapping:
        return self.cls(*args, **kwargs)

    def destroy(self, location: Any) -> None:
        pass

    def fromkeys(self, location: Any, keys: Iterable[Any], value: Any = None) -> MutableMapping:
        return self.cls.fromkeys(keys, value)

    def declared_capabilities(self) -> Capabilities:
        declared: dict[str, Any] = {"persistent": False, "shared_handles": False}
        if not _has_dict_repr(self.cls):
            declared["dict_repr"] = False  # presentation only: OrderedDict's repr differs
        if isinstance(self.cls, type) and issubclass(self.cls, dict) and self.cls.copy is dict.copy:
            if self.cls is not dict:
                declared["copy"] = "dict"  # dict.copy of a subclass returns a plain dict
        return Capabilities.validate(declared)


def _has_dict_repr(cls: Any) -> bool:
    try:
        sample = cls(a="1")
        return repr(sample) == "{'a': '1'}" and repr(sample.keys()) == "dict_keys(['a'])"
    except Exception:
        return False
