"""Services the kit starts for backends that need a server.

A spec lists the names it needs in ``BackendSpec.services``; each name is a
service registered in the ``pdict_conformance.services`` entry-point group
(the protocol is in :mod:`pdict_conformance.services.protocol`).  The plugin
starts each once per session, before the first store, hands the handles to
``BackendSpec.start``, and stops them when the session ends (also when it is
interrupted).  This project registers ``cassandra`` (one node) and
``cassandra-cluster`` (three nodes).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from .protocol import ENTRY_POINT_GROUP, Service, ServiceError, UnknownServiceError

__all__ = ["ENTRY_POINT_GROUP", "Service", "ServiceError", "UnknownServiceError",
           "registered", "load", "add_options", "check_names", "start"]


def registered() -> dict[str, EntryPoint]:
    """Service name -> its entry point, for every installed service."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load(name: str) -> type:
    """The service class registered as ``name``."""
    found = registered().get(name)
    if found is None:
        raise UnknownServiceError(
            f"unknown service {name!r}; installed services: {', '.join(sorted(registered())) or 'none'}"
        )
    cls = found.load()
    for method in ("add_options", "from_options", "provide"):
        if not callable(getattr(cls, method, None)):
            raise UnknownServiceError(
                f"service {name!r} ({found.value}) does not implement the service protocol: no {method}()"
            )
    return cls


def add_options(group: Any) -> None:
    """Add every registered service's command-line options (each class once)."""
    seen: set[type] = set()
    for name in sorted(registered()):
        cls = load(name)
        if cls not in seen:
            seen.add(cls)
            cls.add_options(group)


def check_names(names: Iterable[str]) -> None:
    """Raise UnknownServiceError (a ValueError) for a name no package registers."""
    for name in names:
        load(name)


def _getoption(config: Any) -> Callable[[str], Any]:
    return config.getoption if hasattr(config, "getoption") else config


@contextlib.contextmanager
def start(names: Iterable[str], config: Any) -> Iterator[dict[str, Any]]:
    """Start each named service; yield name -> handle; stop them all on exit.
    ``config`` is pytest's config or a ``getoption(dest)`` callable."""
    getoption = _getoption(config)
    with contextlib.ExitStack() as stack:
        handles = {name: stack.enter_context(load(name).from_options(getoption).provide()) for name in names}
        yield handles
