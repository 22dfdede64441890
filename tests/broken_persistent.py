"""Persistent stores for the durability tier's self-tests: three correct, nine broken.

The correct stores (``LogStore``, ``SnapshotStore``, ``ExclusiveStore``) keep
every promise their specs declare and pass the tier.  Each broken store is one
of them with one defect real stores have; its docstring says which, and which
tier tests catch it ("Caught by:"), as ``tests/test_durability_caught.py``
checks against a real kit run's certificate.

Every store keeps str keys and JSON values in one file at the location (a
path), with a lock file beside it named ``<path>-lock`` (so the spec's default
``destroy`` removes both).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

from pdict_conformance import BackendSpec

_MISSING = object()

#: What every store here declares to the kit.
STORE_CAPABILITIES: dict[str, Any] = {
    "key_types": {"str"},
    "value_types": {"none", "bool", "int", "float", "str", "list", "dict"},
    "value_roundtrip": "json",
    "values_are_copies": True,
    "ordering": "none",
    "popitem": "any",
    "reversed": False,
    "operators": False,
    "copy": "none",
    "dict_repr": False,
    "mutation_during_iteration": "undefined",
    "persistent": True,
    "shared_handles": True,
}


class StoreReadOnly(PermissionError):
    """The store was opened on a read-only location; it refuses writes."""


def _check_key(key: Any) -> None:
    if not isinstance(key, str):
        raise TypeError(f"keys must be str, not {type(key).__name__}")


class _FileStore(MutableMapping):
    """What the stores share: the lock file, thread lock, fork check and read-only mode.

    ``_locked()`` holds the thread lock and an exclusive ``flock`` on the lock
    file for one whole operation (read, decide, write), so every operation,
    read-modify-writes included, is atomic across threads and processes.
    After ``fork`` the handle reopens its files, since a ``flock`` belongs to
    the open file, which parent and child would otherwise share.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock_path = Path(f"{self.path}-lock")
        self._thread_lock = threading.RLock()
        self._lock_fd = -1
        self.read_only = False
        self._open_files()

    # -- files ---------------------------------------------------------------
    def _open_files(self) -> None:
        self._pid = os.getpid()
        try:
            self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno != errno.EROFS:
                raise
            self.read_only = True
            try:  # readers still take the lock (flock needs no write access)
                self._lock_fd = os.open(self._lock_path, os.O_RDONLY)
            except FileNotFoundError:
                self._lock_fd = -1
        self._take_handle_lock()
        self._open_data()

    def _take_handle_lock(self) -> None:
        """Called before the data is opened (an exclusive store locks here)."""

    def _open_data(self) -> None:
        """Open the data file (subclasses)."""

    def _close_files(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def close(self) -> None:
        with self._thread_lock:
            self._close_files()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            if self._pid != os.getpid():
                self._after_fork()
            if self._lock_fd >= 0:
                self._flock(True)
            try:
                yield
            finally:
                if self._lock_fd >= 0:
                    self._flock(False)

    def _flock(self, take: bool) -> None:
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX if take else fcntl.LOCK_UN)

    def _after_fork(self) -> None:
        self._close_files()
        self._open_files()

    def _writable(self) -> None:
        if self.read_only:
            raise StoreReadOnly(f"{self.path} is on a read-only file system: the store refuses writes")


