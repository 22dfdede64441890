"""Fork and exclusive access.

``after_fork``: a store opened before ``os.fork()`` either works in the child
(reads the parent's data, writes that the parent then sees) or raises a clear
exception on first use, never a silent wrong answer; either way the parent's
handle and data are unharmed.  ``processes="exclusive"``: a second process
opening a location that is open gets a clear exception in bounded time, and
the data stays intact.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time
import traceback
from pathlib import Path
from typing import Any

import pytest

from .child import encode_location
from .children import ChildCommandError, ChildError, describe_exit
from .fixtures import persistent_str_store, tier  # noqa: F401
from .sizes import COMMAND_TIMEOUT, EXCLUSIVE_TIMEOUT

AREA = "durability"


def _in_forked_child(store: Any) -> dict[str, Any]:
    """Fork; in the child use ``store`` (read "a", write "b", read "b") and report
    on a pipe; reap the child within the deadline (killing it past it)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 0
        try:
            os.close(read_fd)
            report: dict[str, Any] = {}
            try:
                report["a"] = store["a"]
                store["b"] = "from child"
                report["b"] = store["b"]
                report["len"] = len(store)
            except Exception as exc:
                report = {"error": f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}",
                          "message": str(exc), **report}
            os.write(write_fd, json.dumps(report, default=repr).encode())
        except BaseException:
            traceback.print_exc()
            status = 1
        finally:
            os._exit(status)
    os.close(write_fd)
    data, deadline = b"", time.monotonic() + COMMAND_TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(read_fd)
        waited, status = os.waitpid(pid, os.WNOHANG)
        if waited == 0:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if not data:
        raise AssertionError(f"the forked child reported nothing ({describe_exit(code)})")
    return json.loads(data)


@persistent_str_store
@pytest.mark.pdict_deviates(after_fork="raises")
def test_store_opened_before_fork_works_in_the_child(tier):
    store = tier.open(tier.new_location(), {"a": "from parent"})
    report = _in_forked_child(store)
    assert "error" not in report, f"using the store in the forked child raised {report['error']}"
    assert report == {"a": "from parent", "b": "from child", "len": 2}, report
    assert store["b"] == "from child", "the parent does not see the child's write"
    store["c"] = "parent again"
    assert len(store) == 3 and store["c"] == "parent again"


@persistent_str_store
@pytest.mark.pdict_requires(after_fork="raises")
def test_store_opened_before_fork_raises_clearly_in_the_child(tier):
    store = tier.open(tier.new_location(), {"a": "from parent"})
    report = _in_forked_child(store)
    assert "error" in report, f"the forked child used the store without an error: {report}"
    assert report["message"].strip(), f"the error has no message: {report['error']}"
    assert set(report) <= {"error", "message"}, (
        f"the child got answers before the error (a silent wrong answer?): {report}")
    assert dict(store.items()) == {"a": "from parent"}, "the parent's data changed"
    store["c"] = "parent again"
    assert len(store) == 2


def _expect_refused(tier, location: Any) -> None:
    """A fresh process's open of ``location`` must raise a clear exception in bounded time."""
    child = tier.pool.start("second process")
    started = time.monotonic()
    try:
        child.request("open", timeout=EXCLUSIVE_TIMEOUT, location=encode_location(location))
    except ChildCommandError as exc:
        refused = exc.error
    except ChildError as exc:
        raise AssertionError(f"the second process got no clear error: {exc}") from None
    else:
        raise AssertionError("a second process opened a store declared exclusive while it was open")
    finally:
        tier.pool.release(child)
    tier.figures["refused_after_s"] = round(time.monotonic() - started, 3)
    assert refused["message"].strip(), f"the refusal has no message: {refused['type']}"


def _files_of(location: Path) -> list[Path]:
    """The store's files: the location (or the files in it) and files named after it beside it."""
    found = [p for p in (location, *location.parent.glob(location.name + "*")) if p.is_file()]
    if location.is_dir():
        found += [p for p in location.iterdir() if p.is_file()]
    return sorted(set(found))


@persistent_str_store
@pytest.mark.pdict_requires(processes="exclusive")
def test_second_process_is_refused_clearly(tier):
    location = tier.new_location()
    store = tier.open(location, {"a": "1", "b": "2"})
    _expect_refused(tier, location)
    assert dict(store.items()) == {"a": "1", "b": "2"}
    tier.close(store)
    found = tier.dump(location)
    assert found["items"] == {"a": "1", "b": "2"}, "the data changed after the refused open"


@persistent_str_store
@pytest.mark.pdict_requires(processes="exclusive")
def test_exclusive_lock_survives_closing_other_descriptors(tier):
    """Other code in the process opening and closing the store's files (a backup,
    a size check) must not drop the lock, as closing any descriptor of a file
    drops the process's POSIX fcntl locks on it."""
    location = tier.new_location()
    if not isinstance(location, Path):
        pytest.skip(f"not applicable: the store's location is not a file path ({type(location).__name__})")
    store = tier.open(location, {"a": "1"})
    files = _files_of(location)
    for path in files:
        open(path, "rb").close()
    tier.figures["files_opened_and_closed"] = len(files)
    _expect_refused(tier, location)
    store["b"] = "2"
    tier.close(store)
    assert tier.dump(location)["items"] == {"a": "1", "b": "2"}
