"""The side-by-side ratio benchmark shared by ``bench_sqlite`` and ``bench_kyotocabinet``.

Each round opens a fresh store per contender and runs the operations below
through the mapping API only.  Operations on many keys are cut into chunks
(``CHUNKS`` per operation), and the contenders take turns chunk by chunk, in
an order shuffled per chunk: a burst of load from elsewhere on the machine
then falls on every contender alike instead of on whichever ran at that
moment.  A contender's figure for the round is its keys divided by the sum
of its chunk times; the table gives the median over rounds.

========  ==============================================================
set       ``store[k] = v`` for n new keys (then the store's settle: its
          writes are done)
get       ``store[k]`` for the n keys in a shuffled order
iterate   ``for k in store`` (whole store per turn, ``WALKS`` turns; the count
          is checked)
items     ``for k, v in store.items()`` (likewise)
len       ``len(store)`` (``LEN_CALLS`` calls)
delete    ``del store[k]`` for the n keys, shuffled
update    ``store.update(pairs)`` of n new keys, one call, on a second fresh
          store (the raw baselines: ``executemany`` / one transaction)
========  ==============================================================

Figures are operations per second; ``update`` counts keys written.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import harness
from .stores import Store, baseline, check_importable

LEN_CALLS = 200
CHUNKS = 20
#: Whole-store walks per round for iterate and items, interleaved like chunks:
#: one walk takes milliseconds, too short to stand for a round alone.
WALKS = 5
ORDER = ("set", "get", "delete", "update", "iterate", "items", "len")


def _chunks(items: list[Any], count: int) -> list[list[Any]]:
    size = max(1, -(-len(items) // count))
    return [items[i:i + size] for i in range(0, len(items), size)]


def one_round(stores: list[Store], n: int, folder: Path, r: int) -> dict[str, dict[str, float | None]]:
    """Every operation for every contender on fresh stores; ops/s per contender and operation."""
    keys = [harness.key(i) for i in range(n)]
    values = [harness.value(i) for i in range(n)]
    lookups = harness.shuffled(keys, seed=r + 1)
    pairs = {harness.key(n + i): harness.value(n + i) for i in range(n)}
    where = {s.name: folder / f"{s.name.replace(' ', '_')}-r{r}" for s in stores}
    handle = {s.name: s.open(where[s.name]) for s in stores}
    out: dict[str, dict[str, float | None]] = {s.name: {op: None for op in ORDER} for s in stores}

    def measure(op: str, work: dict[str, list[Callable[[], Any]]], count: int) -> None:
        work = {name: w for name, w in work.items() if op not in next(s for s in stores if s.name == name).cannot}
        for name, seconds in harness.turns(work, seed=ORDER.index(op) * 1000 + r).items():
            out[name][op] = count / seconds

    def setter(s: Store, h: Any, chunk: list[int]) -> Callable[[], None]:
        def run() -> None:
            for i in chunk:
                h[keys[i]] = values[i]
            s.settle(h)
        return run

    def getter(h: Any, chunk: list[str]) -> Callable[[], None]:
        def run() -> None:
            for k in chunk:
                h[k]
        return run

    def deleter(s: Store, h: Any, chunk: list[str]) -> Callable[[], None]:
        def run() -> None:
            for k in chunk:
                del h[k]
            s.settle(h)
        return run

    def walker(s: Store, h: Any, items: bool) -> Callable[[], None]:
        def run() -> None:
            count = sum(1 for _ in (h.items() if items else h))
            if count != n:
                raise AssertionError(f"{s.name}: iterated {count} {'items' if items else 'keys'}, stored {n}")
        return run

    def sizer(s: Store, h: Any, calls: int) -> Callable[[], None]:
        def run() -> None:
            for _ in range(calls):
                if len(h) != n:
                    raise AssertionError(f"{s.name}: len {len(h)}, stored {n}")
        return run

    positions = _chunks(list(range(n)), CHUNKS)
    looked = _chunks(lookups, CHUNKS)
    measure("set", {s.name: [setter(s, handle[s.name], c) for c in positions] for s in stores}, n)
    measure("get", {s.name: [getter(handle[s.name], c) for c in looked] for s in stores}, n)
    measure("iterate", {s.name: [walker(s, handle[s.name], False)] * WALKS for s in stores}, n * WALKS)
    measure("items", {s.name: [walker(s, handle[s.name], True)] * WALKS for s in stores}, n * WALKS)
    measure("len", {s.name: [sizer(s, handle[s.name], LEN_CALLS // CHUNKS)] * CHUNKS for s in stores},
            LEN_CALLS // CHUNKS * CHUNKS)
    measure("delete", {s.name: [deleter(s, handle[s.name], c) for c in looked] for s in stores}, n)
    for s in stores:
        s.close(handle[s.name])
    bulk = {s.name: s.open(where[s.name] / "bulk") for s in stores if "update" not in s.cannot}

    def updater(s: Store) -> Callable[[], None]:
        def run() -> None:
            bulk[s.name].update(pairs)
            s.settle(bulk[s.name])
        return run

    measure("update", {s.name: [updater(s)] for s in stores if s.name in bulk}, n)
    for s in stores:
        if s.name in bulk:
            if len(bulk[s.name]) != n:
                raise AssertionError(f"{s.name}: len {len(bulk[s.name])} after update of {n} keys")
            s.close(bulk[s.name])
        shutil.rmtree(where[s.name], ignore_errors=True)
    return out


def run_group(stores: list[Store], n: int, rounds: int, folder: Path) -> dict[str, Any]:
    """Measure one comparison group and summarise it against its baseline."""
    check_importable(stores)
    samples: dict[str, dict[str, list[float]]] = {s.name: {op: [] for op in ORDER} for s in stores}
    for r in range(rounds):
        for name, ops in one_round(stores, n, folder, r).items():
            for op, rate in ops.items():
                if rate is not None:
                    samples[name][op].append(rate)
    group = harness.summarise(samples, baseline(stores).name)
    group["n"] = n
    group["rounds"] = rounds
    group["chunks"] = CHUNKS
    group["roles"] = {s.name: s.role for s in stores}
    group["durability"] = {s.name: s.durability for s in stores}
    return group


def main(module: str, benchmark: str, groups: dict[str, list[Store]], default_n: int, argv: list[str] | None,
         description: str) -> dict[str, Any]:
    """The command line of a ratio benchmark: measure each group, print its table, write the JSON."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=default_n, help=f"keys per store (default {default_n})")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--only", default="", help="comma-separated groups to run (default all: "
                        + ", ".join(g or benchmark for g in groups) + ")")
    parser.add_argument("--out", type=Path, default=harness.RESULTS_DIR / f"{benchmark}.json")
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the stores (default a new temporary one)")
    args = parser.parse_args(argv)
    chosen = [g.strip().lstrip(".") for g in args.only.split(",") if g.strip()]
    unknown = [g for g in chosen if g not in groups]
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(groups)}")
    started = time.perf_counter()
    command = harness.command_line(module, argv)
    print(f"$ {command}", flush=True)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        for name, stores in groups.items():
            if chosen and name not in chosen:
                continue
            group = run_group(stores, args.n, args.rounds, Path(tmp) / (name or benchmark))
            out[name or benchmark] = group
            print(harness.ratio_table(group, f"\n{name or benchmark}: n={args.n}, {args.rounds} rounds "
                                      f"(contenders take turns chunk by chunk), median ops/s and ratio to "
                                      f"{group['baseline']}"), flush=True)
    doc = harness.write_results(args.out, benchmark, command, {"n": args.n, "rounds": args.rounds},
                                {"groups": out}, started)
    print(f"wrote {args.out} ({doc['seconds']:.1f} s)")
    return doc
