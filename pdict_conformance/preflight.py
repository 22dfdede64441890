"""The preflight: before any test runs, open one store and check the protocol.

A spec whose ``open()`` raises, or a store that is not a mutable mapping, would
otherwise fail every test the same way.  :func:`preflight` finds either at
once and raises :class:`PreflightError` with one message that says what to
fix; the plugin ends the run with it.  It runs after the spec has started its
services (a Cassandra spec has nothing to open before).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .capabilities import Capabilities
from .spec import BackendSpec

#: What the kit calls on every store: the MutableMapping protocol and its mixins.
PROTOCOL = (
    "__getitem__", "__setitem__", "__delitem__", "__iter__", "__len__", "__contains__",
    "keys", "items", "values", "get", "pop", "popitem", "clear", "update", "setdefault",
)


class PreflightError(Exception):
    """The backend cannot be certified at all (one line saying why)."""


def missing_methods(store: Any, caps: Capabilities) -> list[str]:
    """The protocol methods ``store`` lacks (``__len__`` only when declared ``sized``)."""
    wanted = [m for m in PROTOCOL if m != "__len__" or caps.sized]
    return [m for m in wanted if not callable(getattr(type(store), m, None))]


def preflight(spec: BackendSpec, caps: Capabilities, scratch: Path) -> None:
    """Open one store at a new location, check its protocol, close and destroy it."""
    who = spec.describe()
    try:
        location = spec.new_location(scratch)
    except Exception as exc:
        raise PreflightError(f"{who}: new_location() raised {type(exc).__name__}: {exc}") from exc
    try:
        store = spec.open(location)
    except Exception as exc:
        raise PreflightError(
            f"{who}: opening a store failed, so no test can run: open({location!r}) raised "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    missing = missing_methods(store, caps)
    try:
        spec.close(store)
        spec.destroy(location)
    except Exception as exc:
        if not missing:
            raise PreflightError(
                f"{who}: closing or destroying a fresh store raised {type(exc).__name__}: {exc}"
            ) from exc
    if missing:
        raise PreflightError(
            f"{who}: open() returned a {type(store).__module__}.{type(store).__qualname__}, which is not a "
            f"mutable mapping: it lacks {', '.join(missing)}"
        )
