"""KyotoCabinetDict against the raw kyotocabinet API, on the same database type.

Run:  .venv/bin/python benchmarks/bench_kyotocabinet.py [--n 10000] [--rounds 3] [--types kch,kct,kcd,kcf,kcx]
      [--before REV]

``--before REV`` adds KyotoCabinetDict as it was at git revision REV (its
single module ``reference_backends/kyotocabinet.py``, e.g. 702f425, before
writes were made durable), so one run compares the designs side by side.

For each database type, both contenders work on their own fresh database in
one temporary folder, in the same process, in interleaved rounds (these
machines are noisy: only ratios measured side by side in one run mean
anything).  Each figure is the median over the rounds of operations per
second; the ratio divides KyotoCabinetDict's by the raw API's.

"raw durable" is the same hand-written code on a database opened as
KyotoCabinetDict opens it, so that every acknowledged write survives a kill:
automatic transactions (``OAUTOTRAN``, with ``ONOREPAIR``) and, for the
memory-mapped types, ``#msiz=0`` (a full disk is an error, not SIGBUS); its
ratio to "raw" is what durability costs in Kyoto Cabinet itself.

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

from reference_backends.kyotocabinet import FORMATS, KyotoCabinetDict
from reference_backends.kyotocabinet.engine import Engine

TYPES = ("kch", "kct", "kcd", "kcf", "kcx")
OPS = ("set", "get", "iterate")


class Raw:
    """The hand-written baseline on one Kyoto Cabinet database; ``durable``: opened
    as KyotoCabinetDict opens it (the format table's tuning, automatic transactions)."""

    def __init__(self, path: str, durable: bool = False):
        self.db = kc.DB()
        mode = kc.DB.OWRITER | kc.DB.OCREATE
        if durable:
            fmt = FORMATS["." + path.rsplit(".", 1)[1]]
            path += fmt.tuning
            if not fmt.log:
                mode |= Engine.open_mode
        if not self.db.open(path, mode):
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


def load_before(rev: str) -> type:
    """KyotoCabinetDict from ``reference_backends/kyotocabinet.py`` at git revision ``rev``."""
    import importlib.util
    import subprocess

    repo = Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "show", f"{rev}:reference_backends/kyotocabinet.py"], cwd=repo,
                            capture_output=True, text=True, check=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="kc-before-"))
    (folder / "kyotocabinet_before.py").write_text(source)
    spec = importlib.util.spec_from_file_location("reference_backends._kyotocabinet_before",
                                                  folder / "kyotocabinet_before.py")
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "reference_backends"
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.KyotoCabinetDict


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(kind: str, n: int, rounds: int, folder: Path, before: tuple[str, type] | None = None) -> dict[str, dict[str, list[float]]]:
    keys = [f"key-{i:07d}" for i in range(n)]
    values = [{"i": i, "name": f"value {i}", "tags": ["a", "b"]} for i in range(n)]
    lookups = random.Random(1).sample(keys, len(keys))
    makers: dict[str, Callable[[str], Any]] = {
        "raw kyotocabinet": lambda name: Raw(str(folder / f"{name}.raw.{kind}")),
        "raw durable": lambda name: Raw(str(folder / f"{name}.durable.{kind}"), durable=True),
        "KyotoCabinetDict": lambda name: KyotoCabinetDict(str(folder / f"{name}.pdict.{kind}")),
    }
    if before is not None:
        rev, old = before
        makers[f"KCDict@{rev}"] = lambda name: old(str(folder / f"{name}.before.{kind}"))
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
            if kind != "kcx" or not isinstance(store, Raw):
                ops["get"].append(n / timed(do_get))
            ops["iterate"].append(n / timed(do_iterate))
            store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="keys per store")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--types", default=",".join(TYPES), help="comma-separated database types")
    parser.add_argument("--before", metavar="REV", help="also time KyotoCabinetDict as of this git revision")
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
    before = (args.before, load_before(args.before)) if args.before else None
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            results = run(kind, args.n, args.rounds, Path(tmp), before)
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
