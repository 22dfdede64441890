"""SqliteDict against raw sqlite3 (same settings), sqlitedict and diskcache.Index.

Run:  .venv/bin/python benchmarks/bench_sqlite.py [--n 20000] [--rounds 3]

Every contender works on its own fresh file in one temporary folder, in the
same process, in interleaved rounds (these machines are noisy: only ratios
measured side by side in one run mean anything).  Each figure is the median
over the rounds of operations per second; the ratio column divides by raw
sqlite3's.

"raw sqlite3" is what an application would write by hand with the settings
SqliteDict uses: WAL, synchronous=NORMAL, autocommit (one transaction per
write), a ``key TEXT PRIMARY KEY, value TEXT`` table, JSON-encoded values.
sqlitedict is run with autocommit=True (its writes go through a background
thread and pickle); diskcache.Index pickles too.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reference_backends import SqliteDict


class RawSqlite:
    """The hand-written baseline: the same pragmas and one statement per operation."""

    def __init__(self, path: str):
        self.conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS t (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    def __setitem__(self, key: str, value: Any) -> None:
        self.conn.execute("INSERT OR REPLACE INTO t (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def __getitem__(self, key: str) -> Any:
        row = self.conn.execute("SELECT value FROM t WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return json.loads(row[0])

    def __iter__(self):
        for (key,) in self.conn.execute("SELECT key FROM t"):
            yield key

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM t").fetchone()[0]

    def close(self) -> None:
        self.conn.close()


def contenders(folder: Path) -> dict[str, Callable[[str], Any]]:
    made: dict[str, Callable[[str], Any]] = {
        "raw sqlite3": lambda name: RawSqlite(str(folder / f"{name}.raw.db")),
        "SqliteDict": lambda name: SqliteDict(str(folder / f"{name}.pdict.db")),
    }
    try:
        import sqlitedict

        made["sqlitedict"] = lambda name: sqlitedict.SqliteDict(str(folder / f"{name}.sd.db"), autocommit=True)
    except ImportError:
        pass
    try:
        import diskcache

        made["diskcache.Index"] = lambda name: diskcache.Index(str(folder / f"{name}.dc"))
    except ImportError:
        pass
    return made


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(n: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    keys = [f"key-{i:07d}" for i in range(n)]
    values = [{"i": i, "name": f"value {i}", "tags": ["a", "b"]} for i in range(n)]
    lookups = random.Random(1).sample(keys, len(keys))
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        makers = contenders(folder)
        for r in range(rounds):
            order = list(makers.items())
            random.Random(r).shuffle(order)
            for name, make in order:
                store = make(f"r{r}")
                ops = results.setdefault(name, {"set": [], "get": [], "iterate": [], "len": []})

                def do_set() -> None:
                    for k, v in zip(keys, values):
                        store[k] = v
                    if hasattr(store, "commit"):
                        store.commit()  # sqlitedict: wait for its writer thread

                def do_get() -> None:
                    for k in lookups:
                        store[k]

                def do_iterate() -> None:
                    count = sum(1 for _ in store)
                    assert count == n, (name, count)

                def do_len() -> None:
                    for _ in range(200):
                        assert len(store) == n

                ops["set"].append(n / timed(do_set))
                ops["get"].append(n / timed(do_get))
                ops["iterate"].append(n / timed(do_iterate))
                ops["len"].append(200 / timed(do_len))
                close = getattr(store, "close", None)
                if close:
                    close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="keys per store")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = run(args.n, args.rounds)
    base = {op: statistics.median(v) for op, v in results["raw sqlite3"].items()}
    print(f"n={args.n} keys, {args.rounds} interleaved rounds, median ops/s (ratio to raw sqlite3)")
    print(f"{'':18}" + "".join(f"{op:>22}" for op in base))
    for name, ops in results.items():
        cells = []
        for op, samples in ops.items():
            m = statistics.median(samples)
            cells.append(f"{m:>12,.0f} ({m / base[op]:5.2f}x)")
        print(f"{name:18}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
