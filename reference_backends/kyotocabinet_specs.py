"""Backend specs that certify KyotoCabinetDict with the kit, one per database type.

Registered as ``pdict_conformance.backends`` entry points ``kyotocabinet-kch``,
``-kct``, ``-kcd``, ``-kcf`` and ``-kcx``, so that
``pytest --pdict-backend=kyotocabinet-kct`` certifies KyotoCabinetDict on a
fresh file B+ tree per store.

What each declares, and why (checked against Kyoto Cabinet 1.2.79):

* ordering: B+ trees keep records sorted by key bytes (``memcmp``), so
  ``sorted`` by :func:`~reference_backends.kyotocabinet.tree_order_key`; hash
  databases walk file offsets or a folder's ``readdir`` order, so ``none``;
  the ``.kcx`` log replays into insertion order.
* popitem: a cursor ``seize`` at the end a cursor can reach: the last record
  of a B+ tree (``jump_back``), the last inserted key of a ``.kcx`` log.  A
  hash database seizes its first record in iteration order (it cannot jump
  back); with no order promised that is declared ``any``.
* reversed: only B+ trees have ``jump_back``/``step_back`` (hash cursors
  answer "not implemented"); ``.kcx`` walks its index backwards.
* mutation_during_iteration: B+ tree cursors keep their place by key, a
  ``.kcd`` cursor is a directory stream, a ``.kcx`` walk stops at the end the
  file had when it began: each yields every untouched key once and no key
  twice (``tolerated``).  A ``.kch`` cursor walks file offsets, and an
  overwrite with a longer value moves the record to a free block or the end
  of the file, where the cursor meets it again: ``undefined``.

Every type declares the same durability promises, each backed by a test in
``tests/test_kyotocabinet_durability.py``:

* crash_durability ``acknowledged``: the native types write with automatic
  transactions (a killed write is rolled back at the next open), ``.kcx``
  appends one line per change and cuts off an incomplete last one;
* processes ``exclusive``: one process at a time (a BSD ``flock`` on the file
  that closing other descriptors cannot drop); a second one gets
  StoreBusyError after ``lock_timeout`` seconds;
* thread_safe ``True`` and atomic_rmw ``threads``: writes are serialised by a
  lock per open database, read-modify-writes are single Kyoto Cabinet calls
  (``add``, ``seize``, cursor ``seize``) under it; no other process can race
  (exclusive);
* after_fork ``raises``: a handle opened before ``fork()`` raises
  RuntimeError in the child;
* update_atomic ``True``: ``update`` encodes every item first, then writes
  them in one transaction (``.kcx``: one append between ``{`` and ``}``).

Everything that differs between the types comes from the one format table,
:data:`reference_backends.kyotocabinet.formats.FORMATS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pdict_conformance import BackendSpec

from .kyotocabinet.formats import FORMATS, Format
from .specs import JSON_STORE_CAPABILITIES

#: What every Kyoto Cabinet type promises about durability and concurrency.
DURABILITY: dict[str, Any] = {
    "crash_durability": "acknowledged",
    "processes": "exclusive",
    "thread_safe": True,
    "atomic_rmw": "threads",
    "after_fork": "raises",
    "update_atomic": True,
}


def kyoto_capabilities(fmt: Format) -> dict[str, Any]:
    """One database type's declaration, from its row of the format table: its
    ordering decides popitem and reversed (a type with an order pops its last
    item and walks backwards; a hash type neither)."""
    return {
        **JSON_STORE_CAPABILITIES,
        **DURABILITY,
        "persistent": True,
        "shared_handles": True,
        "ordering": fmt.ordering,
        "popitem": "last" if fmt.reversible else "any",
        "reversed": fmt.reversible,
        "mutation_during_iteration": fmt.mutation_during_iteration,
    }


class _KyotoSpec(BackendSpec):
    """KyotoCabinetDict on a fresh database of one type per store."""

    distribution = "pdict"
    format: ClassVar[Format]

    def start(self, services: Any) -> None:
        # Fail once, with the install hint, if the binding is missing.
        import reference_backends.kyotocabinet.binding  # noqa: F401

    def new_location(self, scratch: Path) -> Path:
        return scratch / f"store-{next(self._counter)}{self.format.ext}"

    def open(self, location: Any, *args: Any, **kwargs: Any):
        from reference_backends.kyotocabinet import KyotoCabinetDict

        return KyotoCabinetDict(location, *args, **kwargs)

    def fromkeys(self, location: Any, keys: Any, value: Any = None):
        from reference_backends.kyotocabinet import KyotoCabinetDict

        return KyotoCabinetDict.fromkeys(keys, value, location)

    def order_key(self, key: Any) -> Any:
        if self.format.ordering != "sorted":
            return super().order_key(key)
        from reference_backends.kyotocabinet import tree_order_key

        return tree_order_key(key)


def kyoto_spec(ext: str, class_name: str) -> type[_KyotoSpec]:
    """The spec class of the type ``ext``, everything derived from its row of FORMATS."""
    fmt = FORMATS[ext]
    title = "plain text log" if fmt.log else fmt.title
    return type(class_name, (_KyotoSpec,), {
        "__doc__": f"KyotoCabinetDict on a {title} database ({ext}).",
        "__module__": __name__,
        "__qualname__": class_name,
        "name": f"reference_backends.KyotoCabinetDict ({ext} {title})",
        "format": fmt,
        "capabilities": kyoto_capabilities(fmt),
    })


KyotoHashSpec = kyoto_spec(".kch", "KyotoHashSpec")
KyotoTreeSpec = kyoto_spec(".kct", "KyotoTreeSpec")
KyotoDirHashSpec = kyoto_spec(".kcd", "KyotoDirHashSpec")
KyotoDirTreeSpec = kyoto_spec(".kcf", "KyotoDirTreeSpec")
KyotoTextSpec = kyoto_spec(".kcx", "KyotoTextSpec")
