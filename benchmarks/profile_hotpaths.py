"""Where the time of each hot path goes: cProfile of SqliteDict and KyotoCabinetDict
operations next to their raw baselines, and the SQL schema variants behind a set.

Run:  .venv/bin/python -m benchmarks.profile_hotpaths [--n 20000] [--top 8]

For each (store, operation) it times the operation unprofiled (µs per
operation, best of 3), then once under cProfile, and lists the functions
with the most own time and their share of the profiled total.  The schema
experiment times one autocommit statement per new key, with the settings of
the SQLite baseline, in schema variants that each change one thing (the
baseline's table; SqliteDict's table with a plain INSERT, with its upsert,
with its row-count triggers; a WITHOUT ROWID table), so the cost of each part
of a set is measured apart from Python.  The iteration experiment walks a
SqliteDict with and without its per-key check, next to diskcache.Index.  Writes ``benchmarks/results/profile.json`` (not
plotted; docs/benchmarks.md quotes it).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/profile_hotpaths.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from . import harness
from .stores import BY_NAME

MODULE = "benchmarks.profile_hotpaths"

TARGETS: dict[str, tuple[str, ...]] = {
    "raw sqlite3": ("set", "get", "delete", "update", "iterate"),
    "SqliteDict": ("set", "get", "delete", "update", "iterate"),
    "raw kyotocabinet .kch": ("set", "get", "iterate"),
    "KyotoCabinetDict .kch": ("set", "get", "iterate"),
    "raw kyotocabinet .kct": ("set", "get", "iterate"),
    "KyotoCabinetDict .kct": ("set", "get", "iterate"),
    "KyotoCabinetDict .kcx": ("set", "get", "iterate"),
}


def _label(func: tuple[str, int, str]) -> str:
    file, line, name = func
    if file == "~":
        return name
    return f"{os.path.basename(file)}:{line}({name})"


def top_functions(profile: cProfile.Profile, top: int) -> tuple[float, list[dict[str, Any]]]:
    stats = pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)  # type: ignore[attr-defined]
    out = []
    for func, (cc, nc, tt, ct, _callers) in rows[:top]:
        out.append({"function": _label(func), "calls": nc, "own_s": round(tt, 4), "cum_s": round(ct, 4),
                    "share": round(tt / total, 3) if total else 0.0})
    return total, out


def operation(store: Any, op: str, n: int, settle: Callable[[Any], None]) -> tuple[Callable[[], Any], Callable[[], None]]:
    """(prepare, run) for ``op`` on ``store``: prepare leaves the store in the state ``run`` needs."""
    keys = [harness.key(i) for i in range(n)]
    values = [harness.value(i) for i in range(n)]
    lookups = harness.shuffled(keys)

    def fill() -> None:
        store.clear()
        for k, v in zip(keys, values):
            store[k] = v
        settle(store)

    def run_set() -> None:
        for k, v in zip(keys, values):
            store[k] = v

    def run_get() -> None:
        for k in lookups:
            store[k]

    def run_delete() -> None:
        for k in lookups:
            del store[k]

    def run_update() -> None:
        store.update(dict(zip(keys, values)))

    def run_iterate() -> None:
        for _ in store:
            pass

    return {
        "set": (store.clear, run_set),
        "get": (fill, run_get),
        "delete": (fill, run_delete),
        "update": (store.clear, run_update),
        "iterate": (fill, run_iterate),
    }[op]


def profile_store(name: str, ops: tuple[str, ...], n: int, top: int, folder: Path) -> dict[str, Any]:
    spec = BY_NAME[name]
    store = spec.open(folder / name.replace(" ", "_"))
    out: dict[str, Any] = {}
    try:
        for op in ops:
            prepare, run = operation(store, op, n, spec.settle)
            best = float("inf")
            for _ in range(3):
                prepare()
                best = min(best, harness.timed(run))
            prepare()
            profile = cProfile.Profile()
            profile.enable()
            run()
            profile.disable()
            total, rows = top_functions(profile, top)
            out[op] = {"us_per_op": round(best / n * 1e6, 2), "profiled_s": round(total, 4), "top": rows}
            print(f"\n{name} {op}: {best / n * 1e6:.2f} µs/op unprofiled; profiled total {total:.3f} s")
            for r in rows:
                print(f"  {r['share']:6.1%} {r['own_s']:8.4f} s {r['calls']:>9} calls  {r['function']}")
    finally:
        spec.close(store)
    return out


def _sqlitedict_schema() -> tuple[str, ...]:
    """SqliteDict's own layout of table ``t`` (from the backend: one source of truth)."""
    from reference_backends.sqlite_schema import Statements

    return Statements("t").schema


def _row_counter_schema() -> tuple[str, ...]:
    """The earlier layout: a row counter kept by an insert and a delete trigger."""
    from reference_backends.sqlite_schema import v1_schema

    return v1_schema("t")


_SQLITEDICT_TABLE = ("CREATE TABLE t (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, spelling TEXT, "
                     "value TEXT NOT NULL)")
_UPSERT = ("INSERT INTO t (key, spelling, value) VALUES (?, NULL, ?) "
           "ON CONFLICT (key) DO UPDATE SET value = excluded.value")

