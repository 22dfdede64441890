"""The cost of SqliteDict's durability option: "process_crash" (default, WAL +
synchronous=NORMAL) against "power_loss" (WAL + synchronous=FULL, an fsync of
the WAL at every commit).

Run:  .venv/bin/python benchmarks/bench_sqlite_durability.py [--n 2000] [--rounds 3] [--folder DIR]

Both run in one process on fresh files in one folder (by default a temporary
folder: put it on the disk you care about with --folder), in interleaved
rounds; each figure is the median over the rounds, and only the ratio column
(power_loss / process_crash time) means anything across machines.  Operations:
single-key writes (one transaction each), 100-key updates (one transaction
each), and reads (no commit: no difference expected).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reference_backends import SqliteDict

DURABILITIES = ("process_crash", "power_loss")


def workloads(n: int) -> dict[str, Callable[[SqliteDict], None]]:
    def writes(d: SqliteDict) -> None:
        for i in range(n):
            d[f"k{i}"] = i

    def updates(d: SqliteDict) -> None:
        for i in range(n // 100):
            d.update((f"u{i}-{j}", j) for j in range(100))

    def reads(d: SqliteDict) -> None:
        for i in range(n):
            d.get(f"k{i}")

    return {"set (1 key, 1 commit)": writes, "update (100 keys, 1 commit)": updates, "get": reads}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        folder = Path(tmp)
        times: dict[tuple[str, str], list[float]] = {}
        for round_ in range(args.rounds):
            for durability in DURABILITIES:
                with SqliteDict.open(str(folder / f"{durability}-{round_}.db"), durability=durability) as d:
                    for name, work in workloads(args.n).items():
                        start = time.perf_counter()
                        work(d)
                        times.setdefault((name, durability), []).append(time.perf_counter() - start)
    print(f"SqliteDict durability, n={args.n}, rounds={args.rounds}: operations per second (median)")
    print(f"{'operation':30s} {'process_crash':>14s} {'power_loss':>12s} {'time ratio':>11s}")
    for name in workloads(args.n):
        normal = statistics.median(times[(name, "process_crash")])
        full = statistics.median(times[(name, "power_loss")])
        count = args.n // 100 if name.startswith("update") else args.n
        print(f"{name:30s} {count / normal:14.0f} {count / full:12.0f} {full / normal:10.2f}x")


if __name__ == "__main__":
    main()
