"""What each CassandraDict operation costs the Cassandra servers, in JVM CPU time.

Run:  .venv/bin/python -m benchmarks.cassandra_costs [--cluster] [--n 300]
      (starts the kit's ``cassandra`` service, or with --cluster its
      ``cassandra-cluster`` service; --contact-points HOST[:PORT],... uses a
      running one instead, whose JVMs must run on this machine)

Stores are opened as the kit's specs open them (linearizable mode, the
spec's keyspace replication and consistency levels).  Each operation kind
runs ``count`` times in a row, one synchronous request at a time, between two
readings of the CPU time of every ``java`` process on this machine
(``/proc/PID/stat``: the kit's nodes are containers, so their JVMs are
processes here).  Figures per operation: wall milliseconds and JVM CPU
milliseconds, all nodes together; the idle row is JVM CPU per second of doing
nothing.  How often a certification sends each kind, times its JVM CPU, is
what the certification costs the servers: on a machine whose cores the
servers fill, that is its length (docs/benchmarks.md, profile 10).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/cassandra_costs.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from . import harness
from .bench_cassandra import cassandra

MODULE = "benchmarks.cassandra_costs"
IDLE_SECONDS = 5.0
#: Seconds between operation kinds (--settle), so one kind's background work
#: (a flush, a schema push) is not billed to the next.
SETTLE_SECONDS = 2.0


def jvm_cpu_seconds() -> float:
    """User + system CPU seconds of every ``java`` process on this machine."""
    tick = os.sysconf("SC_CLK_TCK")
    total, found = 0.0, False
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "java":
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        found = True
        total += (int(fields[11]) + int(fields[12])) / tick
    if not found:
        raise SystemExit("cassandra_costs: no java process on this machine; the Cassandra nodes must run here")
    return total


def operations(spec: Any, n: int) -> list[tuple[str, int, Callable[[], Any]]]:
    """(kind, count, run) in the order they run: each kind leaves what the next needs."""
    tables = max(2, n // 50)
    new = [spec.new_location(None) for _ in range(tables)]
    state: dict[str, Any] = {}

    def create() -> None:
        for location in new:
            spec.open(location).close()

    def reopen() -> None:
        for _ in range(n // 5):
            spec.open(new[0]).close()

    def sets() -> None:
        store = state["store"] = spec.open(new[0])
        for i in range(n):
            store[f"key-{i:06d}"] = {"i": i}

    def gets() -> None:
        for i in range(n):
            state["store"][f"key-{i:06d}"]

    def walks() -> None:
        for _ in range(max(1, n // 10)):
            sum(1 for _ in state["store"])

    def lens() -> None:
        for _ in range(max(1, n // 10)):
            len(state["store"])

    def pops() -> None:
        store = state.pop("store")
        for _ in range(n):
            store.popitem()
        store.close()

    def drops() -> None:
        for location in new:
            spec.session.execute(f'DROP TABLE IF EXISTS "{spec.keyspace}"."{location}"', timeout=120)

    return [
        ("open a new table (CREATE KEYSPACE and TABLE IF NOT EXISTS)", tables, create),
        ("open a table CassandraDict made (two schema reads)", n // 5, reopen),
        ("d[k] = v, a new key (one LWT)", n, sets),
        ("d[k] (one read)", n, gets),
        (f"iterate {n} keys (a scan, one page)", max(1, n // 10), walks),
        (f"len() of {n} keys (a scan, one page)", max(1, n // 10), lens),
        ("popitem() (a scan from a token, and an LWT)", n, pops),
        ("DROP TABLE", tables, drops),
    ]


def measure(spec: Any, n: int, idle_seconds: float, settle: float) -> tuple[float, list[dict[str, Any]]]:
    """JVM CPU ms per idle second, and a row per operation kind."""
    time.sleep(settle)
    before = jvm_cpu_seconds()
    time.sleep(idle_seconds)
    idle = (jvm_cpu_seconds() - before) / idle_seconds * 1000
    rows = []
    for kind, count, run in operations(spec, n):
        time.sleep(settle)
        cpu, wall = jvm_cpu_seconds(), time.perf_counter()
        run()
        wall, cpu = time.perf_counter() - wall, jvm_cpu_seconds() - cpu
        rows.append({"operation": kind, "count": count, "wall_ms": round(wall / count * 1000, 2),
                     "jvm_cpu_ms": round(cpu / count * 1000, 2)})
        print(f"  {rows[-1]['wall_ms']:9.1f} ms wall  {rows[-1]['jvm_cpu_ms']:9.1f} ms JVM CPU  "
              f"x{count:<5} {kind}", flush=True)
    return idle, rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="keys written, read and popped (default 300)")
    parser.add_argument("--cluster", action="store_true", help="the three-node cluster (replication 3, QUORUM)")
    parser.add_argument("--contact-points", help="a running Cassandra whose JVMs run on this machine")
    parser.add_argument("--idle", type=float, default=IDLE_SECONDS, help="seconds of idling measured")
    parser.add_argument("--settle", type=float, default=SETTLE_SECONDS, help="seconds between operation kinds")
    parser.add_argument("--out", type=Path, default=harness.RESULTS_DIR / "cassandra-costs.json")
    args = parser.parse_args(argv)
    if args.n < 10 or args.idle <= 0 or args.settle < 0:
        parser.error("--n must be at least 10, --idle above 0 and --settle at least 0")
    from reference_backends.cassandra_specs import CassandraClusterSpec, CassandraSpec

    command = harness.command_line(MODULE, argv)
    print(f"$ {command}", flush=True)
    started = time.perf_counter()
    spec = CassandraClusterSpec() if args.cluster else CassandraSpec()
    with cassandra(args.cluster, args.contact_points) as (hosts, port, _):
        spec.adopt({"contact_points": list(hosts), "port": port})
        try:
            idle, rows = measure(spec, args.n, args.idle, args.settle)
        finally:
            spec.stop()
    doc = harness.write_results(args.out, "cassandra-costs", command,
                                {"n": args.n, "idle": args.idle, "settle": args.settle},
                                {"service": spec.services[0], "spec": spec.name, "idle_jvm_cpu_ms_per_s": round(idle, 1),
                                 "operations": rows}, started)
    print(f"idle: {idle:.1f} ms JVM CPU per second; wrote {args.out} ({doc['seconds']:.1f} s)")
    return doc


if __name__ == "__main__":
    main(sys.argv[1:])
