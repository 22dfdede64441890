"""Kyoto Cabinet's write-ahead log, cut back to one page between writes.

A file database (``.kch``, ``.kct``) opened with transactions logs the old
bytes of every region a transaction overwrites to ``<path>.wal``, each as a
message (offset, size, bytes), and at the next open writes them back: that is
how a write killed half-way is rolled back.  At commit Kyoto Cabinet 1.2.79
zero-fills a log of up to 16 KiB instead of truncating it, and when it reads
the log back it takes a message whose body runs on into those zeros as whole.
So a process killed while appending a message (its body half written) leaves a
log whose "old bytes" are half zeros, and the next open writes them over
records that were never touched: the database no longer opens ("invalid magic
data of a record"; measured with the raw binding, set-only writers on a
B+ tree killed at random: 4 of 376 kills, 12 of 352 with one explicit
transaction per write).

Cutting the log back to one memory page after every committed write leaves
no zeros for a torn message to run into: a write to a file is cut short by a
kill only between pages (the kernel copies it page by page and checks for a
fatal signal before each page), so a message within the first page is never
torn, and a torn message that goes past it ends the file, which Kyoto Cabinet
recognises as cut short and skips (its write to the database had not started)
while it rolls back the rest (0 of 600 kills).  Cutting to one page rather
than to nothing spares the truncation whenever a transaction logged less (a
hash database's small records); ``python -m benchmarks.bench_kyotocabinet``
shows what the truncation costs a write.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["PAGE", "WriteAheadLog", "WriteScope"]

#: The unit in which a kill can cut a write to a file short.
PAGE = os.sysconf("SC_PAGE_SIZE")


class WriteAheadLog:
    """The log of one open database, cut back by :meth:`empty` after each write.

    Holds a descriptor of the log once Kyoto Cabinet has made it (at the first
    transaction); :meth:`forget` drops it when Kyoto Cabinet closes the
    database, which deletes that log (a reopen makes a new one).
    """

    def __init__(self, database_path: str):
        self.path = os.path.realpath(database_path) + ".wal"
        self.fd: int | None = None

    def empty(self) -> None:
        """Cut the log back to at most one page; call with no transaction open.
        (Kyoto Cabinet has zeroed what its last transaction logged.)"""
        if self.fd is None:
            try:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CLOEXEC)
            except FileNotFoundError:
                return  # no transaction yet: nothing logged
        if os.fstat(self.fd).st_size > PAGE:
            os.ftruncate(self.fd, PAGE)

    def forget(self) -> None:
        """Close the descriptor (the database was closed, so its log is gone)."""
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)


class WriteScope:
    """What ``with engine._writing(size) as db:`` enters, the engine's lock
    already held: the engine's database; leaving cuts the engine's log back
    (when it has one) and releases the lock.  One per engine, reused by every
    write: a generator-based context manager cost a tenth of a small set."""

    __slots__ = ("engine",)

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def __enter__(self) -> Any:
        return self.engine.db

    def __exit__(self, *exc: object) -> None:
        engine = self.engine
        try:
            if engine.wal is not None:
                engine.wal.empty()
        finally:
            engine.lock.release()
