"""Where a SqliteDict lives and how its connection is made: paths, URIs,
read-only files, durability pragmas, and SQLite's errors in the shared kinds.

A path is a plain file name unless URI mode is asked for: ``file:x?mode=memory``
is a file of that name in the current folder.  A relative path is made absolute
when the store opens, so a process that changes folder afterwards (or a forked
child that does) keeps using the same file.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import sqlite3
import stat
import urllib.parse
from typing import Literal

from .errors import (
    CorruptStoreError,
    ReadOnlyStoreError,
    StoreBusyError,
    StoreFullError,
)

Durability = Literal["process_crash", "power_loss"]

#: ``durability`` option -> the ``synchronous`` pragma (with WAL).  Both keep
#: every committed transaction when the process is killed; only FULL also
#: keeps it when the machine loses power (an fsync of the WAL per commit).
SYNCHRONOUS: dict[str, str] = {"process_crash": "NORMAL", "power_loss": "FULL"}


@dataclasses.dataclass(frozen=True)
class Location:
    """A resolved store location."""

    given: str  #: the path as the caller wrote it
    target: str  #: what sqlite3.connect receives (always a URI)
    private: bool  #: an in-memory (or temporary) database: one process, one handle
    read_only: bool
    folder: str | None  #: the folder of a file database

    def describe(self) -> str:
        return self.given if self.private else urllib.parse.unquote(self.target[5:].split("?", 1)[0])


def resolve(path: str, uri: bool, read_only: bool) -> Location:
    """The location ``path`` names; FileNotFoundError for a missing folder,
    IsADirectoryError for a folder, before anything is created."""
    if uri:
        return _resolve_uri(path, read_only)
    if path in ("", ":memory:"):
        if read_only:
            raise ValueError("an in-memory SqliteDict cannot be read-only: it starts empty")
        return Location(path, "file::memory:" if path else "file:", True, False, None)
    filename = os.path.abspath(path)
    folder = _check_file_path(filename)
    exists = os.path.exists(filename)
    if not read_only and exists and not os.access(filename, os.W_OK):
        read_only = True  # a file we may read but not write opens read-only
    if read_only and not exists:
        raise FileNotFoundError(errno.ENOENT, "cannot open a SqliteDict store read-only: no such file", filename)
    mode = "ro" if read_only else "rwc"
    return Location(path, f"file:{urllib.parse.quote(filename)}?mode={mode}", False, read_only, folder)


def _check_file_path(filename: str) -> str:
    """The folder of ``filename``, once both are what a store file needs."""
    folder = os.path.dirname(filename)
    try:
        folder_is_dir = stat.S_ISDIR(os.stat(folder).st_mode)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"cannot open a SqliteDict store: no folder {folder!r}", filename) from None
    except PermissionError:
        raise PermissionError(errno.EACCES, f"cannot open a SqliteDict store: no access to folder {folder!r}", filename) from None
    if not folder_is_dir:
        raise NotADirectoryError(errno.ENOTDIR, f"cannot open a SqliteDict store: {folder!r} is not a folder", filename)
    if os.path.isdir(filename):
        raise IsADirectoryError(errno.EISDIR, "cannot open a SqliteDict store: the path is a folder", filename)
    return folder


def _resolve_uri(path: str, read_only: bool) -> Location:
    if not path.startswith("file:"):
        raise ValueError(f"uri=True needs a 'file:' URI, not {path!r}")
    parts = urllib.parse.urlsplit(path)
    query = urllib.parse.parse_qs(parts.query)
    private = parts.path in ("", ":memory:") or query.get("mode") == ["memory"]
    if query.get("mode") == ["ro"]:
        read_only = True
    if private:
        return Location(path, path, True, read_only, None)
    filename = os.path.abspath(urllib.parse.unquote(parts.path))
    folder = _check_file_path(filename)
    pairs = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "mode"]
    pairs.append(("mode", "ro" if read_only else query.get("mode", ["rwc"])[0]))
    target = f"file:{urllib.parse.quote(filename)}?{urllib.parse.urlencode(pairs)}"
    return Location(path, target, False, read_only, folder)


def connect(location: Location, durability: str, timeout: float, immutable: bool = False) -> sqlite3.Connection:
    """A connection with the store's pragmas.  SQLite errors come out raw (see :func:`translate`)."""
    target = location.target + "&immutable=1" if immutable else location.target
    conn = sqlite3.connect(target, timeout=timeout, isolation_level=None, check_same_thread=False, uri=True)
    try:
        if not location.private and not location.read_only:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":
                raise sqlite3.OperationalError(f"cannot switch to WAL (journal mode stays {mode!r})")
        conn.execute(f"PRAGMA synchronous={SYNCHRONOUS[durability]}")
    except BaseException:
        conn.close()
        raise
    return conn


#: SQLite's primary result codes (the low byte of ``sqlite_errorcode``).
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 5, 6, 8, 10, 11, 13, 14, 26


#: Python 3.10's sqlite3 errors carry no code: their messages are SQLite's own
#: (sqlite3_errstr), which name the primary result code.
_MESSAGES = (
    ("readonly", _READONLY), ("unable to open", _CANTOPEN), ("not a database", _NOTADB),
    ("malformed", _CORRUPT), ("disk is full", _FULL), ("database is locked", _BUSY),
    ("table is locked", _LOCKED), ("disk i/o error", _IOERR), ("access permission denied", _PERM),
)


def error_code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code of ``exc`` (-1 when unknown)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF
    text = str(exc).lower()
    return next((code for words, code in _MESSAGES if words in text), -1)


def error_name(exc: sqlite3.Error) -> str:
    """SQLite's extended result code name (e.g. ``SQLITE_READONLY_DIRECTORY``);
    on Python 3.10, the primary code's name."""
    name = getattr(exc, "sqlite_errorname", None)
    if name is not None:
        return name
    return {_READONLY: "SQLITE_READONLY", _CANTOPEN: "SQLITE_CANTOPEN"}.get(error_code(exc), "")


def translate(exc: sqlite3.Error, where: str, opening: bool = False) -> Exception:
    """``exc`` as the shared exception kind, its message naming ``where``.

    Errors with no shared kind come back as themselves (programming errors of
    the store) unless ``opening``, where every error becomes an ``OSError``."""
    code = error_code(exc)
    if code in (_NOTADB, _CORRUPT):
        return CorruptStoreError(f"{where} is not a SqliteDict store, or is damaged: {exc}")
    if code == _READONLY:
        return ReadOnlyStoreError(f"{where} is read-only: {exc}")
    if code == _FULL:
        return StoreFullError(f"{where}: the disk is full, nothing was written: {exc}")
    if code in (_BUSY, _LOCKED):
        return StoreBusyError(f"{where}: the database stayed locked by another connection: {exc}")
    if code in (_CANTOPEN, _PERM):
        return PermissionError(errno.EACCES, f"{where}: cannot open the database file: {exc}")
    if code == _IOERR:
        return OSError(errno.EIO, f"{where}: the operating system reported an I/O error: {exc}")
    if opening:
        return OSError(f"cannot open {where}: {exc}")
    return exc
