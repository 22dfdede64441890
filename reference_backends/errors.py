"""The exceptions every reference backend raises, one kind per situation.

A caller handles a situation the same way whichever backend it uses: each
class below is raised by SqliteDict, KyotoCabinetDict and CassandraDict alike,
and its message names the store (its path, or keyspace and table).  They
subclass the builtin exception a Python programmer would already catch there.

=====================================  =========================================
situation                              exception
=====================================  =========================================
the folder of the path does not exist  ``FileNotFoundError`` (builtin)
the path is a folder                   ``IsADirectoryError`` (builtin)
the file is not a store, or is damaged :class:`CorruptStoreError`
a table name that may not be used      :class:`InvalidNameError`
a table that exists with another       :class:`IncompatibleStoreError`
schema, or carries objects the store
did not create
another process holds an exclusive     :class:`StoreBusyError`
store open
the disk is full                       :class:`StoreFullError`
a write on a store opened read-only    :class:`ReadOnlyStoreError`
any operation on a closed handle       :class:`StoreClosedError`
a store opened before ``os.fork()``    :class:`StoreForkedError`
used in the child where it cannot
follow (an in-memory store), or its
reconnection failed
a stored row that cannot be decoded    :class:`CorruptStoreError`
=====================================  =========================================
"""

from __future__ import annotations

import errno


class CorruptStoreError(OSError):
    """The location holds something that is not a valid store (or a damaged one)."""


class InvalidNameError(ValueError):
    """A table (or keyspace) name the backend may not use, e.g. ``sqlite_master``."""


class IncompatibleStoreError(OSError):
    """The location holds a table of the same name that this backend did not make,
    or one that carries triggers or views it did not create."""


class StoreBusyError(OSError):
    """Another process has the store open exclusively; raised in bounded time."""


class StoreFullError(OSError):
    """The disk (or file system) is full; the operation was not applied."""

    def __init__(self, *args: object) -> None:
        if len(args) == 1:
            super().__init__(errno.ENOSPC, args[0])
        else:
            super().__init__(*args)


class ReadOnlyStoreError(PermissionError):
    """A write on a store opened read-only (or on a read-only location)."""


class StoreClosedError(ValueError):
    """An operation on a handle after ``close()`` (as files raise ValueError)."""


class StoreForkedError(RuntimeError):
    """A handle opened before ``os.fork()`` used in the child, where it cannot
    work: an in-memory store exists in the parent only, or reconnecting to the
    location failed (the cause is chained).  Never a silently empty store, never
    the parent's connection."""
