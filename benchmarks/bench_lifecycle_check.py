"""What StoreBase's closed-handle check (and the codec's stricter decoding) costs
SqliteDict: this tree against a baseline revision, side by side in one process.

Run:  .venv/bin/python benchmarks/bench_lifecycle_check.py [--baseline 702f425] [--n 20000] [--rounds 15]

The baseline's ``reference_backends`` is taken from git (``git archive``) into
a temporary folder and imported under another name, so both run in the same
interpreter, interleaved, on in-memory stores.  Times are CPU time of this
process (``time.process_time``; wall time on a shared machine mostly measures
the neighbours), the best of the rounds per operation; the ratio is this
tree's time over the baseline's.
"""

from __future__ import annotations

import argparse
import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from reference_backends.sqlite import SqliteDict

ROOT = Path(__file__).resolve().parent.parent


def baseline_class(revision: str, folder: Path) -> type:
    archive = subprocess.run(["git", "archive", revision, "reference_backends"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "reference_backends").rename(folder / "baseline_backends")
    sys.path.insert(0, str(folder))
    return importlib.import_module("baseline_backends.sqlite").SqliteDict


def measure(cls: type, n: int) -> dict[str, float]:
    d = cls()
    d.update((f"k{i}", i) for i in range(1000))
    d.update(((i, 0.5), i) for i in range(1000))
    times = {}

    def timed(name: str, count: int, work) -> None:
        start = time.process_time()
        work()
        times[name] = (time.process_time() - start) / count

    timed("d[k]", n, lambda: [d["k5"] for _ in range(n)])
    timed("k in d", n, lambda: ["k5" in d for _ in range(n)])
    timed("d[k] = v", n, lambda: [d.__setitem__("k5", i) for i in range(n)])
    timed("len(d)", n, lambda: [len(d) for _ in range(n)])
    rounds = max(1, n // 2000)
    timed("items() per row", rounds * 2000, lambda: [sum(1 for _ in d.items()) for _ in range(rounds)])
    d.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="702f425")
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        baseline = baseline_class(args.baseline, Path(tmp))
        best: dict[str, dict[str, float]] = {"baseline": {}, "this tree": {}}
        for _ in range(args.rounds):
            for name, cls in (("baseline", baseline), ("this tree", SqliteDict)):
                for op, t in measure(cls, args.n).items():
                    best[name][op] = min(t, best[name].get(op, t))
    print(f"SqliteDict (:memory:) CPU time per operation, best of {args.rounds} rounds; baseline {args.baseline}")
    print(f"{'operation':18s} {'baseline':>10s} {'this tree':>10s} {'ratio':>7s}")
    for op, base in best["baseline"].items():
        new = best["this tree"][op]
        print(f"{op:18s} {base * 1e9:8.0f}ns {new * 1e9:8.0f}ns {new / base:7.3f}")


if __name__ == "__main__":
    main()
