"""The service protocol: how a backend brings its own server to the kit.

A *service* is a class registered in the ``pdict_conformance.services``
entry-point group under the name specs list in ``BackendSpec.services``::

    [project.entry-points."pdict_conformance.services"]
    myserver = "mypackage.kit_service:MyServer"

It implements :class:`Service`:

``add_options(group)`` (classmethod)
    Add the service's command-line options to the kit's option group (name
    them ``--pdict-<service>-...``).  Called once per session, before any spec
    is loaded, for every registered service.
``from_options(getoption)`` (classmethod)
    Build the service from those options; ``getoption(dest)`` returns an
    option's value (pytest's ``config.getoption``).  Scripts that are not
    pytest construct the service directly with its own keyword arguments.
``provide()``
    A context manager: start the server (or find it), yield a *handle* the
    spec's ``start(services)`` receives under the service's name, and stop
    everything it started on exit, also when the session is interrupted.

A service that cannot start raises :class:`ServiceError` with one message
saying what is missing and how to get it; the kit then stops the session:
a missing server is a failure, never a skip.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable

#: The entry-point group services are registered in.
ENTRY_POINT_GROUP = "pdict_conformance.services"


class ServiceError(RuntimeError):
    """A service the backend needs could not be started or reached."""


class UnknownServiceError(ValueError):
    """A spec names a service no installed package registers."""


@runtime_checkable
class Service(Protocol):
    """A server the kit starts for the backends that name it (see the module)."""

    @classmethod
    def add_options(cls, group: Any) -> None: ...

    @classmethod
    def from_options(cls, getoption: Callable[[str], Any]) -> "Service": ...

    def provide(self) -> AbstractContextManager[Any]: ...
