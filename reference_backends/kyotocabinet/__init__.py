"""KyotoCabinetDict: a dict whose data lives in a Kyoto Cabinet database.

Every change is in the database file when the call returns (no local cache
of values, and it survives the process being killed), keys and values are
stored as JSON (see :mod:`reference_backends.codec`), and iteration runs on a
Kyoto Cabinet cursor, so a store far larger than RAM iterates in flat memory.

The file extension selects the database type, as Kyoto Cabinet does; the
facts of each type are one table, :data:`.formats.FORMATS`:

======  =====================  ========  ===========  ========  =================
ext     type                   order     popitem      reversed  change while iter
======  =====================  ========  ===========  ========  =================
.kch    file hash              none      first        no        undefined
.kct    file B+ tree           sorted    last         yes       tolerated
.kcd    directory hash         none      first        no        tolerated
.kcf    directory B+ tree      sorted    last         yes       tolerated
.kcx    plain text (a log)     insertion last         yes       tolerated
======  =====================  ========  ===========  ========  =================

Modules, one job each: :mod:`.formats` (the table, and the B+ tree order),
:mod:`.binding` (the Kyoto Cabinet binding), :mod:`.handles` (one engine per
file identity in a process, the cross-process lock, fork), :mod:`.engine`
(the four native types, with automatic transactions), :mod:`.textlog` (the
``.kcx`` log) and :mod:`.mapping` (KyotoCabinetDict itself).

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

Durability: the native types open with automatic transactions, so a write
is in the file when it returns and a killed write is rolled back at the next
open (the file types' write-ahead log is cut back after each write, see
:mod:`.walfile`); ``.kcx`` appends each change as one line (see :mod:`.textlog`).  The
memory-mapped types (``.kch``, ``.kct``) open with ``#msiz=0``, so a full disk
raises :class:`~reference_backends.errors.StoreFullError` instead of killing
the process with SIGBUS.  Neither survives a power loss (no ``fsync``).

Concurrency: one process at a time opens a database; a second one gets
:class:`~reference_backends.errors.StoreBusyError` after ``lock_timeout``
seconds.  A database this process may not change (a read-only file system, no
write access to it or its folder) opens to read, by several processes at once,
and every write raises :class:`~reference_backends.errors.ReadOnlyStoreError`.  Within a process, every KyotoCabinetDict on the same file (by
device and inode) shares one open database, reference counted: closing one
handle leaves the others working, and never drops the lock (see
:mod:`.handles`).  Threads may share a store: single-record calls are Kyoto
Cabinet's atomic ones (``add``, ``cas``, ``seize``, cursor ``seize``), writes
are serialised by a lock per database, and ``update`` is one transaction
(``.kcx``: one append).  The binding is used without ``GCONCURRENT``, so it
holds the GIL through each call.  A forked child cannot use a database its
parent opened (RuntimeError).

Importing this package does not need the binding; using KyotoCabinetDict does.
"""

from __future__ import annotations

from typing import Any

from .formats import FORMATS, Format, tree_order_key

__all__ = ["KyotoCabinetDict", "KyotoCabinetError", "FORMATS", "Format", "tree_order_key"]


def __getattr__(name: str) -> Any:
    if name == "KyotoCabinetDict":
        from .mapping import KyotoCabinetDict

        return KyotoCabinetDict
    if name == "KyotoCabinetError":
        from .engine import KyotoCabinetError

        return KyotoCabinetError
    raise AttributeError(f"module 'reference_backends.kyotocabinet' has no attribute {name!r}")