class LogStore(_FileStore):
    """Correct: an append-only log of JSON lines, each appended by one ``write``
    and ``fsync``'ed, under the lock.  Every operation first reads what other
    handles appended; a torn last line (a writer killed mid-append, or a full
    disk) is cut off under the lock; an update is one line, so it is atomic."""

    FSYNC = True

    def _open_data(self) -> None:
        flags = os.O_RDONLY if self.read_only else os.O_RDWR | os.O_CREAT | os.O_APPEND
        self._fd = os.open(self.path, flags, 0o600)
        self._data: dict[str, Any] = {}
        self._offset = 0
        with self._locked():
            self._catch_up()

    def _close_files(self) -> None:
        if getattr(self, "_fd", -1) >= 0:
            os.close(self._fd)
            self._fd = -1
        super()._close_files()

    # -- the log -------------------------------------------------------------
    def _catch_up(self) -> None:
        """Apply what was appended since the last read (the lock is held)."""
        size = os.fstat(self._fd).st_size
        if size == self._offset:
            return
        if size < self._offset:  # someone cut a torn tail we had not read: reread all
            self._data, self._offset = {}, 0
        chunk = os.pread(self._fd, size - self._offset, self._offset)
        good = 0
        for line in chunk.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
            except ValueError:
                break
            self._apply(record)
            good += len(line)
        if good < len(chunk):
            self._torn_tail(self._offset + good, chunk[good:])
        self._offset += good

    def _torn_tail(self, offset: int, tail: bytes) -> None:
        """A record cut short by a killed writer or a full disk: cut it off."""
        if not self.read_only:
            os.ftruncate(self._fd, offset)

    def _apply(self, record: list[Any]) -> None:
        kind = record[0]
        if kind == "set":
            self._data[record[1]] = record[2]
        elif kind == "del":
            self._data.pop(record[1], None)
        elif kind == "update":
            self._data.update(record[1])
        elif kind == "clear":
            self._data.clear()

    def _append(self, record: list[Any]) -> None:
        """Append one record (the lock is held); on any error, cut back what was written."""
        self._writable()
        line = (json.dumps(record) + "\n").encode()
        try:
            self._offset += self._write_record(line)
        except BaseException:
            os.ftruncate(self._fd, self._offset)
            raise
        self._apply(record)

    def _write_record(self, line: bytes) -> int:
        """Write one record; the bytes it takes in the file."""
        written = os.write(self._fd, line)
        if written != len(line):
            raise OSError(errno.ENOSPC, f"{self.path}: short write ({written} of {len(line)} bytes)")
        if self.FSYNC:
            os.fsync(self._fd)
        return written

    # -- the mapping ---------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        self._catch_up()
        return self._data

    def __getitem__(self, key: Any) -> Any:
        with self._locked():
            return self._read()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        _check_key(key)
        json.dumps(value)
        with self._locked():
            self._read()
            self._append(["set", key, value])

    def __delitem__(self, key: Any) -> None:
        with self._locked():
            if key not in self._read():
                raise KeyError(key)
            self._append(["del", key])

    def __iter__(self) -> Iterator[str]:
        with self._locked():
            return iter(list(self._read()))

    def __len__(self) -> int:
        with self._locked():
            return len(self._read())

    def __contains__(self, key: Any) -> bool:
        with self._locked():
            return key in self._read()

    def get(self, key: Any, default: Any = None) -> Any:
        with self._locked():
            return self._read().get(key, default)

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        with self._locked():
            return list(self._read().items())

    def setdefault(self, key: Any, default: Any = None) -> Any:
        _check_key(key)
        with self._locked():
            data = self._read()
            if key in data:
                return data[key]
            self._append(["set", key, default])
            return default

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        with self._locked():
            data = self._read()
            if key not in data:
                if default is _MISSING:
                    raise KeyError(key)
                return default
            value = data[key]
            self._append(["del", key])
            return value

    def popitem(self) -> tuple[str, Any]:
        with self._locked():
            data = self._read()
            if not data:
                raise KeyError("popitem(): store is empty")
            key = next(reversed(data))
            value = data[key]
            self._append(["del", key])
            return key, value

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        pairs = dict(other, **kwargs)
        for key, value in pairs.items():
            _check_key(key)
            json.dumps(value)
        with self._locked():
            self._read()
            self._append(["update", pairs])

    def clear(self) -> None:
        with self._locked():
            self._read()
            self._append(["clear"])


