"""KyotoCabinetDict against the raw kyotocabinet API, per database type.

Run:  .venv/bin/python -m benchmarks.bench_kyotocabinet [--n 10000] [--rounds 3] [--only kch,kct]

Writes ``benchmarks/results/kyotocabinet.json``, one comparison group per
database type (``.kch``, ``.kct``, ``.kcd``, ``.kcf``, ``.kcx``).  The
baseline is the binding opened with automatic transactions (the durability
KyotoCabinetDict promises); the same without them is shown for reference.
The operations are described in :mod:`benchmarks.compare`, the contenders in
:mod:`benchmarks.stores`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/bench_kyotocabinet.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from . import compare
from .stores import KYOTO_TYPES, select


def main(argv: list[str] | None = None) -> dict[str, Any]:
    groups = {kind: select("kyotocabinet", kind) for kind in KYOTO_TYPES}
    return compare.main("benchmarks.bench_kyotocabinet", "kyotocabinet", groups, 10000, argv, __doc__.splitlines()[0])


if __name__ == "__main__":
    main(sys.argv[1:])
