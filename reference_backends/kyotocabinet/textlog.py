"""The ``.kcx`` plain text database, kept as KyotoCabinetDict's append-only log.

Kyoto Cabinet's plain text database can only append lines and read them back
by file offset (it cannot look a key up, change or delete a line), so the
store is a log of lines::

    +identity<TAB>spelling<TAB>value    insert (spelling empty when it is the identity)
    =identity<TAB>value                 overwrite
    -identity                           delete
    {  ...  }                           the lines of one update(), applied together

Opening it replays the log into an in-memory index holding, per key, the
offsets of its insert line and of its current value, never a value: values
are always read from the file.  Replay validates every line (its kind, that
its key decodes and is spelled as this store spells it, that its value is
JSON, that it inserts an absent key or changes a present one): anything else
raises :class:`~reference_backends.errors.CorruptStoreError` naming the file
and the line's byte offset.  Only the end of the log may be incomplete, as a
process killed while appending leaves it: a last line without its newline, or
an update without its ``}``; replay cuts it off (it was never acknowledged).

An append that fails (a full disk) is cut back at once: the database is
closed, the file truncated to where the append began, and reopened, so no
torn line is left for the next append to complete.  The process never opens
the file a second time; it reads and truncates it through the descriptor that
holds its lock (see :mod:`.handles`).

When dead lines outnumber live ones the log is compacted in place (through a
``<path>-compact`` copy that a crash leaves behind and the next open finishes).
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator

from ..codec import decode_key, decode_value, lookup_identity
from ..errors import CorruptStoreError, ReadOnlyStoreError
from .binding import DB, E
from .engine import Engine, KyotoCabinetError
from .formats import Format

__all__ = ["TextEngine"]

_CHUNK = 1 << 20


class TextEngine(Engine):
    """A ``.kcx`` plain text database kept as an append-only log (see the module doc)."""

    open_mode = DB.OWRITER | DB.OCREATE | DB.OTRYLOCK
    failed_write = "nothing of this write was kept (the log was cut back)"

    #: Compact when dead lines exceed both the live ones and this many.
    compact_after = 4096

    def __init__(self, path: str, fmt: Format, lock_timeout: float):
        super().__init__(path, fmt, lock_timeout)
        self.lock_timeout = lock_timeout
        self.index: dict[str, tuple[int, int]] = {}  # identity -> (insert offset, value offset)
        self.lines = 0  # lines in the file
        self.live = 0  # lines the index points at
        self.iterating = 0  # live forward iterations (no compaction meanwhile)
        self.generation = 0  # bumped by clear() and compaction
        self.reader = self.db.cursor()
        try:
            if not self._finish_compaction():
                self._replay()
        except BaseException:
            self.shut()
            raise

    def shut(self) -> None:
        if self.db is not None:
            self.reader.disable()
        super().shut()

    # -- the log -----------------------------------------------------------
    def _lines(self) -> Iterator[tuple[int, bytes]]:
        """``(offset, line)`` of every complete line, read through the lock descriptor."""
        offset = 0
        pending = b""
        while True:
            chunk = os.pread(self.lock_fd, _CHUNK, offset + len(pending))
            if not chunk:
                return
            data = pending + chunk
            start = 0
            while True:
                stop = data.find(b"\n", start)
                if stop < 0:
                    break
                yield offset + start, data[start:stop]
                start = stop + 1
            offset += start
            pending = data[start:]

    def _corrupt(self, offset: int, reason: str) -> CorruptStoreError:
        return CorruptStoreError(
            errno.EINVAL,
            f"cannot open Kyoto Cabinet plain text database (.kcx): not a KyotoCabinetDict log "
            f"(the line at byte {offset} {reason})",
            self.path,
        )

    def _replay(self) -> None:
        """Build the index from the file, validating every line; cut off an
        incomplete end (a killed append)."""
        self.index.clear()
        self.lines = 0
        batch: list[tuple[int, bytes]] | None = None
        good_end = 0  # where the last complete line (outside an update) ends
        batch_start = 0
        for offset, line in self._lines():
            kind = line[:1]
            if line == b"{":
                if batch is not None:
                    raise self._corrupt(offset, "opens an update inside another")
                batch, batch_start = [], offset
                continue
            if line == b"}":
                if batch is None:
                    raise self._corrupt(offset, "closes an update never opened")
                for item in batch:
                    self._apply(*item)
                self.lines += len(batch) + 2
                batch = None
                good_end = offset + 2
                continue
            if kind not in (b"+", b"=", b"-") or len(line) < 2:
                raise self._corrupt(offset, f"is not a record: {line[:40]!r}")
            if batch is None:
                self._apply(offset, line)
                self.lines += 1
                good_end = offset + len(line) + 1
            else:
                batch.append((offset, line))
        self.live = sum(1 if ins == val else 2 for ins, val in self.index.values())
        size = os.fstat(self.lock_fd).st_size
        if batch is not None:
            good_end = batch_start
        if size != good_end and self.writable:  # read-only: the index already leaves it out
            self._cut(good_end)

    def _apply(self, offset: int, line: bytes) -> None:
        """Validate one record line and apply it to the index."""
        kind, index = line[:1], self.index
        try:
            if kind == b"-":
                identity = line[1:].decode("ascii")
                if identity not in index:
                    raise ValueError("deletes a key that is not there")
                del index[identity]
                return
            if kind == b"+":
                identity_b, spelling, value = line[1:].split(b"\t", 2)
                key = decode_key(identity_b, spelling or None)
            else:
                identity_b, value = line[1:].split(b"\t", 1)
                key = decode_key(identity_b, None)
            identity = identity_b.decode("ascii")
            if lookup_identity(key) != identity:
                raise ValueError(f"{identity!r} is not how the store spells the key {key!r}")
            decode_value(value)
        except ValueError as exc:  # UnicodeDecodeError and JSON errors included
            raise self._corrupt(offset, f"is not a valid record ({exc}): {line[:60]!r}") from None
        except Exception as exc:  # the codec refused the key
            raise self._corrupt(offset, f"is not a valid record ({type(exc).__name__}: {exc}): {line[:60]!r}") from None
        if kind == b"+":
            if identity in index:
                raise self._corrupt(offset, f"inserts the key {identity} that is already there")
            index[identity] = (offset, offset)
        else:
            entry = index.get(identity)
            if entry is None:
                raise self._corrupt(offset, f"overwrites the key {identity} that is not there")
            index[identity] = (entry[0], offset)

    def _recover(self) -> None:
        """A failed append is cut back by _append itself."""

    def _cut(self, size: int) -> None:
        """Truncate the log to ``size`` bytes: close the database, cut the file
        through the lock descriptor, and open it again."""
        self.reader.disable()
        db, self.db = self.db, None
        db.close()
        os.ftruncate(self.lock_fd, size)
        busy = f"cannot reopen {self.path!r} after cutting it back: another process took it"
        self.db = self._open_db(time.monotonic() + self.lock_timeout, busy)
        self.reader = self.db.cursor()

    def _append(self, text: str) -> int:
        """Append ``text`` and a newline; the offset it starts at.  A failed
        append is cut back (nothing of it stays) and raises."""
        self._room(len(text))
        offset = self.db.size()
        if offset < 0:
            raise self._error("size")
        if not self.db.set("", text):
            error = self._error("append", size=len(text))
            self._cut(offset)
            raise error
        return offset

    def _compact(self) -> None:
        """Rewrite the file with one line per key, through a ``-compact`` copy.
        A copy that does not fit on the disk is dropped: the log stays as it is."""
        temp = os.path.realpath(self.path) + "-compact"
        try:
            with open(temp, "wb") as out:
                for identity in self.index:
                    identity_bytes, spelling, value = self._record(identity)
                    out.write(b"+%s\t%s\t%s\n" % (identity_bytes, spelling or b"", value))
                out.write(b".\n")
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            os.unlink(temp)
            return
        self._finish_compaction()

    def _finish_compaction(self) -> bool:
        """Copy a complete ``-compact`` file over the log (again, after a crash);
        True if it did (and replayed the new log)."""
        temp = os.path.realpath(self.path) + "-compact"
        try:
            with open(temp, "rb") as source:
                data = source.read()
        except FileNotFoundError:
            return False
        done = data.endswith(b"\n.\n") or data == b".\n"
        if not self.writable:
            raise ReadOnlyStoreError(
                errno.EROFS,
                f"cannot open Kyoto Cabinet plain text database (.kcx) read-only: an interrupted "
                f"compaction ({temp}) must be finished first, which needs write access",
                self.path,
            )
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

    def _line_at(self, offset: int) -> bytes:
        reader = self.reader
        if not reader.jump(str(offset)):
            raise self._error("cursor jump")
        found = reader.get(False)
        if found is None:
            raise self._error("cursor get")
        return found[1]

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

    def setdefault(self, identity: str, spelling: str | None, text: str) -> bytes | None:
        """Store if absent: None when stored, else the value stored already."""
        with self.lock:
            value = self._value(identity)
            if value is None:
                self.put(identity, spelling, text)
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
            self._refuse_if_read_only()
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
                self._expect(E.NOREC, "cursor jump")
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
                        self._expect(E.NOREC, "cursor get")
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
