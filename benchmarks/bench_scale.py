"""Scale: set and get throughput as stores grow, and whole-store steps at the largest N.

Run:  .venv/bin/python -m benchmarks.bench_scale --family sqlite        # towards 10 million keys
      .venv/bin/python -m benchmarks.bench_scale --family kyotocabinet  # each type towards 1 million

Every store of the family grows through checkpoints N = 1, 2, 5 x 10^k (from
``--start`` to its target) one segment at a time, round-robin in a shuffled
order per checkpoint, so machine noise falls on every store alike.  A
segment adds keys N_prev..N-1: the last ``--sample`` of them one
``store[k] = v`` at a time, timed (the set rate at that size, with the
store's durability settings as in :mod:`benchmarks.stores`), the others
before them in ``update`` batches (``--fill update``, the default, so that
ten million keys take minutes, not hours; ``--fill set`` times every key);
then it reads ``--sample`` random existing keys.  The point records both
rates, the fill rate and the store's bytes on disk per key.

A store stops growing at its target or when its next segment, predicted from
its last rates, would take it past its time budget (``--budget`` seconds;
``--subject-budget`` for SqliteDict and KyotoCabinetDict); the reason is
recorded.  Then, one store at a time, at the N it reached: the store is
closed and its bytes on disk per key measured (allocated blocks of every file
it owns), then reopened for a full iteration, ``len`` and ``clear``, each
with the growth of the process's peak RSS over the RSS when the step began.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/bench_scale.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from . import harness
from .stores import Store, check_importable, select

MODULE = "benchmarks.bench_scale"
TARGETS = {"sqlite": 10_000_000, "kyotocabinet": 1_000_000}
LEN_SECONDS = 1.0  # len is repeated until this long (at least once, at most LEN_CALLS)
LEN_CALLS = 100
FILL_BATCH = 10_000  # keys per update() call when filling


def checkpoints(start: int, target: int) -> list[int]:
    """1, 2, 5 x 10^k from ``start`` up to ``target``, ending at ``target``."""
    out: list[int] = []
    decade = 1
    while decade <= target:
        for m in (1, 2, 5):
            c = m * decade
            if start <= c < target:
                out.append(c)
        decade *= 10
    return out + [target]


class Grower:
    """One store growing through the checkpoints, with its clock and its points."""

    def __init__(self, store: Store, folder: Path, target: int, budget: float, sample: int, fill: str):
        self.store = store
        self.folder = folder
        self.target = target
        self.budget = budget
        self.sample = sample
        self.fill = "set" if "update" in store.cannot else fill
        self.handle = store.open(folder)
        self.n = 0
        self.spent = 0.0
        self.points: list[dict[str, Any]] = []
        self.stopped = ""
        self.rng = random.Random(7)

    def predict(self, n: int) -> float:
        """Seconds the segment up to ``n`` should take, from the last point (0 before any)."""
        if not self.points:
            return 0.0
        last = self.points[-1]
        timed_sets = n - self.n if self.fill == "set" else min(self.sample, n - self.n)
        filled = (n - self.n - timed_sets) / last["fill_per_s"] if last.get("fill_per_s") else 0.0
        gets = min(self.sample, n) / last["get_per_s"] if last["get_per_s"] else 0.0
        return timed_sets / last["set_per_s"] + filled + gets

    def grow(self, n: int) -> None:
        """Add keys up to ``n``: with fill "update", all but the last ``sample`` in
        ``update`` batches of FILL_BATCH, then the rest one ``store[k] = v`` at a time
        (the timed sets); then time ``sample`` gets of random existing keys."""
        s, store = self.handle, self.store
        first = self.n
        timed_from = first if self.fill == "set" else max(first, n - self.sample)
        started = time.perf_counter()
        for lo in range(first, timed_from, FILL_BATCH):
            s.update({harness.key(i): harness.value(i) for i in range(lo, min(lo + FILL_BATCH, timed_from))})
        store.settle(s)
        fill_s = time.perf_counter() - started
        started = time.perf_counter()
        for i in range(timed_from, n):
            s[harness.key(i)] = harness.value(i)
        store.settle(s)
        set_s = time.perf_counter() - started
        gets = 0 if "get" in store.cannot else min(self.sample, n)
        picks = [harness.key(self.rng.randrange(n)) for _ in range(gets)]
        started = time.perf_counter()
        for k in picks:
            s[k]
        get_s = time.perf_counter() - started
        self.n = n
        self.spent += fill_s + set_s + get_s
        disk = harness.disk_usage(self.folder)
        self.points.append({
            "n": n,
            "set_per_s": (n - timed_from) / set_s,
            "get_per_s": len(picks) / get_s if picks else None,
            "fill_per_s": (timed_from - first) / fill_s if timed_from > first else None,
            "bytes_per_key": disk["allocated_bytes"] / n,
            "apparent_bytes_per_key": disk["apparent_bytes"] / n,
            "spent_s": round(self.spent, 3),
        })

    def finish(self) -> dict[str, Any]:
        """Close the store and measure its bytes on disk; reopen it and iterate, len and clear at the
        reached N, each with its peak-RSS growth; then close and delete it."""
        n = self.n
        self.store.close(self.handle)
        disk = harness.disk_usage(self.folder)
        final: dict[str, Any] = {"n": n, "bytes_per_key": disk["allocated_bytes"] / n,
                                 "apparent_bytes_per_key": disk["apparent_bytes"] / n}
        s = self.handle = self.store.open(self.folder)

        def iterate() -> int:
            return sum(1 for _ in s)

        def length() -> int:
            calls, start = 0, time.perf_counter()
            while True:
                got = len(s)
                calls += 1
                if calls >= LEN_CALLS or time.perf_counter() - start >= LEN_SECONDS:
                    break
            if got != n:
                raise AssertionError(f"{self.store.name}: len {got} at N={n}")
            return calls

        def clear() -> None:
            s.clear()
            self.store.settle(s)

        got = harness.measure(iterate)
        if got["result"] != n:
            raise AssertionError(f"{self.store.name}: iterated {got['result']} keys at N={n}")
        final["iterate"] = {"per_s": n / got["seconds"], "seconds": got["seconds"],
                            "peak_rss_growth_bytes": got["peak_rss_growth_bytes"]}
        if "len" not in self.store.cannot:
            got = harness.measure(length)
            final["len"] = {"per_s": got["result"] / got["seconds"], "seconds_per_call": got["seconds"] / got["result"],
                            "peak_rss_growth_bytes": got["peak_rss_growth_bytes"]}
        got = harness.measure(clear)
        final["clear"] = {"seconds": got["seconds"], "peak_rss_growth_bytes": got["peak_rss_growth_bytes"]}
        if "len" not in self.store.cannot and len(s) != 0:
            raise AssertionError(f"{self.store.name}: len {len(s)} after clear")
        self.store.close(s)
        shutil.rmtree(self.folder, ignore_errors=True)
        return final


def run(stores: list[Store], targets: dict[str, int], budgets: dict[str, float], start: int, sample: int,
        fill: str, folder: Path, log: Any = sys.stdout) -> dict[str, Any]:
    growers = [Grower(s, folder / s.name.replace(" ", "_").replace("(", "").replace(")", ""),
                      targets[s.name], budgets[s.name], sample, fill) for s in stores]
    plan = sorted({c for g in growers for c in checkpoints(start, g.target)})
    for r, n in enumerate(plan):
        order = [g for g in growers if not g.stopped and g.n < n <= g.target]
        random.Random(r).shuffle(order)
        for g in order:
            predicted = g.predict(n)
            if g.spent + predicted > g.budget:
                g.stopped = (f"budget: the step to N={n:,} was predicted to take {predicted:.0f} s "
                             f"after {g.spent:.0f} s of {g.budget:.0f} s")
                print(f"  {g.store.name}: stops at N={g.n:,} ({g.stopped})", file=log, flush=True)
                continue
            g.grow(n)
            p = g.points[-1]
            print(f"  {g.store.name:38} N={n:>12,}  set {p['set_per_s']:>10,.0f}/s  get {p['get_per_s'] or 0:>10,.0f}/s  "
                  f"{p['bytes_per_key']:7.1f} B/key  ({g.spent:.0f} s)", file=log, flush=True)
    results: dict[str, Any] = {}
    for g in growers:
        if not g.stopped:
            g.stopped = f"target N={g.target:,} reached"
        final = g.finish() if g.n else {"n": 0}
        results[g.store.name] = {
            "family": g.store.family, "role": g.store.role, "group": g.store.group,
            "durability": g.store.durability, "target_n": g.target, "budget_s": g.budget, "fill": g.fill,
            "reached_n": g.n, "stopped": g.stopped, "points": g.points, "final": final,
        }
        it = final.get("iterate")
        if it:
            print(f"  {g.store.name:38} at N={g.n:,}: iterate {it['per_s']:,.0f}/s "
                  f"(peak RSS +{(it['peak_rss_growth_bytes'] or 0) / 2**20:.1f} MiB), clear "
                  f"{final['clear']['seconds']:.2f} s (+{(final['clear']['peak_rss_growth_bytes'] or 0) / 2**20:.1f} MiB)",
                  file=log, flush=True)
    return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=sorted(TARGETS), default="sqlite")
    parser.add_argument("--max-n", type=int, default=None,
                        help=f"largest N (default per family: {', '.join(f'{k} {v:,}' for k, v in TARGETS.items())})")
    parser.add_argument("--start", type=int, default=1000, help="first checkpoint (default 1000)")
    parser.add_argument("--sample", type=int, default=20000,
                        help="timed sets (the last keys of each segment) and random gets per checkpoint (default 20000)")
    parser.add_argument("--fill", choices=("update", "set"), default="update",
                        help="how the rest of each segment is added: update() batches (default) or timed sets")
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds of set+get each baseline or peer store may spend growing (default 120)")
    parser.add_argument("--subject-budget", type=float, default=600.0,
                        help="the same for SqliteDict and KyotoCabinetDict (default 600)")
    parser.add_argument("--stores", default="",
                        help="comma-separated store names (default: the family's baseline, subject and peer stores)")
    parser.add_argument("--out", type=Path, default=None,
                        help="results JSON (default benchmarks/results/scale-FAMILY.json)")
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the stores (default a new temporary one)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.stores.split(",") if n.strip()]
    stores = [s for s in select(args.family, names=names) if names or s.role != "reference"]
    if not stores:
        parser.error(f"no {args.family} store selected")
    check_importable(stores)
    target = args.max_n or TARGETS[args.family]
    targets = {s.name: target for s in stores}
    budgets = {s.name: args.subject_budget if s.role == "subject" else args.budget for s in stores}
    out = args.out or harness.RESULTS_DIR / f"scale-{args.family}.json"
    started = time.perf_counter()
    command = harness.command_line(MODULE, argv)
    print(f"$ {command}", flush=True)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        results = run(stores, targets, budgets, args.start, args.sample, args.fill, Path(tmp))
    params = {"family": args.family, "max_n": target, "start": args.start, "sample": args.sample, "fill": args.fill,
              "budget_s": args.budget, "subject_budget_s": args.subject_budget}
    doc = harness.write_results(out, f"scale-{args.family}", command, params, {"stores": results}, started)
    print(f"wrote {out} ({doc['seconds']:.1f} s)")
    return doc


if __name__ == "__main__":
    main(sys.argv[1:])
