"""Reference backends: dicts whose data lives in a database, certified by the kit.

``SqliteDict``, ``KyotoCabinetDict`` and ``CassandraDict`` store keys and values
as JSON (never pickle), keep no local cache and iterate on the database.
Each is imported lazily, so a missing database driver only matters to the
backend that needs it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SqliteDict", "KyotoCabinetDict", "CassandraDict"]

_WHERE = {
    "SqliteDict": "reference_backends.sqlite",
    "KyotoCabinetDict": "reference_backends.kyotocabinet",
    "CassandraDict": "reference_backends.cassandra",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'reference_backends' has no attribute {name!r}")
