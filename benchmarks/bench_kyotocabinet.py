"""KyotoCabinetDict against the raw kyotocabinet API, on the same database type.

Run:  .venv/bin/python benchmarks/bench_kyotocabinet.py [--n 10000] [--rounds 3] [--types kch,kct,kcd,kcf,kcx]

For each database type, both contenders work on their own fresh database in
one temporary folder, in the same process, in interleaved rounds (these
machines are noisy: only ratios measured side by side in one run mean
anything).  Each figure is the median over the rounds of operations per
second; the ratio divides KyotoCabinetDict's by the raw API's.

"raw" is what an application would write by hand: ``db.set(key,
json.dumps(value))``, ``json.loads(db.get(key))`` (a missing record checked
for None), and a cursor walk of ``cursor.get_key(True)``.  KyotoCabinetDict
also encodes each key as JSON, keeps the first spelling of numeric keys,
raises KeyError, and iterates on ``cursor.get(True)`` (the record holds the
key's spelling).  A ``.kcx`` plain text database cannot look a key up, so its
raw ``get`` column is empty; its raw ``set`` is a bare append.
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kyotocabinet as kc

from reference_backends.kyotocabinet import KyotoCabinetDict

TYPES = ("kch", "kct", "kcd", "kcf", "kcx")
OPS = ("set", "get", "iterate")


class Raw:
    """The hand-written baseline on one Kyoto Cabinet database."""

    def __init__(self, path: str):
        self.db = kc.DB()
        if not self.db.open(path, kc.DB.OWRITER | kc.DB.OCREATE):
            raise RuntimeError(f"cannot open {path}: {self.db.error()}")

    def __setitem__(self, key: str, value: Any) -> None:
        if not self.db.set(key, json.dumps(value)):
            raise RuntimeError(str(self.db.error()))

    def __getitem__(self, key: str) -> Any:
        found = self.db.get(key)
        if found is None:
            raise KeyError(key)
        return json.loads(found)

    def __iter__(self):
        cursor = self.db.cursor()
        try:
            if cursor.jump():
                while True:
                    key = cursor.get_key(True)
                    if key is None:
                        return
                    yield key
        finally:
            cursor.disable()

    def close(self) -> None:
        self.db.close()


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(kind: str, n: int, rounds: int, folder: Path) -> dict[str, dict[str, list[float]]]:
    keys = [f"key-{i:07d}" for i in range(n)]
    values = [{"i": i, "name": f"value {i}", "tags": ["a", "b"]} for i in range(n)]
    lookups = random.Random(1).sample(keys, len(keys))
    makers: dict[str, Callable[[str], Any]] = {
        "raw kyotocabinet": lambda name: Raw(str(folder / f"{name}.raw.{kind}")),
        "KyotoCabinetDict": lambda name: KyotoCabinetDict(str(folder / f"{name}.pdict.{kind}")),
    }
    results: dict[str, dict[str, list[float]]] = {}
    for r in range(rounds):
        order = list(makers.items())
        random.Random(r).shuffle(order)
        for name, make in order:
            store = make(f"{kind}-r{r}")
            ops = results.setdefault(name, {op: [] for op in OPS})

            def do_set() -> None:
                for k, v in zip(keys, values):
                    store[k] = v

            def do_get() -> None:
                for k in lookups:
                    store[k]

            def do_iterate() -> None:
                count = sum(1 for _ in store)
                assert count == n, (name, kind, count)

            ops["set"].append(n / timed(do_set))
            if kind != "kcx" or isinstance(store, KyotoCabinetDict):
                ops["get"].append(n / timed(do_get))
            ops["iterate"].append(n / timed(do_iterate))
            store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="keys per store")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--types", default=",".join(TYPES), help="comma-separated database types")
    args = parser.parse_args()
    kinds = [t.strip().lstrip(".") for t in args.types.split(",") if t.strip()]
    for kind in kinds:
        if kind not in TYPES:
            parser.error(f"unknown type {kind!r}; choose from {', '.join(TYPES)}")
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    print(f"$ {command}")
    print(f"n={args.n} keys, {args.rounds} interleaved rounds, kyotocabinet {kc.VERSION}; "
          "median ops/s, (ratio KyotoCabinetDict / raw)")
    print(f"{'type':6}{'contender':18}" + "".join(f"{op:>24}" for op in OPS))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            results = run(kind, args.n, args.rounds, Path(tmp))
            raw = results["raw kyotocabinet"]
            for name, ops in results.items():
                cells = []
                for op in OPS:
                    if not ops[op]:
                        cells.append("n/a")
                        continue
                    m = statistics.median(ops[op])
                    ratio = f"({m / statistics.median(raw[op]):5.2f}x)" if raw[op] and name != "raw kyotocabinet" else ""
                    cells.append(f"{m:>12,.0f} {ratio:>9}")
                print(f"{'.' + kind:6}{name:18}" + "".join(f"{c:>24}" for c in cells))
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
