"""Services the kit starts for backends that need a server.

A spec lists the names it needs in ``BackendSpec.services``; the plugin starts
each once per session, before the first store, hands the result to
``BackendSpec.start``, and stops it when the session ends (also when the
session is interrupted).  A service that cannot start raises
:class:`ServiceError` with one message saying what is missing; the session
then stops: a missing server is a failure, never a skip.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

#: service name -> module with ``add_options(group)`` and ``provide(config)``.
PROVIDERS = {"cassandra": "pdict_conformance.services.cassandra"}


class ServiceError(RuntimeError):
    """A service the backend needs could not be started or reached."""


def _provider(name: str) -> Any:
    return importlib.import_module(PROVIDERS[name])


def add_options(group: Any) -> None:
    """Add every provider's command-line options to the pdict option group."""
    for name in PROVIDERS:
        _provider(name).add_options(group)


def check_names(names: Iterable[str]) -> None:
    """Raise ValueError for a service name no provider offers."""
    for name in names:
        if name not in PROVIDERS:
            raise ValueError(f"unknown service {name!r}; the kit provides: {', '.join(sorted(PROVIDERS))}")


@contextlib.contextmanager
def start(names: Iterable[str], config: pytest.Config) -> Iterator[dict[str, Any]]:
    """Start each named service; yield name -> handle; stop them all on exit."""
    with contextlib.ExitStack() as stack:
        handles = {name: stack.enter_context(_provider(name).provide(config)) for name in names}
        yield handles
