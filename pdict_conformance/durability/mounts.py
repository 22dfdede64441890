"""Small file systems for the resource tests: a tmpfs the test mounts, resizes,
makes read-only and always unmounts.

Mounting needs root (or CAP_SYS_ADMIN) and a ``mount`` command; where either
is missing :func:`tmpfs` raises :class:`MountUnavailable` naming why, and the
test is not applicable.  Read-only is a remount, not file permissions: root
ignores those.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

#: Seconds a mount command may take.
MOUNT_TIMEOUT = 30


class MountUnavailable(Exception):
    """This process cannot mount a file system here; the message says why."""


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=MOUNT_TIMEOUT)
    if result.returncode != 0:
        raise OSError(f"mount {' '.join(args)}: {(result.stderr or result.stdout).strip()}")


class Tmpfs:
    """A mounted tmpfs at ``path``."""

    def __init__(self, path: Path, size: int):
        self.path = path
        self.size = size

    def resize(self, size: int) -> None:
        _mount("-o", f"remount,size={size}", str(self.path))
        self.size = size

    def used(self) -> int:
        """Bytes in use on the file system."""
        st = os.statvfs(self.path)
        return (st.f_blocks - st.f_bfree) * st.f_frsize

    def read_only(self, flag: bool) -> None:
        _mount("-o", "remount," + ("ro" if flag else "rw"), str(self.path))


@contextlib.contextmanager
def tmpfs(path: Path, size: int) -> Iterator[Tmpfs]:
    """Mount a tmpfs of ``size`` bytes at ``path`` (created); unmount it on leaving."""
    if shutil.which("mount") is None:
        raise MountUnavailable("no mount command on this machine")
    if os.geteuid() != 0:
        raise MountUnavailable("mounting a small file system needs root")
    path.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "pdict-tier", str(path))
    except OSError as exc:
        raise MountUnavailable(f"cannot mount a tmpfs: {exc}") from None
    try:
        yield Tmpfs(path, size)
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=MOUNT_TIMEOUT)
