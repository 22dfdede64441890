"""Starting, talking to, killing and reaping the tier's child processes.

Every child belongs to a :class:`ChildPool`; leaving the pool's ``with``
block (or the ``tier`` fixture's teardown) kills and reaps each child still
running, whatever happened.  Every wait has a deadline.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

from .sizes import COMMAND_TIMEOUT, START_TIMEOUT


class ChildError(AssertionError):
    """A child died, hung, or answered a command with an exception."""


class ChildCommandError(ChildError):
    """The command raised in the child; ``error`` is ``{"type", "message", "traceback"}``."""

    def __init__(self, message: str, error: dict[str, str]):
        super().__init__(message)
        self.error = error


def describe_exit(returncode: int | None) -> str:
    """``exit 0``, ``killed by SIGBUS (signal 7)``, ``still running``."""
    if returncode is None:
        return "still running"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "signal"
        return f"killed by {name} (signal {-returncode})"
    return f"exit {returncode}"


class Child:
    """One fresh child process running :mod:`.child`."""

    def __init__(self, name: str, config: dict[str, Any]):
        self.name = name
        read_fd, write_fd = os.pipe()
        self._stderr = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pdict_conformance.durability.child", "--reply-fd", str(write_fd)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr,
                pass_fds=(write_fd,), close_fds=True,
            )
        finally:
            os.close(write_fd)
        self._read_fd = read_fd
        self._buffer = b""
        self._eof = False
        self._send_line(json.dumps(config))

    # -- the pipe ----------------------------------------------------------
    def _send_line(self, line: str) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(line.encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the child is gone: the next read says how

    def send(self, cmd: str, **args: Any) -> None:
        """Send a command without waiting for its reply."""
        self._send_line(json.dumps({"cmd": cmd, **args}))

    def read(self, timeout: float) -> dict[str, Any] | None:
        """The next message, or None at end of file; ChildError past ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            if self._eof:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChildError(f"{self.name}: no answer within {timeout:.0f} s")
            ready, _, _ = select.select([self._read_fd], [], [], left)
            if ready:
                chunk = os.read(self._read_fd, 65536)
                if chunk:
                    self._buffer += chunk
                else:
                    self._eof = True
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def drain(self) -> list[dict[str, Any]]:
        """Every message left in the pipe of a dead child."""
        messages = []
        while True:
            message = self.read(COMMAND_TIMEOUT)
            if message is None:
                return messages
            messages.append(message)

    def reply(self, timeout: float = COMMAND_TIMEOUT, what: str = "") -> Any:
        """Wait for the final reply of the running command (skipping acks); its ``ok`` value.
        Raises ChildCommandError if the command raised, ChildError if the child died or hung."""
        while True:
            message = self.read(timeout)
            if message is None:
                self.wait(5)
                raise ChildError(f"{self.name} {what}: the process died ({self.exit_text()}){self.stderr_tail()}")
            if "ack" in message:
                continue
            if "error" in message:
                err = message["error"]
                raise ChildCommandError(f"{self.name} {what}: {err['type']}: {err['message']}", err)
            return message["ok"]

    def request(self, cmd: str, timeout: float = COMMAND_TIMEOUT, **args: Any) -> Any:
        """Send a command and return its reply (see :meth:`reply`)."""
        self.send(cmd, **args)
        return self.reply(timeout, what=cmd)

    def ready(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until the child has rebuilt the spec."""
        self.reply(timeout, what="start")

    # -- the process -------------------------------------------------------
    def kill(self) -> None:
        """SIGKILL the child (if it runs) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def wait(self, timeout: float) -> int | None:
        """Reap the child if it ends within ``timeout`` seconds; its return code or None."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def finish(self, timeout: float = COMMAND_TIMEOUT) -> None:
        """Ask the child to leave; kill it if it does not within ``timeout``."""
        self.send("exit")
        if self.wait(timeout) is None:
            self.kill()
            raise ChildError(f"{self.name}: did not exit within {timeout:.0f} s; killed")

    def exit_text(self) -> str:
        return describe_exit(self.process.poll())

    def stderr_tail(self, limit: int = 1500) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace").strip()
        return f"\n--- its stderr ---\n{text[-limit:]}" if text else ""

    def dispose(self) -> None:
        """Kill, reap, and release the pipes."""
        try:
            self.kill()
        finally:
            if self.process.stdin is not None:
                try:
                    self.process.stdin.close()
                except OSError:
                    pass
            os.close(self._read_fd)
            self._stderr.close()


class ChildPool:
    """Starts children with one configuration; kills and reaps all of them on close."""

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.children: list[Child] = []
        self._started = 0

    def spawn(self, role: str = "child") -> Child:
        """A new child, started (not yet ready: call :meth:`Child.ready`)."""
        self._started += 1
        child = Child(f"{role} #{self._started}", self.config)
        self.children.append(child)
        return child

    def start(self, role: str = "child") -> Child:
        """A new child, ready for commands."""
        child = self.spawn(role)
        child.ready()
        return child

    def release(self, child: Child) -> None:
        """Kill and forget one child."""
        self.children.remove(child)
        child.dispose()

    @property
    def started(self) -> int:
        return self._started

    def close(self) -> None:
        errors = []
        for child in self.children:
            try:
                child.dispose()
            except Exception as exc:
                errors.append(exc)
        self.children.clear()
        if errors:
            raise errors[0]

    def __enter__(self) -> "ChildPool":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