class SnapshotStore(_FileStore):
    """Correct: the whole store is one JSON file, replaced by an atomic rename
    (written to a temporary file, ``fsync``'ed, renamed over) on every change,
    under the lock.  Readers read whatever file is in place: always whole."""

    def _open_data(self) -> None:
        if not self.read_only and not self.path.exists():
            with self._locked():
                if not self.path.exists():
                    SnapshotStore._save(self, {})
        if not self.path.exists():
            raise FileNotFoundError(errno.ENOENT, "no store here", str(self.path))

    def _load(self) -> dict[str, Any]:
        with open(self.path, encoding="utf-8") as f:
            return json.load(f)

    def _save(self, data: dict[str, Any]) -> None:
        self._writable()
        tmp = self.path.with_name(f"{self.path.name}-tmp{os.getpid()}")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(data, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    @contextlib.contextmanager
    def _change(self) -> Iterator[dict[str, Any]]:
        """Read, let the caller change, write back: one locked read-modify-write."""
        with self._locked():
            data = self._load()
            yield data
            self._save(data)

    def _view(self) -> dict[str, Any]:
        with self._locked():
            return self._load()

    def __getitem__(self, key: Any) -> Any:
        return self._view()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        _check_key(key)
        json.dumps(value)
        with self._change() as data:
            data[key] = value

    def __delitem__(self, key: Any) -> None:
        with self._locked():
            data = self._load()
            del data[key]
            self._save(data)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._view()))

    def __len__(self) -> int:
        return len(self._view())

    def __contains__(self, key: Any) -> bool:
        return key in self._view()

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return list(self._view().items())

    def setdefault(self, key: Any, default: Any = None) -> Any:
        _check_key(key)
        with self._locked():
            data = self._load()
            if key in data:
                return data[key]
            data[key] = default
            self._save(data)
            return default

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        with self._locked():
            data = self._load()
            if key not in data:
                if default is _MISSING:
                    raise KeyError(key)
                return default
            value = data.pop(key)
            self._save(data)
            return value

    def popitem(self) -> tuple[str, Any]:
        with self._locked():
            data = self._load()
            if not data:
                raise KeyError("popitem(): store is empty")
            item = data.popitem()
            self._save(data)
            return item

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        pairs = dict(other, **kwargs)
        for key, value in pairs.items():
            _check_key(key)
            json.dumps(value)
        with self._change() as data:
            data.update(pairs)


class StoreInUse(RuntimeError):
    """Another process has the exclusive store open."""


class StoreForked(RuntimeError):
    """A handle opened before fork was used in the child."""


class ExclusiveStore(SnapshotStore):
    """Correct, exclusive: the handle holds the lock file's ``flock`` for its
    whole life; a second process's open is refused at once with
    :class:`StoreInUse`.  A handle used in a forked child raises
    :class:`StoreForked` (the child shares the parent's lock)."""

    def _take_handle_lock(self) -> None:
        if self._lock_fd >= 0:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(self._lock_fd)
                self._lock_fd = -1
                raise StoreInUse(f"{self.path} is open in another process (exclusive store)") from None

    def _flock(self, take: bool) -> None:
        pass  # held for the handle's life

    def _after_fork(self) -> None:
        raise StoreForked(f"{self.path} was opened in process {self._pid}; open it again after fork")


# -- broken stores -------------------------------------------------------------


class BufferedUntilClose(SnapshotStore):
    """Defect: changes stay in memory and reach the file only on close().

    Caught by: test_acknowledged_operations_survive_sigkill,
    test_processes_writing_at_once_lose_nothing,
    test_write_in_one_process_is_seen_by_the_next_read_in_another,
    test_processes_pop_each_shared_key_exactly_once,
    test_store_opened_before_fork_works_in_the_child,
    test_full_disk_raises_clearly_and_loses_nothing,
    test_read_only_location_opens_for_reading_and_refuses_writes
    """

    def _open_data(self) -> None:
        super()._open_data()
        self._memory = SnapshotStore._load(self)
        self._changes_since_flush = 0

    def _load(self) -> dict[str, Any]:
        return dict(self._memory)

    def _save(self, data: dict[str, Any]) -> None:
        self._memory = dict(data)
        self._changes_since_flush += 1
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        pass

    def _flush(self) -> None:
        SnapshotStore._save(self, self._memory)
        self._changes_since_flush = 0

    def close(self) -> None:
        with self._thread_lock:
            if self._changes_since_flush:
                self._flush()
            super().close()


