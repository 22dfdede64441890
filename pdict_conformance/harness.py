"""The per-test harness: makes stores through the spec and cleans them all up.

Tests reach it as the ``harness`` fixture.  Every handle it opens is closed,
and every location it creates is destroyed, when the test ends, whether the
test passed or not.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import Any

import pytest

from .capabilities import Capabilities
from .domain import Domain
from .spec import BackendSpec


class StoreHarness:
    """Opens stores for one test.  ``caps`` holds the backend's capabilities."""

    def __init__(self, spec: BackendSpec, caps: Capabilities, scratch: Path):
        self.spec = spec
        self.caps = caps
        self.scratch = scratch
        self._locations: list[Any] = []
        self._handles: list[tuple[MutableMapping, Any]] = []
        #: Keys and values of the declared domain; a need it cannot meet skips the test.
        self.domain = Domain(caps, on_missing=pytest.skip)

    # -- opening ---------------------------------------------------------
    def new(self, *args: Any, **kwargs: Any) -> MutableMapping:
        """A fresh store holding ``dict(*args, **kwargs)``."""
        location = self._new_location()
        return self._track(self.spec.open(location, *args, **kwargs), location)

    def fromkeys(self, keys: Iterable[Any], value: Any = None) -> MutableMapping:
        """A fresh store holding ``dict.fromkeys(keys, value)``."""
        self.require(fromkeys=True)
        location = self._new_location()
        return self._track(self.spec.fromkeys(location, keys, value), location)

    def reopen(self, store: MutableMapping) -> MutableMapping:
        """Close ``store`` and open its location again (persistence)."""
        self.require(persistent=True)
        location = self._location_of(store)
        self.close(store)
        return self._track(self.spec.open(location), location)

    def second_handle(self, store: MutableMapping) -> MutableMapping:
        """A second live handle on the same store, ``store`` staying open."""
        self.require(shared_handles=True)
        location = self._location_of(store)
        return self._track(self.spec.open(location), location)

    def close(self, store: MutableMapping) -> None:
        """Close one handle now (it is no longer cleaned up at the end)."""
        for i, (handle, _) in enumerate(self._handles):
            if handle is store:
                del self._handles[i]
                self.spec.close(store)
                return
        raise ValueError("this store was not opened by the harness")

    def discard(self, *stores: MutableMapping) -> None:
        """Close each of ``stores`` and destroy its location now, not at the end
        of the test (a test making many stores in turn keeps few alive).  Each
        must be the only open handle on its location."""
        for store in stores:
            location = self._location_of(store)
            self.close(store)
            self._locations.remove(location)
            self.spec.destroy(location)

    def require(self, **wanted: Any) -> None:
        """Skip the running test unless the capabilities match (see ``pdict_requires``)."""
        from .gating import unmet_requirement

        reason = unmet_requirement(self.caps, wanted)
        if reason:
            pytest.skip(reason)

    # -- bookkeeping -----------------------------------------------------
    def _new_location(self) -> Any:
        location = self.spec.new_location(self.scratch)
        self._locations.append(location)
        return location

    def _track(self, store: MutableMapping, location: Any) -> MutableMapping:
        self._handles.append((store, location))
        return store

    def _location_of(self, store: MutableMapping) -> Any:
        for handle, location in self._handles:
            if handle is store:
                return location
        raise ValueError("this store was not opened by the harness, or is closed")

    def cleanup(self) -> None:
        """Close every handle, then destroy every location; raise the first error."""
        errors: list[BaseException] = []
        for store, _ in reversed(self._handles):
            try:
                self.spec.close(store)
            except Exception as exc:  # keep cleaning, report afterwards
                errors.append(exc)
        self._handles.clear()
        for location in self._locations:
            try:
                self.spec.destroy(location)
            except Exception as exc:
                errors.append(exc)
        self._locations.clear()
        if errors:
            raise errors[0]