#: name -> (schema statements, the statement of one set); each variant changes one thing.
SCHEMAS: dict[str, tuple[tuple[str, ...], str]] = {
    "raw: key TEXT PRIMARY KEY, INSERT OR REPLACE": (
        ("CREATE TABLE t (key TEXT PRIMARY KEY, value TEXT NOT NULL)",),
        "INSERT OR REPLACE INTO t (key, value) VALUES (?, ?)"),
    "SqliteDict table, plain INSERT": (
        (_SQLITEDICT_TABLE,), "INSERT INTO t (key, spelling, value) VALUES (?, NULL, ?)"),
    "SqliteDict table, its upsert": ((_SQLITEDICT_TABLE,), _UPSERT),
    "earlier layout: upsert and row-count triggers on insert and delete": (_row_counter_schema(), _UPSERT),
    "SqliteDict today: upsert, a delete-only gap-count trigger (len = max(id) - gaps)": (
        _sqlitedict_schema(), _UPSERT),
    "WITHOUT ROWID table (key TEXT PRIMARY KEY), upsert": (
        ("CREATE TABLE t (key TEXT PRIMARY KEY, spelling TEXT, value TEXT NOT NULL) WITHOUT ROWID",), _UPSERT),
}


def schema_experiment(n: int, rounds: int, folder: Path) -> dict[str, Any]:
    """µs per autocommit set (pre-encoded JSON text, no Python codec) in each schema variant, interleaved."""
    rows = [(json.dumps(harness.key(i)), json.dumps(harness.value(i))) for i in range(n)]
    samples: dict[str, list[float]] = {name: [] for name in SCHEMAS}
    for r in range(rounds):
        for j, (name, (schema, insert)) in enumerate(harness.shuffled(SCHEMAS.items(), seed=r)):
            path = folder / f"schema-{r}-{j}.db"
            conn = sqlite3.connect(str(path), isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            for statement in schema:
                conn.execute(statement)
            start = time.perf_counter()
            for row in rows:
                conn.execute(insert, row)
            samples[name].append((time.perf_counter() - start) / n * 1e6)
            conn.close()
    out = {name: round(sorted(v)[len(v) // 2], 2) for name, v in samples.items()}
    print("\nautocommit set of a new key, µs per row (median of rounds):")
    for name, us in out.items():
        print(f"  {us:7.2f}  {name}")
    return out


def iteration_experiment(n: int, rounds: int, folder: Path) -> dict[str, Any]:
    """Keys per second walking a SqliteDict, the same rows with its per-key check
    left out (the quotes stripped, nothing verified), and diskcache.Index, all
    filled alike by single sets; walks interleaved, median of ``rounds`` * 5."""
    filled: dict[str, Any] = {}
    for name in ("SqliteDict", "diskcache.Index"):
        store = BY_NAME[name]
        handle = filled[name] = store.open(folder / f"walk-{name.replace('.', '_')}")
        for i in range(n):
            handle[harness.key(i)] = harness.value(i)
        store.settle(handle)
    ours = filled["SqliteDict"]

    def unchecked() -> int:
        # what views.decoded_keys does per row, less decoding: the closed check, then the text between the quotes
        count = 0
        for identity, _spelling, _ in ours._rows(True, False):
            if ours._closed:
                ours._raise_closed()
            identity[1:-1]
            count += 1
        return count

    walks: dict[str, Callable[[], int]] = {
        "SqliteDict (every key checked as decode_key does)": lambda: sum(1 for _ in ours),
        "the same rows, quotes stripped, no check": unchecked,
        "diskcache.Index": lambda: sum(1 for _ in filled["diskcache.Index"]),
    }
    samples: dict[str, list[float]] = {name: [] for name in walks}
    for r in range(rounds * 5):
        for name, walk in harness.shuffled(walks.items(), seed=r):
            start = time.perf_counter()
            if walk() != n:
                raise AssertionError(f"{name}: the walk did not yield {n} keys")
            samples[name].append(time.perf_counter() - start)
    for name, handle in filled.items():
        BY_NAME[name].close(handle)
    out = {name: round(n / sorted(v)[len(v) // 2]) for name, v in samples.items()}
    print("\nwalking every key, keys/s (median of walks):")
    for name, rate in out.items():
        print(f"  {rate:12,}  {name}")
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the schema experiment")
    parser.add_argument("--stores", default="", help=f"comma-separated (default: {', '.join(TARGETS)})")
    parser.add_argument("--out", type=Path, default=harness.RESULTS_DIR / "profile.json")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.stores.split(",") if s.strip()] or list(TARGETS)
    unknown = [s for s in chosen if s not in TARGETS]
    if unknown:
        parser.error(f"unknown store(s) {unknown}; choose from {', '.join(TARGETS)}")
    command = harness.command_line(MODULE, argv)
    print(f"$ {command}", flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        profiles = {name: profile_store(name, TARGETS[name], args.n, args.top, Path(tmp)) for name in chosen}
        schema = schema_experiment(args.n, args.rounds, Path(tmp))
        walks = iteration_experiment(args.n, args.rounds, Path(tmp))
    doc = harness.write_results(args.out, "profile", command, {"n": args.n, "top": args.top},
                                {"profiles": profiles, "insert_us_by_schema": schema,
                                 "iterate_keys_per_s": walks}, started)
    print(f"wrote {args.out} ({doc['seconds']:.1f} s)")
    return doc


if __name__ == "__main__":
    main(sys.argv[1:])
