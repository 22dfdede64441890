"""The ``tier`` fixture: what a durability test needs, cleaned up on every path.

Test modules import it (``from .fixtures import tier``).  Teardown kills and
reaps every child the test started, then destroys every location it made.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest

from ..capabilities import Capabilities
from ..spec import BackendSpec
from .child import encode_location
from .children import Child, ChildCommandError, ChildPool
from .sizes import SIZES, TierSizes

#: Every tier test applies only to persistent stores whose keys and values may be str.
persistent_str_store = pytest.mark.pdict_requires(persistent=True, key_types={"str"}, value_types={"str"})

#: Tests that open the store in another process need a location another process can open.
other_processes = pytest.mark.pdict_requires(processes=("shared", "exclusive"))


class Tier:
    """One durability test's spec, sizes, seed, figures, children and locations."""

    def __init__(self, spec: BackendSpec, caps: Capabilities, target: str, seed: int, profile: str,
                 scratch: Path, figures: dict[str, float], test_name: str):
        self.spec = spec
        self.caps = caps
        self.seed = seed
        self.profile = profile
        self.sizes: TierSizes = SIZES[profile]
        self.scratch = scratch
        self.figures = figures
        self.rng = random.Random(f"pdict-tier:{seed}:{test_name}")
        self.pool = ChildPool({
            "target": target,
            "state": spec.handoff(),
            "sys_path": child_sys_path(spec),
        })
        self._locations: list[Any] = []
        self._handles: list[MutableMapping] = []

    # -- locations and handles in this process -------------------------------
    def new_location(self, scratch: Path | None = None) -> Any:
        """A fresh location (inside ``scratch`` if given), destroyed at teardown."""
        location = self.spec.new_location(scratch or self.scratch)
        self._locations.append(location)
        encode_location(location)  # fails here if a child could not receive it
        return location

    def open(self, location: Any, *args: Any, **kwargs: Any) -> MutableMapping:
        """A handle in this process, closed at teardown unless closed before."""
        store = self.spec.open(location, *args, **kwargs)
        self._handles.append(store)
        return store

    def close(self, store: MutableMapping) -> None:
        self._handles.remove(store)
        self.spec.close(store)

    # -- children ------------------------------------------------------------
    def child_on(self, location: Any, role: str = "child") -> Child:
        """A fresh child with the store at ``location`` open."""
        child = self.pool.start(role)
        try:
            child.request("open", location=encode_location(location))
        except ChildCommandError as exc:
            raise AssertionError(f"a fresh process cannot open the store: {exc}") from None
        return child

    def dump(self, location: Any, why: str = "") -> dict[str, Any]:
        """Open ``location`` in a fresh process and read it whole: ``{"items", "len", "iterated"}``
        with ``items`` a dict; the child is gone afterwards."""
        child = self.pool.start("reader")
        try:
            try:
                child.request("open", location=encode_location(location))
            except ChildCommandError as exc:
                raise AssertionError(f"the store does not reopen{why}: {exc}") from None
            found = child.request("dump")
            child.request("close")
        finally:
            self.pool.release(child)
        found["items"] = dict(found["items"])
        return found

    def cleanup(self) -> None:
        errors: list[BaseException] = []
        for step in (self.pool.close, self.close_handles, self._destroy):
            try:
                step()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]

    def close_handles(self) -> None:
        while self._handles:
            self.spec.close(self._handles.pop())

    def _destroy(self) -> None:
        while self._locations:
            self.spec.destroy(self._locations.pop())


def child_sys_path(spec: BackendSpec) -> list[str]:
    """The import path a child needs to import what this process imported: the
    folder the spec's package was loaded from first (pytest may have put another
    folder holding a package of that name ahead of it since), then ``sys.path``."""
    top = sys.modules.get(type(spec).__module__.split(".")[0])
    first: list[str] = []
    origin = getattr(top, "__file__", None)
    if origin:  # a package's __init__.py sits one folder deeper than a module's file
        path = Path(origin).absolute()
        first.append(str(path.parent.parent if path.name == "__init__.py" else path.parent))
    return first + [p for p in sys.path if p and p not in first]


def len_problem(found: dict[str, Any]) -> str:
    """'' if len() agrees with iteration and items(), else what disagrees."""
    n_items = len(found["items"])
    if found["iterated"] != n_items or (found["len"] is not None and found["len"] != n_items):
        return (f"len() is {found['len']}, iteration gives {found['iterated']} keys, "
                f"items() gives {n_items}")
    return ""


@pytest.fixture
def tier(pdict_spec: BackendSpec, caps: Capabilities, tmp_path: Path, pdict_figures: dict[str, float],
         request: pytest.FixtureRequest) -> Iterator[Tier]:
    """The running test's :class:`Tier`."""
    from ..plugin import _state

    state = _state(request.config)
    assert state is not None
    t = Tier(pdict_spec, caps, state.target, state.seed, state.profile, tmp_path, pdict_figures,
             request.node.name)
    try:
        yield t
    finally:
        t.cleanup()
