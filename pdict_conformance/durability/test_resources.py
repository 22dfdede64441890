"""Resources, for file-based stores (the location is a ``Path``): a full disk
and a read-only location, on a small tmpfs the test mounts.

Full disk: a write that does not fit raises a clear exception (the process is
never killed, as by SIGBUS on a memory-mapped file), everything acknowledged
stays readable, and once space returns the same handle writes again and a
fresh process finds everything.  Read-only: the store opens and reads, and a
write raises a clear exception and changes nothing.

The store's work runs in child processes, so that a crash of the store is
reported, not suffered.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from .children import ChildCommandError, ChildError
from .fixtures import len_problem, other_processes, persistent_str_store, tier  # noqa: F401
from .mounts import MountUnavailable, tmpfs

AREA = "durability"

#: The file system as mounted, and again once space returns.
ROOMY = 64 * 1024 * 1024
#: Free bytes left once the empty store exists: the disk that the writes fill.
HEADROOM = 1024 * 1024
#: Characters per value written to fill the disk; at most FILL_FACTOR times what fits is tried.
VALUE_SIZE = 8192
FILL_FACTOR = 4


def _small_fs(tier, stack: contextlib.ExitStack, name: str):
    """Mount the small tmpfs for this test (not applicable, naming why, where it cannot be);
    on leaving ``stack``, every child is killed and every handle closed before it is unmounted."""
    probe = tier.new_location()
    if not isinstance(probe, Path):
        pytest.skip(f"not applicable: the store's location is not a file path ({type(probe).__name__})")
    try:
        fs = stack.enter_context(tmpfs(tier.scratch / name, ROOMY))
    except MountUnavailable as exc:
        pytest.skip(f"not applicable: {exc}")
    stack.callback(tier.close_handles)
    stack.callback(tier.pool.close)
    return fs


@persistent_str_store
@other_processes
def test_full_disk_raises_clearly_and_loses_nothing(tier):
    with contextlib.ExitStack() as stack:
        fs = _small_fs(tier, stack, "small-fs")
        location = tier.new_location(fs.path)
        tier.dump(location)  # the empty store, then only HEADROOM bytes more
        small = fs.used() + HEADROOM
        fs.resize(small)
        writer = tier.child_on(location, "writer")
        limit = FILL_FACTOR * HEADROOM // VALUE_SIZE
        try:
            result = writer.request("fill", timeout=120, size=VALUE_SIZE, limit=limit)
        except ChildError as exc:
            raise AssertionError(f"the process writing to a full disk did not survive: {exc}") from None
        acked = result["acked"]
        tier.figures.update(fs_bytes=small, value_bytes=VALUE_SIZE, acknowledged=acked)
        assert result["error"] is not None, (
            f"{acked} writes of {VALUE_SIZE} bytes acknowledged with {HEADROOM // 1024} KiB free "
            f"without an error")
        error = result["error"]
        tier.figures["refused_writes"] = 1
        assert error["message"].strip(), f"the full disk raised {error['type']} without a message"
        # Still alive, and every acknowledged write still readable through the same handle.
        try:
            found = writer.request("dump")
        except (ChildError, ChildCommandError) as exc:
            raise AssertionError(f"after the full-disk error ({error['type']}) the store cannot be read: {exc}") from None
        items = dict(found["items"])
        lost = [i for i in range(acked) if not str(items.get(f"f{i}", "")).startswith(f"{i:08d}")]
        tier.figures["lost"] = len(lost)
        assert not lost, f"{len(lost)} of {acked} acknowledged writes unreadable after the full-disk error"
        fs.resize(ROOMY)
        try:
            writer.request("call", method="__setitem__", args=["after", "space returned"])
            writer.request("close")
        except (ChildError, ChildCommandError) as exc:
            raise AssertionError(f"the store does not write again once space returns: {exc}") from None
        found = tier.dump(location, why=" after the disk was full")
        items = found["items"]
        lost = [i for i in range(acked) if not str(items.get(f"f{i}", "")).startswith(f"{i:08d}")]
        tier.figures["lost"] = len(lost)
        assert not lost, f"{len(lost)} of {acked} acknowledged writes lost on reopen, e.g. f{lost[0]}"
        assert items.get("after") == "space returned"
        extra = set(items) - {f"f{i}" for i in range(acked + 1)} - {"after"}
        assert not extra, f"keys never written appear: {sorted(extra)[:5]}"
        assert not len_problem(found), len_problem(found)


@persistent_str_store
@other_processes
def test_read_only_location_opens_for_reading_and_refuses_writes(tier):
    with contextlib.ExitStack() as stack:
        fs = _small_fs(tier, stack, "ro-fs")
        location = tier.new_location(fs.path)
        contents = {f"r{i}": f"value {i}" for i in range(20)}
        store = tier.open(location, contents)
        tier.close(store)
        fs.read_only(True)
        try:
            reader = tier.child_on(location, "reader")
            found = reader.request("dump")
        except (ChildError, ChildCommandError, AssertionError) as exc:
            raise AssertionError(f"a store on a read-only file system cannot be opened to read: {exc}") from None
        assert dict(found["items"]) == contents
        try:
            reader.request("call", method="__setitem__", args=["r0", "changed"])
        except ChildCommandError as exc:
            refused = exc.error
        except ChildError as exc:
            raise AssertionError(f"a write to a read-only store crashed the process: {exc}") from None
        else:
            raise AssertionError("a write to a store on a read-only file system was acknowledged")
        assert refused["message"].strip(), f"the refused write raised {refused['type']} without a message"
        assert reader.request("call", method="get", args=["r0"]) == "value 0"
        tier.pool.close()
        fs.read_only(False)
        found = tier.dump(location)
        assert found["items"] == contents, "the data changed"
        tier.figures.update(keys=len(contents), refused=1)