class FlushEvery50Changes(BufferedUntilClose):
    """Defect: changes reach the file every 50 changes (and on close), so up to 49
    acknowledged changes die with the process.

    Caught by: test_acknowledged_operations_survive_sigkill,
    test_write_in_one_process_is_seen_by_the_next_read_in_another
    """

    def _maybe_flush(self) -> None:
        if self._changes_since_flush >= 50:
            self._flush()


class InPlaceRewrite(SnapshotStore):
    """Defect: the file is rewritten in place (truncated, then written key by key)
    instead of replaced by a rename, so a kill mid-rewrite leaves it torn.

    Caught by: test_acknowledged_operations_survive_sigkill
    """

    def _load(self) -> dict[str, Any]:
        with open(self.path, encoding="utf-8") as f:
            text = f.read()
        return json.loads(text) if text else {}

    def _save(self, data: dict[str, Any]) -> None:
        self._writable()
        with open(self.path, "r+" if self.path.exists() else "w", encoding="utf-8") as f:
            f.truncate(0)
            f.flush()
            os.fsync(f.fileno())
            f.write("{")
            for i, (key, value) in enumerate(data.items()):
                f.write(("," if i else "") + json.dumps(key) + ":" + json.dumps(value))
                f.flush()
            f.write("}")
            f.flush()
            os.fsync(f.fileno())


class NoCrossProcessLock(SnapshotStore):
    """Defect: only a thread lock; two processes' read-modify-write of the file
    interleave and one's changes overwrite the other's.

    Caught by: test_processes_writing_at_once_lose_nothing,
    test_processes_pop_each_shared_key_exactly_once
    """

    def _flock(self, take: bool) -> None:
        pass


class CheckThenAct(LogStore):
    """Defect: setdefault, pop and popitem check, then act, in two locked steps;
    another thread or process acts in between (two setdefault winners, a key
    popped twice, an item returned twice).

    Caught by: test_threads_setdefault_has_one_winner_per_key,
    test_threads_pop_each_key_once, test_threads_popitem_never_returns_an_item_twice,
    test_processes_pop_each_shared_key_exactly_once
    """

    def setdefault(self, key: Any, default: Any = None) -> Any:
        value = self.get(key, _MISSING)
        if value is not _MISSING:
            return value
        time.sleep(0)  # where a remote store's round trip would be
        self[key] = default
        return default

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise KeyError(key)
            return default
        time.sleep(0)
        with self._locked():
            self._read()
            self._append(["del", key])
        return value

    def popitem(self) -> tuple[str, Any]:
        with self._locked():
            data = self._read()
            if not data:
                raise KeyError("popitem(): store is empty")
            key = next(reversed(data))
        time.sleep(0)
        return key, self.pop(key)


class PerHandleCache(LogStore):
    """Defect: each handle reads what it loaded at open plus its own writes, never
    what other processes appended since.

    Caught by: test_write_in_one_process_is_seen_by_the_next_read_in_another,
    test_processes_pop_each_shared_key_exactly_once
    """

    def _read(self) -> dict[str, Any]:
        return self._data

    def _append(self, record: list[Any]) -> None:
        # Append at the end of the file, past records this handle never read.
        self._offset = os.fstat(self._fd).st_size
        super()._append(record)


class UpdateKeyByKey(LogStore):
    """Defect: declares update() atomic but appends one record per key, so a kill
    during an update leaves it half applied.

    Caught by: test_acknowledged_operations_survive_sigkill
    """

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        for key, value in dict(other, **kwargs).items():
            self[key] = value


