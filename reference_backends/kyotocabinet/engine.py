"""The engine of one open hash, B+ tree, directory hash or directory B+ tree database.

Opened with automatic transactions (``OAUTOTRAN``): each write is one
transaction, so when it returns it is in the file (B+ tree nodes included,
which Kyoto Cabinet otherwise keeps in memory until close) and a process
killed part-way through a write leaves a write-ahead log that the next open
rolls back (cut back after every write, see :mod:`.walfile`).  ``update`` is
one explicit transaction.  Memory-mapped types are
opened with ``#msiz=0`` (see :class:`~.formats.Format`), so a full disk is a
failed ``pwrite``, reported as :class:`~reference_backends.errors.StoreFullError`.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
import time
from collections.abc import Iterator
from typing import Any, NoReturn

from ..errors import CorruptStoreError, ReadOnlyStoreError, StoreBusyError, StoreFullError
from .binding import DB, E
from .formats import FORMATS, Format
from .handles import Process, lock_descriptor
from .walfile import WriteAheadLog, WriteScope

__all__ = ["Engine", "KyotoCabinetError", "check_location"]

#: Room a write must leave on the file system (plus four times its own size),
#: at most an eighth of the file system: Kyoto Cabinet writes B+ tree nodes,
#: write-ahead log copies and file growth beyond the record itself, and a write
#: that fails part-way leaves a database it marks "fatal" (see Engine._recover).
#: A write that would leave less is refused before it starts.
FULL_MARGIN = 1 << 20
#: How long the file system's free space, as last asked, stands (see Engine._room).
ROOM_RECHECK_SECONDS = 0.25


class KyotoCabinetError(OSError):
    """Kyoto Cabinet failed for a reason other than those with their own
    exception in :mod:`reference_backends.errors` (an I/O error, a permission)."""


def _what(fmt: Format) -> str:
    return f"Kyoto Cabinet {fmt.title} database ({fmt.ext})"


def check_location(path: str, fmt: Format) -> None:
    """Raise the builtin OSError subclass (naming ``path``) if ``path`` cannot hold a ``fmt`` database."""

    def fail(cls: type[OSError], code: int, reason: str) -> OSError:
        return cls(code, f"cannot open {_what(fmt)}: {reason}", path)

    parent = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(parent).st_mode
    except FileNotFoundError:
        raise fail(FileNotFoundError, errno.ENOENT, f"no folder {parent!r}") from None
    except NotADirectoryError:
        raise fail(NotADirectoryError, errno.ENOTDIR, f"a part of {parent!r} is not a folder") from None
    except PermissionError:
        raise fail(PermissionError, errno.EACCES, f"permission denied to reach the folder {parent!r}") from None
    if not stat.S_ISDIR(mode):
        raise fail(NotADirectoryError, errno.ENOTDIR, f"{parent!r} is not a folder")
    if os.path.exists(path) and fmt.directory != os.path.isdir(path):
        if fmt.directory:
            raise fail(NotADirectoryError, errno.ENOTDIR, f"it is a file, and a {fmt.ext} database is a folder")
        raise fail(IsADirectoryError, errno.EISDIR, f"it is a folder, and a {fmt.ext} database is a file")


class Engine:
    """One open database of a native Kyoto Cabinet type, shared by the handles on its file."""

    #: Kyoto Cabinet open mode.  ``ONOREPAIR``: a database not closed cleanly
    #: (killed, or marked "fatal" by a failed write) is made consistent by
    #: rolling back its write-ahead log; Kyoto Cabinet's own repair would
    #: rebuild the file through a memory-mapped copy (SIGBUS on a full disk)
    #: and drops records it cannot place (measured: 289 of 321 kept).
    open_mode = DB.OWRITER | DB.OCREATE | DB.OTRYLOCK | DB.OAUTOTRAN | DB.ONOREPAIR

    #: What a write the disk filled under leaves, for StoreFullError's message.
    failed_write = "the key being written may hold its old or its new value"

    def __init__(self, path: str, fmt: Format, lock_timeout: float):
        self.path = path
        self.format = fmt
        self.pid = Process.pid
        self.refs = 1
        self.lock = threading.RLock()  # serialises writes (and transactions)
        self._write_scope = WriteScope(self)
        self.db: Any = None
        self._spare = self._spent = 0  # _room's last answer: bytes beyond the margin, used since
        self._recheck_at = 0.0
        deadline = time.monotonic() + lock_timeout
        busy = f"cannot open {_what(fmt)}: another process holds it open (waited {lock_timeout:g} s)"
        if fmt.directory and not os.path.exists(path):
            self.db = self._open_db(deadline, busy)  # Kyoto Cabinet makes the folder, under its lock
            self.db.close()
            self.db = None
        self.writable = _writable(path)
        try:
            self.lock_fd = lock_descriptor(path, fmt, deadline, busy, self.writable)
        except PermissionError as exc:
            raise PermissionError(errno.EACCES, f"cannot open {_what(fmt)}: permission denied ({exc.strerror})", path) from None
        if not self.writable:
            self.open_mode = DB.OREADER | DB.OTRYLOCK | DB.ONOREPAIR
        self.wal = WriteAheadLog(path) if fmt.file_log and self.writable else None
        st = os.fstat(self.lock_fd)
        self.identity = (st.st_dev, st.st_ino)
        try:
            self.db = self._open_db(deadline, busy)
        except BaseException:
            os.close(self.lock_fd)
            raise

    # -- opening and closing ----------------------------------------------
    def _open_db(self, deadline: float, busy: str) -> Any:
        """Open the Kyoto Cabinet database, waiting for a process that holds
        its ``fcntl`` lock (one that does not use KyotoCabinetDict) until ``deadline``."""
        fmt, path = self.format, self.path

        def fail(cls: type[OSError], code: int, reason: str) -> OSError:
            return cls(code, f"cannot open {_what(fmt)}: {reason}", path)

        delay = 0.001
        while True:
            db = DB()
            if db.open(os.path.realpath(path) + fmt.tuning, self.open_mode):
                break
            err = db.error()
            code, message = err.code(), err.message()
            if code == E.SYSTEM and "fcntl" in message:
                if time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.1)
                    continue
                raise StoreBusyError(errno.EAGAIN, busy, path)
            if code == E.NOPERM:
                raise fail(PermissionError, errno.EACCES, f"permission denied ({message})")
            if code in (E.INVALID, E.BROKEN):
                raise fail(CorruptStoreError, errno.EINVAL, f"not a {fmt.title} database ({message})")
            if fmt.directory and not os.path.exists(path):
                try:  # Kyoto Cabinet only says "making a directory failed": find out why
                    os.mkdir(path)
                except OSError as exc:
                    raise fail(type(exc), exc.errno or errno.EIO, f"cannot make its folder: {exc.strerror}") from None
                os.rmdir(path)
            if _disk_full(path, 0):
                raise fail(StoreFullError, errno.ENOSPC, f"the disk is full ({message})")
            raise fail(KyotoCabinetError, errno.EIO, f"{err.name()}: {message}")
        realtype = int((db.status() or {}).get("realtype", fmt.realtype))
        if realtype != fmt.realtype:
            db.close()
            other = next((f for f in FORMATS.values() if f.realtype == realtype), None)
            found = f"a {other.title} database ({other.ext})" if other else f"a database of type {realtype:#x}"
            raise fail(CorruptStoreError, errno.EINVAL, f"it holds {found}")
        return db

    def shut(self) -> None:
        """Close the database, then give up the lock."""
        db, self.db = self.db, None
        try:
            if db is not None and not db.close():
                raise self._error("close", db, recover=False)
        finally:
            if self.wal is not None:
                self.wal.forget()
            os.close(self.lock_fd)

    # -- errors ----------------------------------------------------------
    def _error(self, operation: str, db: Any = None, size: int = 0, recover: bool = True) -> OSError:
        """The exception for a failed call; after a system error (a write the
        disk filled under), the database is reopened first (see _recover),
        unless ``recover`` is false (a transaction must be aborted first)."""
        err = (db or self.db).error()
        message = f"Kyoto Cabinet {operation} failed: {err.name()}: {err.message()}"
        if err.code() != E.SYSTEM:
            return KyotoCabinetError(errno.EIO, message, self.path)
        full = _disk_full(self.path, size)  # before the reopen frees the failed write's space
        if recover:
            self._recover()
        if full:
            return StoreFullError(
                errno.ENOSPC,
                f"{message}: the disk filled up during the write; everything acknowledged before "
                f"is kept, and {self.failed_write}",
                self.path,
            )
        return KyotoCabinetError(errno.EIO, message, self.path)

    def _recover(self) -> None:
        """After a failed write Kyoto Cabinet's memory no longer matches its
        file (measured: a B+ tree then loses acknowledged records): close the
        database and open it again, which rolls the failed write back from the
        write-ahead log."""
        db, self.db = self.db, None
        if db is not None:
            db.close()  # may fail again: the reopen below is what counts
        if self.wal is not None:
            self.wal.forget()
        busy = f"cannot reopen {_what(self.format)} after a failed write: another process took it"
        self.db = self._open_db(time.monotonic() + 10.0, busy)

    def _expect(self, code: int, operation: str) -> None:
        """After a False/None result: fine if the error is ``code``, else raise."""
        if self.db.error().code() != code:
            raise self._error(operation)

    def _refuse_if_read_only(self) -> None:
        if not self.writable:
            raise ReadOnlyStoreError(
                errno.EROFS,
                f"{_what(self.format)} is read-only here (no write access to it or its folder): "
                "it was opened to read, and cannot be changed",
                self.path,
            )

    def _room(self, size: int = 0) -> None:
        """Refuse a write on a read-only store (ReadOnlyStoreError), or of about
        ``size`` bytes (StoreFullError, nothing written) when the file system
        would be left with less than FULL_MARGIN.

        The file system is asked again (``fstatvfs``) once the writes since its
        last answer may have used half the room it had beyond the margin, and at
        least every ROOM_RECHECK_SECONDS (other processes use the disk too);
        in between, its answer less those writes stands."""
        self._refuse_if_read_only()
        need = 4 * size
        self._spent += need
        if self._spent * 2 < self._spare and time.monotonic() < self._recheck_at:
            return
        st = os.fstatvfs(self.lock_fd)
        free = st.f_bavail * st.f_frsize
        need += min(FULL_MARGIN, st.f_blocks * st.f_frsize // 8)
        self._spare, self._spent = free - need, 0
        self._recheck_at = time.monotonic() + ROOM_RECHECK_SECONDS
        if free < need:
            raise StoreFullError(
                errno.ENOSPC,
                f"not written: the disk is full ({free} bytes free; Kyoto Cabinet needs {need} to "
                "write safely); nothing was changed, and the store works again once space returns",
                self.path,
            )

    def _writing(self, size: int = 0) -> WriteScope:
        """Take the lock for a write of about ``size`` bytes (see _room) and
        return the scope to enter, as ``with self._writing(size) as db:``;
        leaving it cuts the write-ahead log back (see walfile) and releases the
        lock."""
        self.lock.acquire()
        try:
            self._room(size)
        except BaseException:
            self.lock.release()
            raise
        return self._write_scope

    # -- single records -----------------------------------------------------
    # Reads take the lock too: _recover replaces the database object.
    def get(self, identity: str) -> bytes | None:
        with self.lock:
            record = self.db.get(identity)
            if record is None:
                self._expect(E.NOREC, "get")
                return None
        return _value_of(record)

    def contains(self, identity: str) -> bool:
        with self.lock:
            return self.db.check(identity) >= 0

    def count(self) -> int:
        with self.lock:
            n = self.db.count()
            if n < 0:
                raise self._error("count")
        return n

    def put(self, identity: str, spelling: str | None, text: str) -> None:
        with self._writing(len(identity) + len(text)) as db:
            if identity[0] == '"':  # a str key: its spelling is its identity
                if not db.set(identity, text):
                    raise self._error("set", size=len(text))
                return
            # Another spelling may be stored already (True where 1 is written): keep it.
            record = _pack(spelling, text)
            while not db.add(identity, record):
                self._expect(E.DUPREC, "add")
                old = db.get(identity)
                if old is None:
                    self._expect(E.NOREC, "get")
                    continue
                if db.cas(identity, old, _pack(_spelling_of(old), text)):
                    return
                self._expect(E.LOGIC, "cas")

    def delete(self, identity: str) -> bool:
        with self._writing():
            if self.db.remove(identity):
                return True
            self._expect(E.NOREC, "remove")
        return False

    def pop(self, identity: str) -> bytes | None:
        with self._writing():
            record = self.db.seize(identity)
            if record is None:
                self._expect(E.NOREC, "seize")
                return None
        return _value_of(record)

    def setdefault(self, identity: str, spelling: str | None, text: str) -> bytes | None:
        """Store if absent: None when stored, else the value stored already."""
        with self._writing(len(identity) + len(text)) as db:
            while not db.add(identity, _pack(spelling, text)):
                self._expect(E.DUPREC, "add")
                old = db.get(identity)
                if old is not None:
                    return _value_of(old)
                self._expect(E.NOREC, "get")
            return None

    def popitem(self) -> tuple[bytes, bytes | None, bytes] | None:
        """Seize the last record of a B+ tree, the first of a hash database."""
        with self._writing():
            cursor = self.db.cursor()
            try:
                while True:
                    if not (cursor.jump_back() if self.format.reversible else cursor.jump()):
                        self._expect(E.NOREC, "cursor jump")
                        return None
                    found = cursor.seize()
                    if found is not None:
                        return (found[0], *_unpack(found[1]))
                    self._expect(E.NOREC, "cursor seize")
                    # A hash database whose records were all removed can still
                    # jump to its first (free) block.
                    if self.db.count() == 0:
                        return None
            finally:
                cursor.disable()

    # -- whole store -------------------------------------------------------
    def clear(self) -> None:
        with self.lock:
            self._refuse_if_read_only()
            try:
                if not self.db.clear():
                    raise self._error("clear")
            finally:
                if self.wal is not None:
                    self.wal.empty()

    def update(self, rows: list[tuple[str, str | None, str]]) -> None:
        """Write every row in one transaction."""
        if len(rows) == 1:
            self.put(*rows[0])
            return
        with self._writing(sum(len(identity) + len(text) for identity, _, text in rows)) as db:
            if not db.begin_transaction():
                raise self._error("begin_transaction")
            failed: OSError | None = None
            try:
                plain = {identity: text for identity, spelling, text in rows if identity[0] == '"'}
                if plain and db.set_bulk(plain, False) < 0:
                    failed = self._error("set_bulk", size=sum(map(len, plain.values())), recover=False)
                else:
                    for identity, spelling, text in rows:
                        if identity[0] != '"' and not self._put_in(db, identity, spelling, text):
                            failed = self._error("add", size=len(text), recover=False)
                            break
            except BaseException:
                db.end_transaction(False)
                raise
            if failed is not None:
                db.end_transaction(False)
                if isinstance(failed, StoreFullError) or db.error().code() == E.SYSTEM:
                    self._recover()
                raise failed
            if not db.end_transaction(True):
                raise self._error("end_transaction")

    def _put_in(self, db: Any, identity: str, spelling: str | None, text: str) -> bool:
        """put() of a non-str key inside update's transaction; False on a failed write."""
        record = _pack(spelling, text)
        while not db.add(identity, record):
            if db.error().code() != E.DUPREC:
                return False
            old = db.get(identity)
            if old is None:
                if db.error().code() != E.NOREC:
                    return False
                continue
            if db.cas(identity, old, _pack(_spelling_of(old), text)):
                return True
            if db.error().code() != E.LOGIC:
                return False
        return True

    def records(self, forward: bool = True) -> Iterator[tuple[bytes, bytes | None, bytes]]:
        """``(identity, spelling, value)`` of every record, on one cursor."""
        cursor = self.db.cursor()
        try:
            if forward:
                # A cursor keeps its place by key (B+ trees), by file offset
                # (hash) or by directory stream (directory hash), so records
                # changed elsewhere do not disturb the walk (see the class doc).
                if not cursor.jump():
                    self._expect(E.NOREC, "cursor jump")
                    return
                while True:
                    found = cursor.get(True)
                    if found is None:
                        self._expect(E.NOREC, "cursor get")
                        return
                    yield (found[0], *_unpack(found[1]))
            else:
                # A backward cursor whose record was removed slides forward, so
                # find the place again by key at every step.
                last = None
                while True:
                    if not (cursor.jump_back() if last is None else cursor.jump_back(last)):
                        self._expect(E.NOREC, "cursor jump_back")
                        return
                    found = cursor.get(False)
                    if found is not None and found[0] == last:
                        found = cursor.get(False) if cursor.step_back() else None
                    if found is None:
                        self._expect(E.NOREC, "cursor get")
                        return
                    last = found[0]
                    yield (last, *_unpack(found[1]))
        finally:
            cursor.disable()


