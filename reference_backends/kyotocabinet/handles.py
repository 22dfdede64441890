"""One open database per file identity in a process, and the cross-process lock.

Kyoto Cabinet locks a database with a POSIX ``fcntl`` lock, which the process
loses as soon as it closes *any* descriptor of that file, and which never
excludes a second database object in the same process.  So:

* every KyotoCabinetDict on one file identity (device, inode) shares one
  engine, reference counted, whatever path reached it (another spelling, a
  symbolic link, a hard link);
* each engine holds one more descriptor of its file (or folder) with a BSD
  ``flock`` lock, which belongs to that descriptor alone: closing other
  descriptors of the file cannot drop it, and a second process trying to open
  the store gets :class:`~reference_backends.errors.StoreBusyError` after
  ``lock_timeout`` seconds.  A store on a read-only location is opened to
  read, under a shared lock: several processes may read it at once;  The ``.kcx`` log also reads and truncates its
  file through that descriptor, so the process never opens it again;
* in a forked child, the parent's engines are not the child's: their
  descriptors are closed in the child (the parent keeps its lock) and their
  database objects are kept alive, never closed, so that no destructor
  flushes the parent's state.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from ..errors import StoreBusyError

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Engine
    from .formats import Format

__all__ = ["Process", "identity_of", "lock_descriptor", "acquire", "release"]


class Process:
    """Per-process state, renewed in a forked child."""

    pid = os.getpid()
    lock = threading.RLock()  # reentrant: a finalizer may release a handle while it is held
    registry: dict[tuple[int, int], "Engine"] = {}
    inherited: list[Any] = []


def _after_fork_in_child() -> None:
    import ctypes

    for engine in Process.registry.values():
        if engine.db is not None:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(engine.db))
            Process.inherited.append(engine.db)
        try:
            os.close(engine.lock_fd)  # the parent's lock stays: its descriptor is still open there
        except OSError:
            pass
        if getattr(engine, "wal", None) is not None:
            engine.wal.forget()  # the parent's log, never the child's to empty
    Process.pid = os.getpid()
    Process.lock = threading.RLock()
    Process.registry = {}


os.register_at_fork(after_in_child=_after_fork_in_child)


def identity_of(path: str) -> tuple[int, int] | None:
    """``(device, inode)`` of ``path`` (following links), or None if it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def lock_descriptor(path: str, fmt: "Format", deadline: float, busy_message: str, writable: bool = True) -> int:
    """Open ``path`` (creating a missing file when ``writable``) and ``flock`` it,
    exclusively to write, shared to read, retrying until ``deadline``; the
    descriptor.  Raises StoreBusyError."""
    if fmt.directory:
        flags = os.O_RDONLY | os.O_DIRECTORY
    else:
        flags = (os.O_RDWR | os.O_CREAT) if writable else os.O_RDONLY
    fd = os.open(path, flags | os.O_CLOEXEC, 0o666)
    mode = fcntl.LOCK_EX if writable else fcntl.LOCK_SH
    delay = 0.001
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise StoreBusyError(11, busy_message, path) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.05)


def acquire(path: str, fmt: "Format", lock_timeout: float) -> "Engine":
    """The engine of the database at ``path``: the open one if this process has
    one on the same file identity, else a new one."""
    from .engine import Engine, check_location
    from .textlog import TextEngine

    check_location(path, fmt)
    with Process.lock:
        ident = identity_of(path)
        engine = Process.registry.get(ident) if ident is not None else None
        if engine is None:
            cls = TextEngine if fmt.log else Engine
            engine = cls(path, fmt, lock_timeout)
            # The same identity may have appeared meanwhile only through this
            # process, which holds Process.lock: the new engine is its only one.
            Process.registry[engine.identity] = engine
            return engine
        if engine.format is not fmt:
            raise ValueError(
                f"{path!r} is open in this process as a {engine.format.title} database "
                f"({engine.path!r}); it cannot also be opened as a {fmt.title} database"
            )
        engine.refs += 1
        return engine


def release(engine: "Engine") -> None:
    """Drop one handle's share of ``engine``; the last one closes it."""
    with Process.lock:
        if engine.pid != Process.pid:
            return  # inherited through fork: the parent's to close
        engine.refs -= 1
        if engine.refs > 0:
            return
        if Process.registry.get(engine.identity) is engine:
            del Process.registry[engine.identity]
        engine.shut()
