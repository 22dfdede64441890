"""Backend specs that certify the reference backends with the kit.

Registered as ``pdict_conformance.backends`` entry points, so that
``pytest --pdict-backend=sqlite`` certifies SqliteDict on a fresh file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pdict_conformance import BackendSpec

#: What every JSON-storing reference backend declares.
JSON_STORE_CAPABILITIES: dict[str, Any] = {
    "key_types": {"str", "int", "float", "bool", "none", "tuple"},
    "nan_keys": "none",
    "value_types": {"none", "bool", "int", "float", "str", "list", "dict", "tuple"},
    "value_roundtrip": "json",
    "values_are_copies": True,
    "copy": "dict",
    "dict_repr": False,
}


class SqliteSpec(BackendSpec):
    """SqliteDict on a fresh database file per store.

    The durability declarations, and what makes each true:

    ``crash_durability="acknowledged"``  every write is its own committed
        transaction in WAL mode (``update()`` one transaction), so a killed
        process loses nothing it returned from; ``synchronous=NORMAL`` only
        matters for a power loss (``SqliteDict.open(durability="power_loss")``).
    ``processes="shared"``  WAL and a 30 s busy timeout; no cache, so the next
        read in any process sees every committed write.
    ``thread_safe=True``  one connection per handle behind a lock.
    ``atomic_rmw="processes"``, ``update_atomic=True``  ``pop``, ``popitem``
        and ``setdefault`` are single SQL statements, ``update`` one transaction.
    ``after_fork="works"``  the child opens its own connection on first use.
    """

    name = "reference_backends.SqliteDict (file)"
    distribution = "pdict"
    capabilities = {
        **JSON_STORE_CAPABILITIES,
        "ordering": "insertion",
        "popitem": "last",
        "mutation_during_iteration": "tolerated",
        "persistent": True,
        "shared_handles": True,
        "update_atomic": True,
        "crash_durability": "acknowledged",
        "processes": "shared",
        "thread_safe": True,
        "atomic_rmw": "processes",
        "after_fork": "works",
    }

    def new_location(self, scratch: Path) -> Path:
        return super().new_location(scratch).with_suffix(".sqlite")

    def open(self, location: Any, *args: Any, **kwargs: Any):
        from reference_backends.sqlite import SqliteDict

        return SqliteDict(str(location), "kit_store", "DEFERRED", *args, **kwargs)


class SqliteMemorySpec(SqliteSpec):
    """SqliteDict in ":memory:": nothing persists, one handle per store.

    The store lives in one process's memory: nothing survives the process
    (``crash_durability="none"``), no other process can open it
    (``processes="private"``: there is no location to open), its
    read-modify-writes are atomic between the threads sharing the handle
    (``atomic_rmw="threads"``), and in a fork child every use raises
    StoreForkedError (``after_fork="raises"``) rather than show an empty or
    diverging copy.
    """

    name = "reference_backends.SqliteDict (:memory:)"
    capabilities = {
        **SqliteSpec.capabilities,
        "persistent": False,
        "shared_handles": False,
        "crash_durability": "none",
        "processes": "private",
        "atomic_rmw": "threads",
        "after_fork": "raises",
    }

    def new_location(self, scratch: Path) -> None:
        return None

    def open(self, location: Any, *args: Any, **kwargs: Any):
        from reference_backends.sqlite import SqliteDict

        return SqliteDict(":memory:", "dict", "DEFERRED", *args, **kwargs)
