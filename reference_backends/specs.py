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
    """SqliteDict on a fresh database file per store."""

    name = "reference_backends.SqliteDict (file)"
    distribution = "pdict"
    capabilities = {
        **JSON_STORE_CAPABILITIES,
        "ordering": "insertion",
        "popitem": "last",
        "mutation_during_iteration": "tolerated",
        "persistent": True,
        "shared_handles": True,
    }

    def new_location(self, scratch: Path) -> Path:
        return super().new_location(scratch).with_suffix(".sqlite")

    def open(self, location: Any, *args: Any, **kwargs: Any):
        from reference_backends.sqlite import SqliteDict

        return SqliteDict(str(location), "kit_store", "DEFERRED", *args, **kwargs)


class SqliteMemorySpec(SqliteSpec):
    """SqliteDict in ":memory:": nothing persists, one handle per store."""

    name = "reference_backends.SqliteDict (:memory:)"
    capabilities = {**SqliteSpec.capabilities, "persistent": False, "shared_handles": False}

    def new_location(self, scratch: Path) -> None:
        return None

    def open(self, location: Any, *args: Any, **kwargs: Any):
        from reference_backends.sqlite import SqliteDict

        return SqliteDict(":memory:", "dict", "DEFERRED", *args, **kwargs)
