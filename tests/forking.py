"""Running a check in a forked child from a test, its failure reported to the parent."""

from __future__ import annotations

import os
from collections.abc import Callable


def run_in_fork(child: Callable[[], None]) -> str:
    """Run ``child`` in a forked process; '' if it returned, else its error
    (type and message).  The child leaves with os._exit, running no cleanup."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        status = 0
        try:
            child()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(write, f"{type(exc).__name__}: {exc}".encode()[:4000])
            status = 1
        os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        report = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) in (0, 1), report
    return report