class TornRecordUnopenable(LogStore):
    """Defect: a record is written in two parts (its length, fsync, then its body),
    and opening refuses a log whose last record is incomplete, so a kill between
    the two parts leaves a store that cannot be opened.

    Caught by: test_acknowledged_operations_survive_sigkill
    """

    def _write_record(self, line: bytes) -> int:
        os.write(self._fd, f"{len(line):08d}".encode())
        os.fsync(self._fd)
        os.write(self._fd, line)
        os.fsync(self._fd)
        return 8 + len(line)

    def _catch_up(self) -> None:
        size = os.fstat(self._fd).st_size
        chunk = os.pread(self._fd, size - self._offset, self._offset)
        pos = 0
        while pos < len(chunk):
            length = int(chunk[pos:pos + 8])
            line = chunk[pos + 8:pos + 8 + length]
            if len(line) < length:
                raise ValueError(f"{self.path}: record at offset {self._offset + pos} is incomplete")
            self._apply(json.loads(line))
            pos += 8 + length
        self._offset += pos


class LockfExclusive(ExclusiveStore):
    """Defect: holds its exclusive lock with POSIX ``lockf`` (fcntl), which the
    process loses when any descriptor of the lock file is closed, so a second
    process then opens the store too.

    Caught by: test_exclusive_lock_survives_closing_other_descriptors
    """

    def _take_handle_lock(self) -> None:
        if self._lock_fd >= 0:
            try:
                fcntl.lockf(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(self._lock_fd)
                self._lock_fd = -1
                raise StoreInUse(f"{self.path} is open in another process (exclusive store)") from None


# -- specs ---------------------------------------------------------------------


class _Spec(BackendSpec):
    store: type[MutableMapping] = LogStore
    suffix = ".log"
    capabilities = {**STORE_CAPABILITIES, "update_atomic": True}

    def new_location(self, scratch: Path) -> Path:
        return super().new_location(scratch).with_suffix(self.suffix)

    def open(self, location: Any, *args: Any, **kwargs: Any) -> MutableMapping:
        store = self.store(location)
        if args or kwargs:
            store.update(*args, **kwargs)
        return store


def spec_for(store: type[MutableMapping], suffix: str, **declared: Any) -> type[BackendSpec]:
    """A spec class for ``store`` (its capabilities: the stores' plus ``declared``)."""
    return type(f"{store.__name__}Spec", (_Spec,), {
        "store": store, "suffix": suffix, "name": f"broken_persistent.{store.__name__}",
        "capabilities": {**_Spec.capabilities, **declared},
    })


LogStoreSpec = spec_for(LogStore, ".log")
SnapshotStoreSpec = spec_for(SnapshotStore, ".json")
ExclusiveStoreSpec = spec_for(ExclusiveStore, ".json", processes="exclusive", after_fork="raises",
                              shared_handles=False)
LockfExclusiveSpec = spec_for(LockfExclusive, ".json", processes="exclusive", after_fork="raises",
                              shared_handles=False)
BufferedUntilCloseSpec = spec_for(BufferedUntilClose, ".json")
FlushEvery50ChangesSpec = spec_for(FlushEvery50Changes, ".json")
InPlaceRewriteSpec = spec_for(InPlaceRewrite, ".json")
NoCrossProcessLockSpec = spec_for(NoCrossProcessLock, ".json")
CheckThenActSpec = spec_for(CheckThenAct, ".log")
PerHandleCacheSpec = spec_for(PerHandleCache, ".log")
UpdateKeyByKeySpec = spec_for(UpdateKeyByKey, ".log")
TornRecordUnopenableSpec = spec_for(TornRecordUnopenable, ".log")

#: The correct stores' specs: each passes the tier.
CORRECT = ("LogStoreSpec", "SnapshotStoreSpec", "ExclusiveStoreSpec")
