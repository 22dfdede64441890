"""Container hygiene for services that run Docker containers.

* The image must be on this machine: it is never pulled (a missing image is
  one ServiceError naming how to build it).
* Every container carries labels naming its owner: host, boot, process id and
  the process' start time (so a recycled pid is not taken for the owner).
* Leftovers are removed only when their owner is dead *on this machine*
  (same host and boot, pid gone or started at another time); containers of
  live sessions, or of other hosts sharing the daemon, are never touched.
* :func:`removed_on_exit` removes the containers at the end, at interpreter
  exit, and on SIGHUP, SIGINT and SIGTERM (then the signal takes its usual
  course).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
from collections.abc import Callable, Iterator
from typing import Any

from .protocol import ServiceError

LABEL_HOST = "pdict.owner.host"
LABEL_BOOT = "pdict.owner.boot"
LABEL_PID = "pdict.owner.pid"
LABEL_STARTED = "pdict.owner.started"
CLEANUP_SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGTERM)


def _boot_id() -> str:
    with contextlib.suppress(OSError):
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip()
    return ""


def process_start(pid: int) -> str:
    """The start time of ``pid`` in clock ticks since boot ('' if unknown or gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
    except OSError:
        return ""
    # Field 22, counted after the parenthesised command name (which may hold spaces).
    return stat.rsplit(")", 1)[1].split()[19]


def owner_labels(pid: int | None = None) -> dict[str, str]:
    """The labels that name this process as a container's owner."""
    pid = os.getpid() if pid is None else pid
    return {
        LABEL_HOST: socket.gethostname(),
        LABEL_BOOT: _boot_id(),
        LABEL_PID: str(pid),
        LABEL_STARTED: process_start(pid),
    }


def owner_is_dead(labels: dict[str, str]) -> bool:
    """Whether the labelled owner is known to be dead on this machine.
    False for owners on other hosts (we cannot know) and for live owners."""
    if labels.get(LABEL_HOST) != socket.gethostname():
        return False
    if labels.get(LABEL_BOOT) != _boot_id():
        return True  # started before this machine's last boot
    try:
        pid = int(labels.get(LABEL_PID, ""))
    except ValueError:
        return False
    started = process_start(pid)
    return started == "" or started != labels.get(LABEL_STARTED)


def docker_client(hint: str) -> Any:
    """A Docker client that answers, or ServiceError ending with ``hint``."""
    try:
        import docker
    except ImportError:
        raise ServiceError(
            "this service needs the docker and testcontainers packages: pip install 'pdict[cassandra]'"
        ) from None
    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:
        raise ServiceError(f"no Docker engine answers ({exc}); {hint}") from None
    return client


def require_image(client: Any, image: str, build_hint: str) -> None:
    """ServiceError unless ``image`` is on this machine.  Never pulls."""
    import docker.errors

    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        raise ServiceError(f"the image {image!r} is not on this machine (the kit never pulls it); {build_hint}") from None


def remove_leftovers(client: Any) -> list[str]:
    """Remove containers whose owner (see :func:`owner_is_dead`) is dead; their short ids."""
    removed = []
    for container in client.containers.list(all=True, filters={"label": LABEL_PID}):
        if owner_is_dead(container.labels):
            with contextlib.suppress(Exception):
                container.remove(force=True, v=True)
                removed.append(container.short_id)
    return removed


@contextlib.contextmanager
def removed_on_exit(remove: Callable[[], None]) -> Iterator[None]:
    """Call ``remove`` once: on leaving, at interpreter exit, or on SIGHUP/SIGINT/SIGTERM.
    After a signal, the previous handler runs (so SIGINT still interrupts)."""
    done = False

    def once() -> None:
        nonlocal done
        if not done:
            done = True
            with contextlib.suppress(Exception):
                remove()

    previous: dict[int, Any] = {}

    def on_signal(signum: int, frame: Any) -> None:
        once()
        handler = previous.get(signum, signal.SIG_DFL)
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    atexit.register(once)
    in_main = True
    try:
        for signum in CLEANUP_SIGNALS:
            previous[signum] = signal.signal(signum, on_signal)
    except ValueError:  # not the main thread: atexit and the finally below still apply
        in_main = False
    try:
        yield
    finally:
        if in_main:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        once()
        atexit.unregister(once)
