"""The child process of the tier: ``python -m pdict_conformance.durability.child --reply-fd N``.

Started fresh (never forked) by :mod:`.children`.  Its first stdin line is a
JSON object ``{"target", "state", "sys_path"}``: it rebuilds the spec from the
same ``--pdict-backend`` target, calls ``spec.adopt(state)`` (instead of
``start``), and then obeys one JSON command per stdin line, answering each
with JSON lines on the reply descriptor (``--reply-fd``; stdout stays the
backend's).  Every reply is ``{"ok": ...}`` or ``{"error": {"type",
"message"}}``; the ``workload``, ``fill`` and ``write_keys`` commands also
send ``{"ack": n}`` after each operation returns, before the next begins.

Commands (``cmd`` plus arguments):

``open(location)``          open the store (``location`` from :func:`encode_location`)
``close``                   close the handle
``dump``                    ``{"items": [[k, v], ...], "len": n|None, "iterated": n}``
``call(method, args)``      call a mapping method on the handle, answer its result
``workload(seed, round, count)``   the crash workload (:mod:`.workload`)
``write_keys(prefix, count)``      write ``prefix+i -> "i"`` for each i
``pop_keys(keys)``          pop each key, answer the ones this process got
``fill(size, limit)``       write values of ``size`` characters until an error or ``limit``
``exit``                    leave
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

_MISSING = object()


def encode_location(location: Any) -> Any:
    """A location as JSON: a Path becomes ``{"path": str}``, anything else must be JSON-able."""
    if isinstance(location, Path):
        return {"path": str(location)}
    json.dumps(location)  # a location the child cannot receive fails here, in the parent
    return {"value": location}


def decode_location(encoded: Any) -> Any:
    """The inverse of :func:`encode_location`."""
    return Path(encoded["path"]) if "path" in encoded else encoded["value"]


def error_json(exc: BaseException) -> dict[str, str]:
    """An exception as a reply: its type's qualified name and its message."""
    kind = type(exc)
    return {"type": f"{kind.__module__}.{kind.__qualname__}", "message": str(exc),
            "traceback": "".join(traceback.format_exception(exc))[-2000:]}


def plain_key(key: Any) -> Any:
    """A key as JSON (a utf8_bytes store iterates bytes)."""
    if isinstance(key, (bytes, bytearray, memoryview)):
        return bytes(key).decode("utf-8", "replace")
    return key


class Child:
    """The command loop: one store handle at a time."""

    def __init__(self, reply_fd: int, config: dict[str, Any]):
        self.reply_fd = reply_fd
        for entry in reversed(config.get("sys_path", [])):
            if entry not in sys.path:
                sys.path.insert(0, entry)
        from pdict_conformance.loading import load_backend

        self.spec = load_backend(config["target"])
        self.spec.adopt(config.get("state") or {})
        self.store: MutableMapping | None = None

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message, default=repr) + "\n").encode()
        while data:
            data = data[os.write(self.reply_fd, data):]

    def handle(self) -> MutableMapping:
        if self.store is None:
            raise RuntimeError("no store is open in this child")
        return self.store

    # -- commands ----------------------------------------------------------
    def do_open(self, location: Any) -> None:
        self.store = self.spec.open(decode_location(location))

    def do_close(self) -> None:
        store, self.store = self.store, None
        if store is not None:
            self.spec.close(store)

    def do_dump(self) -> dict[str, Any]:
        store = self.handle()
        items = [[plain_key(k), v] for k, v in store.items()]
        iterated = sum(1 for _ in store)
        try:
            length: int | None = len(store)
        except TypeError:
            length = None
        return {"items": items, "len": length, "iterated": iterated}

    def do_call(self, method: str, args: list[Any] = ()) -> Any:
        result = getattr(self.handle(), method)(*args)
        if method in ("keys", "values", "items"):
            result = list(result)
        return result

    def do_workload(self, seed: int, round: int, count: int) -> None:
        from .workload import crash_ops, run_op

        store = self.handle()
        for op in crash_ops(seed, round, count):
            run_op(store, op)
            self.send({"ack": op.index})

    def do_write_keys(self, prefix: str, count: int) -> int:
        store = self.handle()
        for i in range(count):
            store[f"{prefix}{i}"] = str(i)
        return count

    def do_pop_keys(self, keys: list[str]) -> list[str]:
        store = self.handle()
        got = []
        for key in keys:
            if store.pop(key, _MISSING) is not _MISSING:
                got.append(key)
        return got

    def do_fill(self, size: int, limit: int) -> dict[str, Any]:
        store = self.handle()
        for i in range(limit):
            try:
                store[f"f{i}"] = f"{i:08d}" + "x" * (size - 8)
            except Exception as exc:  # the full disk: report it, stay alive
                return {"acked": i, "error": error_json(exc)}
            self.send({"ack": i})
        return {"acked": limit, "error": None}

    def run(self, commands) -> None:
        for line in commands:
            if not line.strip():
                continue
            command = json.loads(line)
            name = command.pop("cmd")
            if name == "exit":
                return
            try:
                result = getattr(self, f"do_{name}")(**command)
            except Exception as exc:
                self.send({"error": error_json(exc)})
            else:
                self.send({"ok": result})


def _die_with_parent() -> None:
    """On Linux, have the kernel SIGKILL this process if the parent dies first (a
    killed test session leaves no child behind)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the child still leaves at end of input or on a broken pipe


def main(argv: list[str] | None = None) -> None:
    _die_with_parent()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reply-fd", type=int, required=True)
    options = parser.parse_args(argv)
    config = json.loads(sys.stdin.readline())
    try:
        child = Child(options.reply_fd, config)
    except Exception as exc:
        reply = json.dumps({"error": error_json(exc)}, default=repr) + "\n"
        os.write(options.reply_fd, reply.encode())
        raise SystemExit(2) from None
    child.send({"ok": "ready"})
    child.run(sys.stdin)
    # Leave without finalisers, as a process that is done: the store's data must
    # already be where it belongs (a clean close is asked for explicitly).
    os._exit(0)


if __name__ == "__main__":
    main()
