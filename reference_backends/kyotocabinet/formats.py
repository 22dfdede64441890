"""The five Kyoto Cabinet database types KyotoCabinetDict stores in: ONE table.

Everything that differs between the types is a field of :data:`FORMATS`:
the engine opens a database from it, the mapping checks ``reversed()`` with it,
and :mod:`reference_backends.kyotocabinet_specs` derives each type's kit
declaration from it.  This module does not need the Kyoto Cabinet binding.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..codec import lookup_identity

__all__ = ["Format", "FORMATS", "VALID", "tree_order_key"]


@dataclasses.dataclass(frozen=True)
class Format:
    """One database type: what its extension means and what it can do.

    ``ordering``: the iteration order (``none``, ``sorted`` by
    :func:`tree_order_key`, or ``insertion``); an ordered type pops its last
    item and walks backwards, a hash type pops its first and cannot reverse.
    ``directory``: the database is a folder (one file per record or B+ tree node).
    ``mapped``: Kyoto Cabinet would write through a memory-mapped region (a
    full disk then kills the process with SIGBUS), so it is opened with
    ``#msiz=0`` (plain ``pwrite``, whose failure is an error).
    ``log``: the plain text type, kept as KyotoCabinetDict's own append-only
    log; the other types open with automatic transactions (``OAUTOTRAN``), so
    every write is in the file (or rolled back from the write-ahead log) when
    it returns.
    ``mutation_during_iteration``: ``tolerated`` (each untouched key once, none
    twice) or ``undefined`` (``.kch``: an overwrite that grows a record moves
    it past the cursor, which meets it again).
    """

    ext: str
    title: str
    realtype: int
    directory: bool
    ordering: str
    mapped: bool
    log: bool
    mutation_during_iteration: str

    @property
    def reversible(self) -> bool:
        return self.ordering != "none"

    @property
    def file_log(self) -> bool:
        """Kyoto Cabinet keeps a write-ahead log file beside the database
        (file types; a directory type logs into a folder of its own)."""
        return not self.directory and not self.log

    @property
    def tuning(self) -> str:
        """Kyoto Cabinet's tuning suffix for the path (after ``#``)."""
        return f"#type={self.ext[1:]}" + ("#msiz=0" if self.mapped else "")

    def __repr__(self) -> str:
        return f"<{self.title} database {self.ext}>"


#: The five database types, by extension.
FORMATS: dict[str, Format] = {
    f.ext: f
    for f in (
        Format(".kch", "file hash", 0x30, directory=False, ordering="none", mapped=True, log=False,
               mutation_during_iteration="undefined"),
        Format(".kct", "file B+ tree", 0x31, directory=False, ordering="sorted", mapped=True, log=False,
               mutation_during_iteration="tolerated"),
        Format(".kcd", "directory hash", 0x40, directory=True, ordering="none", mapped=False, log=False,
               mutation_during_iteration="tolerated"),
        Format(".kcf", "directory B+ tree", 0x41, directory=True, ordering="sorted", mapped=False, log=False,
               mutation_during_iteration="tolerated"),
        Format(".kcx", "plain text", 0x50, directory=False, ordering="insertion", mapped=False, log=True,
               mutation_during_iteration="tolerated"),
    )
}

#: The valid extensions, for messages.
VALID = ", ".join(f"{ext} ({f.title})" for ext, f in FORMATS.items())


def tree_order_key(key: Any) -> bytes:
    """The bytes B+ tree stores (``.kct``, ``.kcf``) sort ``key`` by: its JSON identity."""
    identity = lookup_identity(key)
    if identity is None:
        raise TypeError(f"{key!r} cannot be a KyotoCabinetDict key")
    return identity.encode("ascii")
