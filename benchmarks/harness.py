"""Shared timing, memory, disk and results code of every benchmark.

Rules the benchmarks follow (these machines are shared and noisy, so only
ratios measured side by side in one run mean anything):

* every contender works on its own fresh store in one temporary folder, in the
  same process;
* contenders take turns (:func:`turns`): each operation is cut into chunks and
  every contender runs chunk i before any runs chunk i+1, in an order shuffled
  per chunk (seeded); whole rounds repeat this on fresh stores, and each figure
  is the median over the rounds;
* a ratio divides a contender's median by the baseline's median from the same
  run, for the same operation;
* results are written as JSON (:func:`write_results`); plots and tables are
  made from the JSON only (``benchmarks.plot``).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import random
import shlex
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

#: Where the benchmark commands write their JSON unless told otherwise.
RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: Where the plots go (shown in docs/benchmarks.md).
DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"

#: Version of the JSON layout written by :func:`write_results`.
SCHEMA_VERSION = 1


# -- workload --------------------------------------------------------------
def key(i: int) -> str:
    """The i-th key of every workload: distinct for distinct ``i < 2**32`` and
    scattered (a multiplicative hash), so inserts land all over a B-tree index
    as real keys (ids, hashes) do, not only at its right edge."""
    return f"k{(i * 2654435761) & 0xFFFFFFFF:08x}-{i}"


def value(i: int) -> dict[str, Any]:
    """The i-th value: a small JSON document (about 45 bytes encoded)."""
    return {"i": i, "name": f"value {i}", "tags": ["a", "b"]}


def shuffled(items: Iterable[Any], seed: int = 1) -> list[Any]:
    out = list(items)
    random.Random(seed).shuffle(out)
    return out


# -- timing ----------------------------------------------------------------
def timed(fn: Callable[[], Any]) -> float:
    """Seconds ``fn()`` takes (wall clock, ``perf_counter``)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def turns(work: Mapping[str, list[Callable[[], Any]]], seed: int) -> dict[str, float]:
    """Interleave contenders chunk by chunk: for each i, run chunk i of every contender
    that has one, in an order shuffled per chunk (seeded).  Returns the total seconds
    per contender, so a burst of load from elsewhere falls on every contender alike."""
    totals = {name: 0.0 for name in work}
    rng = random.Random(seed)
    for i in range(max((len(chunks) for chunks in work.values()), default=0)):
        order = [name for name in work if i < len(work[name])]
        rng.shuffle(order)
        for name in order:
            totals[name] += timed(work[name][i])
    return totals


def summarise(samples: Mapping[str, Mapping[str, list[float]]], baseline: str) -> dict[str, Any]:
    """Medians and ratios to ``baseline``, as stored in the results JSON::

        {"baseline": name, "operations": [op, ...],
         "stores": {name: {op: {"samples": [...], "median": m | None, "ratio": r | None}}}}
    """
    if baseline not in samples:
        raise ValueError(f"baseline {baseline!r} was not measured (have {', '.join(samples)})")
    operations: list[str] = []
    for ops in samples.values():
        for op in ops:
            if op not in operations:
                operations.append(op)
    base = {op: statistics.median(v) if v else None for op, v in samples[baseline].items()}
    stores: dict[str, Any] = {}
    for name, ops in samples.items():
        row: dict[str, Any] = {}
        for op in operations:
            got = list(ops.get(op, []))
            m = statistics.median(got) if got else None
            b = base.get(op)
            row[op] = {"samples": got, "median": m, "ratio": (m / b) if (m is not None and b) else None}
        stores[name] = row
    return {"baseline": baseline, "operations": operations, "stores": stores}


def ratio_table(group: Mapping[str, Any], title: str = "") -> str:
    """A Markdown table of one summarised group: ratios, with the medians in ops/s."""
    ops = group["operations"]
    lines = []
    if title:
        lines.append(title)
    lines.append("| store | " + " | ".join(ops) + " |")
    lines.append("|---|" + "---|" * len(ops))
    for name, row in group["stores"].items():
        cells = []
        for op in ops:
            cell = row[op]
            if cell["median"] is None:
                cells.append("n/a")
            elif cell["ratio"] is None:
                cells.append(f"({cell['median']:,.0f}/s)")
            else:
                cells.append(f"{cell['ratio']:.2f} ({cell['median']:,.0f}/s)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- memory ----------------------------------------------------------------
def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux ``clear_refs``); False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def measure(fn: Callable[[], Any]) -> dict[str, Any]:
    """Run ``fn`` once: its seconds, its result, and how far the process's
    peak RSS rose above the RSS it had when ``fn`` started (bytes; None when
    the platform cannot say)."""
    can = reset_peak_rss()
    before = _status_kib("VmRSS")
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = _status_kib("VmHWM")
    growth = (peak - before) * 1024 if (can and peak is not None and before is not None) else None
    return {"seconds": seconds, "result": result, "peak_rss_growth_bytes": growth}


# -- disk ------------------------------------------------------------------
def disk_usage(path: Path) -> dict[str, int]:
    """Apparent size and allocated bytes of a file or of every file under a folder."""
    apparent = allocated = 0
    paths = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()] if path.exists() else []
    for p in paths:
        try:
            st = p.stat()
        except FileNotFoundError:  # a transient file (journal) went away
            continue
        apparent += st.st_size
        allocated += st.st_blocks * 512
    return {"apparent_bytes": apparent, "allocated_bytes": allocated}


# -- results ---------------------------------------------------------------
def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        info["load_average"] = list(os.getloadavg())
    except OSError:
        pass
    try:
        import kyotocabinet

        info["kyotocabinet"] = kyotocabinet.VERSION
    except ImportError:
        pass
    return info


def command_line(module: str, argv: list[str] | None) -> str:
    """The command that reproduces a run: ``python -m MODULE ARGS`` (``argv`` None: this process's)."""
    args = sys.argv[1:] if argv is None else argv
    return " ".join(shlex.quote(a) for a in ["python", "-m", module, *args])


def write_results(path: Path, benchmark: str, command: str, params: Mapping[str, Any], body: Mapping[str, Any],
                  started: float) -> dict[str, Any]:
    """Write one benchmark's results as JSON (the layout every plot reads) and return them."""
    doc = {
        "schema": SCHEMA_VERSION,
        "benchmark": benchmark,
        "command": command,
        "finished": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 3),
        "machine": machine(),
        "params": dict(params),
        **body,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return doc


def read_results(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"{path}: results schema {doc.get('schema')!r}, this harness reads {SCHEMA_VERSION}")
    return doc
