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
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pdict_conformance import BackendSpec

from .specs import JSON_STORE_CAPABILITIES

def kyoto_capabilities(ordering: str, mutation_during_iteration: str = "tolerated") -> dict[str, Any]:
    """One database type's declaration: its ordering decides popitem and reversed
    (a type with an order pops its last item and walks backwards; a hash type neither)."""
    ordered = ordering != "none"
    return {
        **JSON_STORE_CAPABILITIES,
        "persistent": True,
        "shared_handles": True,
        "ordering": ordering,
        "popitem": "last" if ordered else "any",
        "reversed": ordered,
        "mutation_during_iteration": mutation_during_iteration,
    }


class _KyotoSpec(BackendSpec):
    """KyotoCabinetDict on a fresh database of one type per store."""

    distribution = "pdict"
    extension: ClassVar[str] = ""

    def start(self, services: Any) -> None:
        # Fail once, with the install hint, if the binding is missing.
        import reference_backends.kyotocabinet  # noqa: F401

    def new_location(self, scratch: Path) -> Path:
        return scratch / f"store-{next(self._counter)}{self.extension}"

    def open(self, location: Any, *args: Any, **kwargs: Any):
        from reference_backends.kyotocabinet import KyotoCabinetDict

        return KyotoCabinetDict(location, *args, **kwargs)

    def fromkeys(self, location: Any, keys: Any, value: Any = None):
        from reference_backends.kyotocabinet import KyotoCabinetDict

        return KyotoCabinetDict.fromkeys(location, keys, value)


class _KyotoTreeSpec(_KyotoSpec):
    def order_key(self, key: Any) -> bytes:
        from reference_backends.kyotocabinet import tree_order_key

        return tree_order_key(key)


class KyotoHashSpec(_KyotoSpec):
    """KyotoCabinetDict on a file hash database (.kch)."""

    name = "reference_backends.KyotoCabinetDict (.kch file hash)"
    extension = ".kch"
    capabilities = kyoto_capabilities("none", mutation_during_iteration="undefined")


class KyotoTreeSpec(_KyotoTreeSpec):
    """KyotoCabinetDict on a file B+ tree database (.kct)."""

    name = "reference_backends.KyotoCabinetDict (.kct file B+ tree)"
    extension = ".kct"
    capabilities = kyoto_capabilities("sorted")


class KyotoDirHashSpec(_KyotoSpec):
    """KyotoCabinetDict on a directory hash database (.kcd)."""

    name = "reference_backends.KyotoCabinetDict (.kcd directory hash)"
    extension = ".kcd"
    capabilities = kyoto_capabilities("none")


class KyotoDirTreeSpec(_KyotoTreeSpec):
    """KyotoCabinetDict on a directory B+ tree database (.kcf)."""

    name = "reference_backends.KyotoCabinetDict (.kcf directory B+ tree)"
    extension = ".kcf"
    capabilities = kyoto_capabilities("sorted")


class KyotoTextSpec(_KyotoSpec):
    """KyotoCabinetDict on a plain text database (.kcx), kept as a log."""

    name = "reference_backends.KyotoCabinetDict (.kcx plain text log)"
    extension = ".kcx"
    capabilities = kyoto_capabilities("insertion")