def _writable(path: str) -> bool:
    """Whether this process may change the database at ``path`` (a missing one
    is created, which needs its folder; Kyoto Cabinet also writes its
    write-ahead log next to a file database, and records inside a folder one)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.exists(path):
        return True  # created, or the open reports why not
    if FORMATS[os.path.splitext(path)[1]].directory:
        return os.access(path, os.W_OK)
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


#: A write that failed with less free space than this (at most an eighth of the
#: file system, plus four times the write) failed for lack of space.
FULL_SUSPECT = 1 << 20


def _disk_full(path: str, size: int) -> bool:
    """Whether a write of ``size`` that failed on the file system holding ``path`` met a full disk."""
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < min(FULL_SUSPECT, st.f_blocks * st.f_frsize // 8) + 4 * size


# -- records ---------------------------------------------------------------
# The record value is the value's JSON, or, for a key whose first-inserted
# spelling differs from its identity (True, 1.0), NUL spelling NUL value.


def _pack(spelling: str | None, text: str) -> str:
    return text if spelling is None else f"\0{spelling}\0{text}"


def _unpack(record: bytes) -> tuple[bytes | None, bytes]:
    """``(spelling, value)`` of a stored record."""
    if record[:1] == b"\0":
        end = record.index(b"\0", 1)
        return record[1:end], record[end + 1 :]
    return None, record


def _value_of(record: bytes) -> bytes:
    return record[record.index(b"\0", 1) + 1 :] if record[:1] == b"\0" else record


def _spelling_of(record: bytes) -> str | None:
    return record[1 : record.index(b"\0", 1)].decode("ascii") if record[:1] == b"\0" else None
