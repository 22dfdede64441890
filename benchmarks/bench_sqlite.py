"""SqliteDict against raw sqlite3 with the same settings, diskcache.Index and sqlitedict.

Run:  .venv/bin/python -m benchmarks.bench_sqlite [--n 20000] [--rounds 3]

Writes ``benchmarks/results/sqlite.json``; the operations are described in
:mod:`benchmarks.compare`, the contenders and their durability settings in
:mod:`benchmarks.stores` (baseline: sqlite3 with WAL, synchronous=NORMAL,
JSON text columns, autocommit per write).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/bench_sqlite.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from . import compare
from .stores import select


def main(argv: list[str] | None = None) -> dict[str, Any]:
    return compare.main("benchmarks.bench_sqlite", "sqlite", {"": select("sqlite")}, 20000, argv, __doc__.splitlines()[0])


if __name__ == "__main__":
    main(sys.argv[1:])
