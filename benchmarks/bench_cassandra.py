"""CassandraDict in each mode against the raw cassandra-driver at the same consistency level.

Run:  .venv/bin/python benchmarks/bench_cassandra.py [--n 2000] [--rounds 3] [--cluster]
      (starts the kit's ``cassandra`` service, or with --cluster its
      ``cassandra-cluster`` service: three nodes, replication 3, QUORUM;
      --contact-points HOST[:PORT],... uses a running cluster instead)

One session (coordinator timestamps), the consistency level of the matching
kit spec, one synchronous request per operation.  The raw side runs the
statement the mode needs for the same effect, JSON-encoding by hand:

* fast: ``UPDATE t SET value = ? WHERE key = ?`` and ``SELECT value ...``;
* linearizable: the same lightweight transaction CassandraDict sends for a
  write (``UPDATE ... IF spelling IN (null, ?)``) and the same read.

Rounds are interleaved; figures are medians of operations per second, with
the ratio to the raw driver, the client's CPU time per operation (all
threads of this process: driver and CassandraDict; robust to a busy server or
machine), and the cost of linearizable mode: its CassandraDict rate as a
fraction of fast mode's, per operation.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from reference_backends.cassandra import CassandraDict

KEYSPACE = "pdict_bench"


@contextlib.contextmanager
def cassandra(cluster: bool, contact_points: str | None) -> Iterator[tuple[tuple[str, ...], int, float]]:
    """(hosts, port, start seconds) of a running Cassandra, started by the kit's service."""
    from pdict_conformance.services.cassandra import SingleNode
    from pdict_conformance.services.cassandra_cluster import ThreeNodeCluster

    service = ThreeNodeCluster(contact_points=contact_points) if cluster else SingleNode(contact_points=contact_points)
    with service.provide() as handle:
        yield handle.contact_points, handle.port, handle.start_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cluster", action="store_true", help="three nodes, replication 3, QUORUM")
    parser.add_argument("--contact-points")
    args = parser.parse_args()
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import DCAwareRoundRobinPolicy, TokenAwarePolicy

    level = "QUORUM" if args.cluster else "LOCAL_QUORUM"
    serial = "SERIAL" if args.cluster else "LOCAL_SERIAL"
    replication = {"class": "SimpleStrategy", "replication_factor": 3 if args.cluster else 1}
    keys = [f"key-{i:06d}" for i in range(args.n)]
    values = [{"i": i, "name": f"value {i}"} for i in range(args.n)]
    results: dict[tuple[str, str, str], list[float]] = {}
    cpu: dict[tuple[str, str, str], list[float]] = {}
    with cassandra(args.cluster, args.contact_points) as (hosts, port, started):
        profile = ExecutionProfile(load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy(),
                                                                          shuffle_replicas=False))
        cluster = Cluster(list(hosts), port=port, execution_profiles={EXEC_PROFILE_DEFAULT: profile})
        session = cluster.connect()
        session.use_client_timestamp = False
        try:
            for r in range(args.rounds):
                plan: list[tuple[tuple[str, str, str], Callable[[], Any]]] = []
                for mode in ("fast", "linearizable"):
                    store = CassandraDict(hosts, port, KEYSPACE, f"{mode}_{r}", session=session, mode=mode,
                                          replication=replication, consistency_level=level,
                                          serial_consistency_level=serial)
                    raw_table = CassandraDict(hosts, port, KEYSPACE, f"{mode}_raw_{r}", session=session, mode=mode,
                                              replication=replication, consistency_level=level,
                                              serial_consistency_level=serial)
                    get = raw_table._statements["get"]
                    if mode == "fast":
                        put = raw_table._statements["set"]

                        def raw_set(put=put) -> None:
                            for k, v in zip(keys, values):
                                session.execute(put, (json.dumps(v), json.dumps(k)))
                    else:
                        put = raw_table._statements["set_new"]

                        def raw_set(put=put) -> None:
                            for k, v in zip(keys, values):
                                session.execute(put, (json.dumps(v), "", json.dumps(k), ""))

                    def raw_get(get=get) -> None:
                        for k in keys:
                            json.loads(session.execute(get, (json.dumps(k),)).one().value)

                    def dict_set(store=store) -> None:
                        for k, v in zip(keys, values):
                            store[k] = v

                    def dict_get(store=store) -> None:
                        for k in keys:
                            store[k]

                    def dict_setdefault(store=store) -> None:
                        for k in keys:
                            store.setdefault(k, 0)

                    def dict_pop(store=store) -> None:
                        for k in keys:
                            store.pop(k)

                    pair = [((mode, "raw driver", "set"), raw_set), ((mode, "CassandraDict", "set"), dict_set),
                            ((mode, "raw driver", "get"), raw_get), ((mode, "CassandraDict", "get"), dict_get)]
                    if r % 2:
                        pair = [pair[1], pair[0], pair[3], pair[2]]
                    plan += pair + [((mode, "CassandraDict", "setdefault"), dict_setdefault),
                                    ((mode, "CassandraDict", "pop"), dict_pop)]
                for name, fn in plan:
                    t0, c0 = time.perf_counter(), time.process_time()
                    fn()
                    results.setdefault(name, []).append(args.n / (time.perf_counter() - t0))
                    cpu.setdefault(name, []).append((time.process_time() - c0) / args.n * 1e6)
            session.execute(f'DROP KEYSPACE IF EXISTS "{KEYSPACE}"', timeout=120)
        finally:
            cluster.shutdown()
    where = f"{len(hosts)} node(s), replication {replication['replication_factor']}, {level}"
    print(f"{where}; service started in {started:.1f} s; n={args.n} keys, {args.rounds} interleaved rounds, "
          "median ops/s (ratio to the raw driver in the same mode)")
    median = {name: statistics.median(samples) for name, samples in results.items()}
    cpu_us = {name: statistics.median(samples) for name, samples in cpu.items()}
    for mode in ("fast", "linearizable"):
        for who in ("raw driver", "CassandraDict"):
            cells = []
            for op in ("set", "get", "setdefault", "pop"):
                m = median.get((mode, who, op))
                if m is None:
                    continue
                base = median.get((mode, "raw driver", op))
                cells.append(f"{op} {m:7,.0f}" + (f" ({m / base:4.2f}x)" if base else "")
                             + f" cpu {cpu_us[(mode, who, op)]:5.0f} us")
            print(f"{mode:13} {who:14} " + "   ".join(cells))
    cost = "   ".join(
        f"{op} {median[('linearizable', 'CassandraDict', op)] / median[('fast', 'CassandraDict', op)]:4.2f}x"
        for op in ("set", "get", "setdefault", "pop")
    )
    print(f"linearizable mode as a fraction of fast mode (CassandraDict): {cost}")


if __name__ == "__main__":
    main()
