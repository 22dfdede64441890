"""KyotoCabinetDict: a dict whose data lives in a Kyoto Cabinet database.

Every change is written to the database at once (no local cache of values),
keys and values are stored as JSON (see :mod:`reference_backends.codec`), and
iteration runs on a Kyoto Cabinet cursor, so a store far larger than RAM
iterates in flat memory.

The file extension selects the database type, as Kyoto Cabinet does:

======  =====================  ========  ===========  ========  =================
ext     type                   order     popitem      reversed  change while iter
======  =====================  ========  ===========  ========  =================
.kch    file hash              none      first        no        undefined
.kct    file B+ tree           sorted    last         yes       tolerated
.kcd    directory hash         none      first        no        tolerated
.kcf    directory B+ tree      sorted    last         yes       tolerated
.kcx    plain text (a log)     insertion last         yes       tolerated
======  =====================  ========  ===========  ========  =================

Record layout (``.kch``, ``.kct``, ``.kcd``, ``.kcf``): the record key is the
key's JSON *identity*; the record value is the value's JSON, or, for a key
whose first-inserted spelling differs from its identity (``True``, ``1.0``),
``NUL spelling NUL value`` (JSON text never contains a NUL byte).

Sorted order (``.kct``, ``.kcf``): Kyoto Cabinet's B+ tree compares record keys
byte by byte (``memcmp``, a prefix first), so keys iterate in the byte order of
their identity, the ASCII JSON text of the key after numeric normalisation
(:func:`tree_order_key` gives it).  Hence ``"..."`` strings (``0x22``) come
before negative numbers (``-``), then other numbers, tuples (``[``) and None
(``null``); numbers compare as text (``10`` before ``9``), and a non-ASCII
character sorts by its ``\\uXXXX`` escape.

The ``.kcx`` plain text database can only append lines and read them back by
file offset (Kyoto Cabinet cannot look a key up, change or delete a line in
it), so KyotoCabinetDict keeps it as a log: ``+`` (insert), ``=`` (overwrite)
and ``-`` (delete) lines, with ``{``/``}`` around the lines of one
``update``.  Opening it replays the log into an in-memory index holding, per
key, the offsets of its insert line and of its current value, never a value:
values are always read from the file.  When dead lines outnumber live ones it
is compacted in place (through a ``<path>-compact`` copy that a crash leaves
behind and the next open finishes).

Concurrency: one process at a time opens a database (Kyoto Cabinet locks the
file; a second process waits up to ``lock_timeout`` seconds).  Within a
process, Kyoto Cabinet forbids two database objects on one file, so every
KyotoCabinetDict on the same real path shares one open database (reference
counted: closing one handle leaves the others working).  Threads may share a
store: single-record calls are Kyoto Cabinet's atomic ones (``add``, ``cas``,
``seize``, cursor ``seize``), writes are serialised by a lock per database, and
``update`` is one transaction (``.kcx``: one append).  The binding is used
without ``GCONCURRENT``, so it holds the GIL through each call (its visitor
callbacks do nothing in the Debian build, and are not used).  A forked child
cannot use a database its parent opened.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

try:
    import kyotocabinet as _kc
except ImportError as _exc:  # pragma: no cover - depends on the machine
    raise ImportError(
        "KyotoCabinetDict needs Kyoto Cabinet's Python binding (module 'kyotocabinet'), which is "
        "not on PyPI: install Debian's python3-kyotocabinet and make it importable in this "
        "environment with `scripts/install-kyotocabinet.sh <venv>` (e.g. "
        "`scripts/install-kyotocabinet.sh .venv`; it runs apt-get when the package is missing)",
        name="kyotocabinet",
    ) from _exc

from .base import StoreBase, encoded_rows
from .codec import lookup_identity

__all__ = ["KyotoCabinetDict", "KyotoCabinetError", "FORMATS", "tree_order_key"]

_DB = _kc.DB
_E = _kc.Error


class KyotoCabinetError(OSError):
    """Kyoto Cabinet failed: a file that is not a database of the wanted type,
    a database locked by another process, or an I/O error."""


class _Format:
    """One database type: what its extension means and what it can do."""

    def __init__(self, ext: str, title: str, realtype: int, *, directory: bool, ordering: str, reversible: bool):
        self.ext = ext
        self.title = title
        self.realtype = realtype
        self.directory = directory
        self.ordering = ordering
        self.reversible = reversible

    def __repr__(self) -> str:
        return f"<{self.title} database {self.ext}>"


#: The five database types, by extension.
FORMATS: dict[str, _Format] = {
    f.ext: f
    for f in (
        _Format(".kch", "file hash", 0x30, directory=False, ordering="none", reversible=False),
        _Format(".kct", "file B+ tree", 0x31, directory=False, ordering="sorted", reversible=True),
        _Format(".kcd", "directory hash", 0x40, directory=True, ordering="none", reversible=False),
        _Format(".kcf", "directory B+ tree", 0x41, directory=True, ordering="sorted", reversible=True),
        _Format(".kcx", "plain text", 0x50, directory=False, ordering="insertion", reversible=True),
    )
}
_VALID = ", ".join(f"{ext} ({f.title})" for ext, f in FORMATS.items())


def tree_order_key(key: Any) -> bytes:
    """The bytes B+ tree stores (``.kct``, ``.kcf``) sort ``key`` by: its JSON identity."""
    identity = lookup_identity(key)
    if identity is None:
        raise TypeError(f"{key!r} cannot be a KyotoCabinetDict key")
    return identity.encode("ascii")


# -- records ---------------------------------------------------------------


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


# -- the shared, reference-counted open databases -----------------------------


class _Process:
    """Per-process state, renewed in a forked child."""

    pid = os.getpid()
    lock = threading.RLock()  # reentrant: a finalizer may release a handle while it is held
    registry: dict[str, "_Engine"] = {}
    inherited: list[Any] = []


def _after_fork_in_child() -> None:
    # The parent's databases (and their file locks, caches, maps) are not the
    # child's: never use or close them here.  Keep their objects alive for good
    # so that no destructor flushes the parent's state into its files.
    import ctypes

    for engine in _Process.registry.values():
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(engine.db))
        _Process.inherited.append(engine.db)
    _Process.pid = os.getpid()
    _Process.lock = threading.RLock()
    _Process.registry = {}


os.register_at_fork(after_in_child=_after_fork_in_child)


def _acquire(path: str, fmt: _Format, lock_timeout: float) -> "_Engine":
    real = os.path.realpath(path)
    with _Process.lock:
        engine = _Process.registry.get(real)
        if engine is not None:
            if engine.format is not fmt:
                raise ValueError(
                    f"{path!r} is open in this process as a {engine.format.title} database "
                    f"({engine.path!r}); it cannot also be opened as a {fmt.title} database"
                )
            engine.refs += 1
            return engine
        cls = _TextEngine if fmt.ext == ".kcx" else _Engine
        engine = cls(path, real, fmt, lock_timeout)
        _Process.registry[real] = engine
        return engine


def _release(engine: "_Engine") -> None:
    with _Process.lock:
        if engine.pid != _Process.pid:
            return  # inherited through fork: the parent's to close
        engine.refs -= 1
        if engine.refs > 0:
            return
        if _Process.registry.get(engine.real) is engine:
            del _Process.registry[engine.real]
        engine.shut()


# -- engines: one per open database -------------------------------------------


class _Engine:
    """One open hash, B+ tree, directory hash or directory B+ tree database."""

    def __init__(self, path: str, real: str, fmt: _Format, lock_timeout: float):
        self.path = path
        self.real = real
        self.format = fmt
        self.pid = _Process.pid
        self.refs = 1
        self.lock = threading.RLock()  # serialises writes (and transactions)
        self.db = self._open(lock_timeout)

    # -- opening and closing ----------------------------------------------
    def _open(self, lock_timeout: float) -> Any:
        fmt, path = self.format, self.path
        what = f"Kyoto Cabinet {fmt.title} database ({fmt.ext})"

        def fail(cls: type[OSError], code: int, reason: str) -> OSError:
            return cls(code, f"cannot open {what}: {reason}", path)

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
        deadline = time.monotonic() + lock_timeout
        delay = 0.001
        while True:
            db = _DB()
            if db.open(f"{self.real}#type={fmt.ext[1:]}", _DB.OWRITER | _DB.OCREATE | _DB.OTRYLOCK):
                break
            err = db.error()
            code, message = err.code(), err.message()
            if code == _E.SYSTEM and "fcntl" in message:
                if time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.1)
                    continue
                raise fail(KyotoCabinetError, errno.EAGAIN, f"another process holds it open (waited {lock_timeout:g} s)")
            if code == _E.NOPERM:
                raise fail(PermissionError, errno.EACCES, f"permission denied ({message})")
            if code in (_E.INVALID, _E.BROKEN):
                raise fail(KyotoCabinetError, errno.EINVAL, f"not a {fmt.title} database ({message})")
            if fmt.directory and not os.path.exists(path):
                try:  # Kyoto Cabinet only says "making a directory failed": find out why
                    os.mkdir(path)
                except OSError as exc:
                    raise fail(type(exc), exc.errno or errno.EIO, f"cannot make its folder: {exc.strerror}") from None
                os.rmdir(path)
            raise fail(KyotoCabinetError, errno.EIO, f"{err.name()}: {message}")
        realtype = int((db.status() or {}).get("realtype", fmt.realtype))
        if realtype != fmt.realtype:
            db.close()
            other = next((f for f in FORMATS.values() if f.realtype == realtype), None)
            found = f"a {other.title} database ({other.ext})" if other else f"a database of type {realtype:#x}"
            raise fail(KyotoCabinetError, errno.EINVAL, f"it holds {found}")
        return db

    def shut(self) -> None:
        db, self.db = self.db, None
        if db is not None and not db.close():
            raise self._error("close", db)

    # -- errors ----------------------------------------------------------
    def _error(self, operation: str, db: Any = None) -> KyotoCabinetError:
        err = (db or self.db).error()
        return KyotoCabinetError(errno.EIO, f"Kyoto Cabinet {operation} failed: {err.name()}: {err.message()}", self.path)

    def _expect(self, code: int, operation: str) -> None:
        """After a False/None result: fine if the error is ``code``, else raise."""
        if self.db.error().code() != code:
            raise self._error(operation)

    # -- single records -----------------------------------------------------
    def get(self, identity: str) -> bytes | None:
        record = self.db.get(identity)
        if record is None:
            self._expect(_E.NOREC, "get")
            return None
        return _value_of(record)

    def contains(self, identity: str) -> bool:
        return self.db.check(identity) >= 0

    def count(self) -> int:
        n = self.db.count()
        if n < 0:
            raise self._error("count")
        return n

    def put(self, identity: str, spelling: str | None, text: str) -> None:
        db = self.db
        with self.lock:
            if identity[0] == '"':  # a str key: its spelling is its identity
                if not db.set(identity, text):
                    raise self._error("set")
                return
            # Another spelling may be stored already (True where 1 is written): keep it.
            record = _pack(spelling, text)
            while not db.add(identity, record):
                self._expect(_E.DUPREC, "add")
                old = db.get(identity)
                if old is None:
                    self._expect(_E.NOREC, "get")
                    continue
                if db.cas(identity, old, _pack(_spelling_of(old), text)):
                    return
                self._expect(_E.LOGIC, "cas")

    def delete(self, identity: str) -> bool:
        with self.lock:
            if self.db.remove(identity):
                return True
        self._expect(_E.NOREC, "remove")
        return False

    def pop(self, identity: str) -> bytes | None:
        with self.lock:
            record = self.db.seize(identity)
        if record is None:
            self._expect(_E.NOREC, "seize")
            return None
        return _value_of(record)

    def setdefault(self, identity: str, spelling: str | None, text: str) -> bytes:
        db = self.db
        with self.lock:
            while not db.add(identity, _pack(spelling, text)):
                self._expect(_E.DUPREC, "add")
                old = db.get(identity)
                if old is not None:
                    return _value_of(old)
                self._expect(_E.NOREC, "get")
            return text.encode("ascii")

    def popitem(self) -> tuple[bytes, bytes | None, bytes] | None:
        """Seize the last record of a B+ tree, the first of a hash database."""
        with self.lock:
            cursor = self.db.cursor()
            try:
                while True:
                    if not (cursor.jump_back() if self.format.reversible else cursor.jump()):
                        self._expect(_E.NOREC, "cursor jump")
                        return None
                    found = cursor.seize()
                    if found is not None:
                        return (found[0], *_unpack(found[1]))
                    self._expect(_E.NOREC, "cursor seize")
                    # A hash database whose records were all removed can still
                    # jump to its first (free) block.
                    if self.db.count() == 0:
                        return None
            finally:
                cursor.disable()

    # -- whole store -------------------------------------------------------
    def clear(self) -> None:
        with self.lock:
            if not self.db.clear():
                raise self._error("clear")

    def update(self, rows: list[tuple[str, str | None, str]]) -> None:
        """Write every row in one transaction."""
        if len(rows) == 1:
            self.put(*rows[0])
            return
        db = self.db
        with self.lock:
            if not db.begin_transaction():
                raise self._error("begin_transaction")
            try:
                plain = {identity: text for identity, spelling, text in rows if identity[0] == '"'}
                if plain and db.set_bulk(plain, False) < 0:
                    raise self._error("set_bulk")
                for identity, spelling, text in rows:
                    if identity[0] != '"':
                        self.put(identity, spelling, text)
            except BaseException:
                db.end_transaction(False)
                raise
            if not db.end_transaction(True):
                raise self._error("end_transaction")

    def records(self, forward: bool = True) -> Iterator[tuple[bytes, bytes | None, bytes]]:
        """``(identity, spelling, value)`` of every record, on one cursor."""
        cursor = self.db.cursor()
        try:
            if forward:
                # A cursor keeps its place by key (B+ trees), by file offset
                # (hash) or by directory stream (directory hash), so records
                # changed elsewhere do not disturb the walk (see the class doc).
                if not cursor.jump():
                    self._expect(_E.NOREC, "cursor jump")
                    return
                while True:
                    found = cursor.get(True)
                    if found is None:
                        self._expect(_E.NOREC, "cursor get")
                        return
                    yield (found[0], *_unpack(found[1]))
            else:
                # A backward cursor whose record was removed slides forward, so
                # find the place again by key at every step.
                last = None
                while True:
                    if not (cursor.jump_back() if last is None else cursor.jump_back(last)):
                        self._expect(_E.NOREC, "cursor jump_back")
                        return
                    found = cursor.get(False)
                    if found is not None and found[0] == last:
                        found = cursor.get(False) if cursor.step_back() else None
                    if found is None:
                        self._expect(_E.NOREC, "cursor get")
                        return
                    last = found[0]
                    yield (last, *_unpack(found[1]))
        finally:
            cursor.disable()


class _TextEngine(_Engine):
    """A ``.kcx`` plain text database kept as an append-only log (see the module doc)."""

    #: Compact when dead lines exceed both the live ones and this many.
    compact_after = 4096

    def __init__(self, path: str, real: str, fmt: _Format, lock_timeout: float):
        super().__init__(path, real, fmt, lock_timeout)
        self.index: dict[str, tuple[int, int]] = {}  # identity -> (insert offset, value offset)
        self.lines = 0  # lines in the file
        self.live = 0  # lines the index points at
        self.iterating = 0  # live forward iterations (no compaction meanwhile)
        self.generation = 0  # bumped by clear() and compaction
        self.reader = self.db.cursor()
        try:
            if not self._finish_compaction() and self._replay():
                self._compact()
        except BaseException:
            self.reader.disable()
            self.db.close()
            raise

    def shut(self) -> None:
        if self.db is not None:
            self.reader.disable()
        super().shut()

    # -- the log -----------------------------------------------------------
    def _replay(self) -> bool:
        """Build the index from the file; True if a torn write must be cleaned up."""
        self.index.clear()
        self.lines = 0
        batch: list[tuple[int, bytes]] | None = None
        offset = end = 0
        cursor = self.db.cursor()
        try:
            if cursor.jump():
                while True:
                    found = cursor.get(True)
                    if found is None:
                        break
                    # Not int(found[0], 16): see _TextEngine.records.
                    offset, line = end, found[1]
                    end = offset + len(line) + 1
                    self.lines += 1
                    kind = line[:1]
                    if kind == b"{" and batch is None:
                        batch = []
                    elif kind == b"}" and batch is not None:
                        for item in batch:
                            self._apply(*item)
                        batch = None
                    elif kind in (b"+", b"=", b"-") and len(line) > 1:
                        if batch is None:
                            self._apply(offset, line)
                        else:
                            batch.append((offset, line))
                    else:
                        raise ValueError(repr(line[:40]))
            self._expect(_E.NOREC, "cursor get")
        except (ValueError, KeyError, UnicodeDecodeError) as exc:
            raise KyotoCabinetError(
                errno.EINVAL,
                f"cannot open Kyoto Cabinet plain text database (.kcx): not a KyotoCabinetDict log "
                f"(the line at byte {offset} is not a record: {exc})",
                self.path,
            ) from None
        finally:
            cursor.disable()
        self.live = sum(1 if ins == val else 2 for ins, val in self.index.values())
        return batch is not None or self.db.size() != end

    def _apply(self, offset: int, line: bytes) -> None:
        kind, index = line[:1], self.index
        if kind == b"+":
            identity = line[1 : line.index(b"\t")].decode("ascii")
            index.pop(identity, None)
            index[identity] = (offset, offset)
        elif kind == b"=":
            identity = line[1 : line.index(b"\t")].decode("ascii")
            index[identity] = (index[identity][0], offset)
        else:
            index.pop(line[1:].decode("ascii"), None)

    def _line_at(self, offset: int) -> bytes:
        reader = self.reader
        if not reader.jump(str(offset)):
            raise self._error("cursor jump")
        found = reader.get(False)
        if found is None:
            raise self._error("cursor get")
        return found[1]

    def _append(self, text: str) -> int:
        """Append ``text`` and a newline; the offset it starts at."""
        offset = self.db.size()
        if offset < 0 or not self.db.set("", text):
            raise self._error("append")
        return offset

    def _record(self, identity: str) -> tuple[bytes, bytes | None, bytes]:
        """``(identity, spelling, value)`` of a key in the index."""
        ins, val = self.index[identity]
        _, spelling, value = self._line_at(ins)[1:].split(b"\t", 2)
        if val != ins:
            value = self._line_at(val).split(b"\t", 1)[1]
        return identity.encode("ascii"), spelling or None, value

    def _value(self, identity: str) -> bytes | None:
        entry = self.index.get(identity)
        if entry is None:
            return None
        line = self._line_at(entry[1])
        return line.split(b"\t", 2)[2] if entry[0] == entry[1] else line.split(b"\t", 1)[1]

    def _line(self, identity: str, spelling: str | None, text: str) -> str:
        if identity in self.index:
            return f"={identity}\t{text}"
        return f"+{identity}\t{spelling or ''}\t{text}"

    def _wrote(self, identity: str, offset: int) -> None:
        """Index the line just written at ``offset`` for ``identity``."""
        self.lines += 1
        entry = self.index.get(identity)
        if entry is None:
            self.index[identity] = (offset, offset)
            self.live += 1
        else:
            if entry[0] == entry[1]:
                self.live += 1
            self.index[identity] = (entry[0], offset)

    def _remove(self, identity: str) -> None:
        ins, val = self.index[identity]
        self._append(f"-{identity}")
        del self.index[identity]
        self.lines += 1
        self.live -= 1 if ins == val else 2
        self._maybe_compact()

    def _maybe_compact(self) -> None:
        dead = self.lines - self.live
        if dead > self.compact_after and dead > self.live and not self.iterating:
            self._compact()

    def _compact(self) -> None:
        """Rewrite the file with one line per key, through a ``-compact`` copy."""
        temp = self.real + "-compact"
        with open(temp, "wb") as out:
            for identity in self.index:
                identity_bytes, spelling, value = self._record(identity)
                out.write(b"+%s\t%s\t%s\n" % (identity_bytes, spelling or b"", value))
            out.write(b".\n")
            out.flush()
            os.fsync(out.fileno())
        self._finish_compaction()

    def _finish_compaction(self) -> bool:
        """Copy a complete ``-compact`` file over the log (again, after a crash);
        True if it did (and replayed the new log)."""
        temp = self.real + "-compact"
        try:
            with open(temp, "rb") as source:
                data = source.read()
        except FileNotFoundError:
            return False
        done = data.endswith(b"\n.\n") or data == b".\n"
        if done:
            if not self.db.clear():
                raise self._error("clear")
            body = data[: -len(b".\n")]
            start = 0
            while start < len(body):
                stop = body.find(b"\n", start + (1 << 20))
                stop = len(body) if stop < 0 else stop + 1
                if not self.db.set("", body[start : stop - 1]):
                    raise self._error("append")
                start = stop
            if not self.db.synchronize(True):
                raise self._error("synchronize")
            self.generation += 1
            self._replay()
        os.unlink(temp)  # if incomplete, the log itself is intact
        return done

    # -- single records ------------------------------------------------------
    def get(self, identity: str) -> bytes | None:
        with self.lock:
            return self._value(identity)

    def contains(self, identity: str) -> bool:
        return identity in self.index

    def count(self) -> int:
        return len(self.index)

    def put(self, identity: str, spelling: str | None, text: str) -> None:
        with self.lock:
            self._wrote(identity, self._append(self._line(identity, spelling, text)))
            self._maybe_compact()

    def delete(self, identity: str) -> bool:
        with self.lock:
            if identity not in self.index:
                return False
            self._remove(identity)
            return True

    def pop(self, identity: str) -> bytes | None:
        with self.lock:
            value = self._value(identity)
            if value is not None:
                self._remove(identity)
            return value

    def setdefault(self, identity: str, spelling: str | None, text: str) -> bytes:
        with self.lock:
            value = self._value(identity)
            if value is None:
                self.put(identity, spelling, text)
                value = text.encode("ascii")
            return value

    def popitem(self) -> tuple[bytes, bytes | None, bytes] | None:
        with self.lock:
            if not self.index:
                return None
            identity = next(reversed(self.index))
            record = self._record(identity)
            self._remove(identity)
            return record

    # -- whole store ---------------------------------------------------------
    def clear(self) -> None:
        with self.lock:
            if not self.db.clear():
                raise self._error("clear")
            self.index.clear()
            self.lines = self.live = 0
            self.generation += 1

    def update(self, rows: list[tuple[str, str | None, str]]) -> None:
        """Append every row at once, between ``{`` and ``}`` lines."""
        if len(rows) == 1:
            self.put(*rows[0])
            return
        with self.lock:
            lines = [self._line(*row) for row in rows]
            start = self._append("{\n" + "\n".join(lines) + "\n}")
            offset = start + 2
            for (identity, _, _), line in zip(rows, lines):
                self._wrote(identity, offset)
                offset += len(line) + 1
            self.lines += 2
            self._maybe_compact()

    def records(self, forward: bool = True) -> Iterator[tuple[bytes, bytes | None, bytes]]:
        if not forward:
            yield from self._records_backward()
            return
        cursor = self.db.cursor()
        with self.lock:
            self.iterating += 1
            generation = self.generation
            started = cursor.jump()  # the walk ends where the file ends now
        try:
            if not started:
                self._expect(_E.NOREC, "cursor jump")
                return
            # Kyoto Cabinet gives each line's offset as its key, wrongly for a
            # line that spans two of the cursor's 1 KiB reads; count instead.
            end = 0
            while True:
                with self.lock:
                    if self.generation != generation:
                        return  # cleared
                    found = cursor.get(True)
                    if found is None:
                        self._expect(_E.NOREC, "cursor get")
                        return
                    line = found[1]
                    offset, end = end, end + len(line) + 1
                    if line[:1] != b"+":
                        continue
                    identity, spelling, value = line[1:].split(b"\t", 2)
                    entry = self.index.get(identity.decode("ascii"))
                    if entry is None or entry[0] != offset:
                        continue  # deleted, or inserted again later
                    if entry[1] != entry[0]:
                        value = self._line_at(entry[1]).split(b"\t", 1)[1]
                yield identity, spelling or None, value
        finally:
            with self.lock:
                self.iterating -= 1
            cursor.disable()

    def _records_backward(self) -> Iterator[tuple[bytes, bytes | None, bytes]]:
        # The text database has no backward cursor: walk the index backwards,
        # from a snapshot of its keys and insert offsets.
        with self.lock:
            snapshot = list(self.index.items())
            generation = self.generation
        for identity, (ins, _) in reversed(snapshot):
            with self.lock:
                if self.generation != generation:
                    return
                entry = self.index.get(identity)
                if entry is None or entry[0] != ins:
                    continue
                record = self._record(identity)
            yield record


# -- the mapping -----------------------------------------------------------------


class KyotoCabinetDict(StoreBase):
    """A mutable mapping stored in the Kyoto Cabinet database ``path``.

    ``KyotoCabinetDict(path, *args, **kwargs)``: the remaining arguments fill
    the store as ``dict(*args, **kwargs)`` would.  ``path`` must end in
    ``.kch``, ``.kct``, ``.kcd``, ``.kcf`` or ``.kcx`` (see the module doc for
    what each is), must not contain ``#`` (Kyoto Cabinet reads tuning
    parameters after it), and is created if missing.  A path that cannot be
    opened raises an ``OSError`` naming it: ``FileNotFoundError`` (no such
    folder), ``PermissionError``, ``NotADirectoryError``/``IsADirectoryError``
    (a file where a folder database belongs, or the reverse) or
    :class:`KyotoCabinetError` (a file of another format, or one another
    process holds open past ``lock_timeout``).

    Use it as a context manager or call :meth:`close`; afterwards every
    operation raises ValueError.  Another KyotoCabinetDict on the same path in
    this process shares the open database.

    Differences from dict, all of them consequences of storing JSON: values
    come back as their JSON round trip (a tuple comes back as a list), values
    JSON cannot hold raise TypeError (and nothing is written), keys are limited
    to str, int, float (not NaN), bool, None and tuples of them, a stored value
    is a copy, and ``copy()`` returns a plain dict snapshot.  Iteration order
    is the database's (sorted by :func:`tree_order_key` for B+ trees,
    insertion order for ``.kcx``, none for hash databases), ``popitem()``
    takes the last item of a B+ tree or ``.kcx`` store and the first of a hash
    one, and ``reversed()`` works except on hash databases.

    Changing the store while iterating never raises.  Keys neither written
    nor deleted during an iteration are each yielded exactly once, and no key
    is yielded twice, except on ``.kch``: there an overwrite with a longer
    value can move the record past the cursor, so that key may come again.
    (``.kcd`` walks its folder with ``readdir``, which keeps this promise for
    the entries not added or removed meanwhile.)
    """

    #: Seconds to wait for another process to close the database.
    lock_timeout = 30.0

    def __init__(self, path: str | os.PathLike[str], *args: Any, **kwargs: Any) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"KyotoCabinetDict(path, *args, **kwargs): path must be a str or path, not "
                f"{type(path).__name__}; pass initial contents after the path or as keywords"
            )
        path = os.fspath(path)
        if not isinstance(path, str):
            path = os.fsdecode(path)
        fmt = FORMATS.get(os.path.splitext(path)[1])
        if fmt is None:
            raise ValueError(f"cannot tell the Kyoto Cabinet database type of {path!r}: its name must end in {_VALID}")
        if "#" in path or "#" in os.path.realpath(path):
            raise ValueError(f"Kyoto Cabinet cannot open {path!r}: '#' in a path starts tuning parameters")
        self.path = path
        self.format = fmt
        self._engine: _Engine | None = None
        engine = _acquire(path, fmt, self.lock_timeout)
        self._engine = engine
        self._finalizer = weakref.finalize(self, _release, engine)
        if args or kwargs:
            try:
                self.update(*args, **kwargs)
            except BaseException:
                self.close()
                raise

    # -- handle ------------------------------------------------------------
    def _live(self) -> _Engine:
        engine = self._engine
        if engine is None:
            raise ValueError(f"KyotoCabinetDict({self.path!r}) is closed")
        if engine.pid != _Process.pid:
            raise RuntimeError(
                f"KyotoCabinetDict({self.path!r}) was opened in process {engine.pid}, before a fork: "
                "open the store again in this process (after the parent closed it)"
            )
        return engine

    def close(self) -> None:
        """Release this handle; the database closes with its last handle.  Every
        later operation on this handle raises ValueError."""
        self._engine = None
        finalizer = getattr(self, "_finalizer", None)
        if finalizer is not None:
            finalizer()

    @property
    def closed(self) -> bool:
        return self._engine is None

    def __enter__(self) -> "KyotoCabinetDict":
        self._live()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._engine is None else "open"
        return f"<KyotoCabinetDict path={self.path!r} ({self.format.title}) {state}>"

    # -- storage primitives (see StoreBase) --------------------------------
    def _load(self, identity: str) -> bytes | None:
        return self._live().get(identity)

    def _has(self, identity: str) -> bool:
        return self._live().contains(identity)

    def _store(self, identity: str, spelling: str | None, text: str) -> None:
        self._live().put(identity, spelling, text)

    def _remove(self, identity: str) -> bool:
        return bool(self._live().delete(identity))

    def _take(self, identity: str) -> bytes | None:
        return self._live().pop(identity)

    def _take_item(self) -> tuple[bytes, bytes | None, bytes] | None:
        """The last item in iteration order (B+ tree, ``.kcx``) or the first (hash databases)."""
        return self._live().popitem()

    def _store_absent(self, identity: str, spelling: str | None, text: str) -> bytes:
        return self._live().setdefault(identity, spelling, text)

    # -- whole store -------------------------------------------------------
    def __len__(self) -> int:
        return self._live().count()

    def clear(self) -> None:
        self._live().clear()

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """As dict.update, atomically: on any error nothing is written."""
        engine = self._live()
        merged: dict[str, tuple[str | None, str]] = {}
        for identity, spelling, text in encoded_rows(other, kwargs):
            first = merged.get(identity)
            merged[identity] = (spelling if first is None else first[0], text)
        if merged:
            engine.update([(identity, spelling, text) for identity, (spelling, text) in merged.items()])

    @classmethod
    def fromkeys(cls, path: str | os.PathLike[str], iterable: Iterable[Any], value: Any = None) -> "KyotoCabinetDict":
        """The store at ``path`` with each key of ``iterable`` set to ``value``
        (unlike dict.fromkeys, a path comes first)."""
        return cls(path, ((key, value) for key in iterable))

    # -- iteration ---------------------------------------------------------
    def _rows(self, forward: bool, values: bool = True) -> Iterator[tuple[bytes, bytes | None, bytes]]:
        """A cursor walk (see StoreBase._rows); values come with the records anyway."""
        engine = self._live()
        if not forward and not self.format.reversible:
            raise TypeError(
                f"a KyotoCabinetDict on a {self.format.title} database ({self.format.ext}) is not "
                "reversible: hash databases have no order to reverse"
            )
        return self._walk(engine, forward)

    def _walk(self, engine: _Engine, forward: bool) -> Iterator[tuple[bytes, bytes | None, bytes]]:
        records = engine.records(forward)
        try:
            for record in records:
                yield record
                self._live()  # closed meanwhile: stop before touching the cursor
        finally:
            records.close()
