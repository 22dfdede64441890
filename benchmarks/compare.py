"""The side-by-side ratio benchmark shared by ``bench_sqlite`` and ``bench_kyotocabinet``.

One session (per contender, per round) on fresh stores, through the mapping
API only:

========  ==============================================================
set       ``store[k] = v`` for n new keys (then the store's settle: its
          writes are done)
get       ``store[k]`` for the n keys in a shuffled order
iterate   ``for k in store`` (the count is checked)
items     ``for k, v in store.items()`` (the count is checked)
len       ``len(store)`` repeated (200 calls)
delete    ``del store[k]`` for the n keys, shuffled
update    ``store.update(pairs)`` of n new keys on a second fresh store
          (the raw baselines: ``executemany`` / one transaction)
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


def session(store: Store, n: int, folder: Path) -> Callable[[int], dict[str, float | None]]:
    """The callable :func:`harness.interleave` runs for ``store`` (one round each call)."""
    keys = [harness.key(i) for i in range(n)]
    values = [harness.value(i) for i in range(n)]
    lookups = harness.shuffled(keys)
    pairs = {harness.key(n + i): harness.value(n + i) for i in range(n)}

    def run(r: int) -> dict[str, float | None]:
        where = folder / f"{store.name.replace(' ', '_')}-r{r}"
        s = store.open(where)
        out: dict[str, float | None] = {}
        can = lambda op: op not in store.cannot  # noqa: E731

        def do_set() -> None:
            for k, v in zip(keys, values):
                s[k] = v
            store.settle(s)

        def do_get() -> None:
            for k in lookups:
                s[k]

        def do_iterate() -> None:
            count = sum(1 for _ in s)
            if count != n:
                raise AssertionError(f"{store.name}: iterated {count} keys, stored {n}")

        def do_items() -> None:
            count = sum(1 for _ in s.items())
            if count != n:
                raise AssertionError(f"{store.name}: iterated {count} items, stored {n}")

        def do_len() -> None:
            for _ in range(LEN_CALLS):
                if len(s) != n:
                    raise AssertionError(f"{store.name}: len {len(s)}, stored {n}")

        def do_delete() -> None:
            for k in lookups:
                del s[k]
            store.settle(s)

        out["set"] = n / harness.timed(do_set)
        out["get"] = n / harness.timed(do_get) if can("get") else None
        out["iterate"] = n / harness.timed(do_iterate)
        out["items"] = n / harness.timed(do_items)
        out["len"] = LEN_CALLS / harness.timed(do_len) if can("len") else None
        out["delete"] = n / harness.timed(do_delete) if can("delete") else None
        store.close(s)
        if can("update"):
            s2 = store.open(where / "bulk")

            def do_update() -> None:
                s2.update(pairs)
                store.settle(s2)

            out["update"] = n / harness.timed(do_update)
            if len(s2) != n:
                raise AssertionError(f"{store.name}: len {len(s2)} after update of {n} keys")
            store.close(s2)
        else:
            out["update"] = None
        shutil.rmtree(where, ignore_errors=True)
        return out

    return run


ORDER = ("set", "get", "delete", "update", "iterate", "items", "len")


def run_group(stores: list[Store], n: int, rounds: int, folder: Path) -> dict[str, Any]:
    """Measure one comparison group and summarise it against its baseline."""
    check_importable(stores)
    sessions = {s.name: session(s, n, folder) for s in stores}
    samples = harness.interleave(sessions, rounds)
    ordered = {name: {op: ops.get(op, []) for op in ORDER} for name, ops in samples.items()}
    group = harness.summarise(ordered, baseline(stores).name)
    group["n"] = n
    group["rounds"] = rounds
    group["roles"] = {s.name: s.role for s in stores}
    group["durability"] = {s.name: s.durability for s in stores}
    return group


def main(module: str, benchmark: str, groups: dict[str, list[Store]], default_n: int, argv: list[str] | None,
         description: str) -> dict[str, Any]:
    """The command line of a ratio benchmark: measure each group, print its table, write the JSON."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=default_n, help=f"keys per store (default {default_n})")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
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
    print(f"$ {command}")
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        for name, stores in groups.items():
            if chosen and name not in chosen:
                continue
            group = run_group(stores, args.n, args.rounds, Path(tmp) / (name or benchmark))
            out[name or benchmark] = group
            print(harness.ratio_table(group, f"\n{name or benchmark}: n={args.n}, {args.rounds} interleaved rounds, "
                                      f"median ops/s and ratio to {group['baseline']}"))
    doc = harness.write_results(args.out, benchmark, command, {"n": args.n, "rounds": args.rounds},
                                {"groups": out}, started)
    print(f"wrote {args.out} ({doc['seconds']:.1f} s)")
    return doc
