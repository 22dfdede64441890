"""CassandraDict against the raw cassandra-driver with the same prepared statements.

Run:  .venv/bin/python benchmarks/bench_cassandra.py [--n 3000] [--rounds 3]
      (starts the project's Cassandra image with testcontainers; or pass
      --contact-points 127.0.0.1:9042 to use a running node)

Both sides use one session, LOCAL_QUORUM, and the statements CassandraDict
prepares: ``UPDATE t SET value = ? WHERE key = ?`` and ``SELECT value FROM t
WHERE key = ?``, one synchronous request per operation, values JSON-encoded
by hand on the raw side.  Rounds are interleaved; figures are medians of
operations per second and the ratio to the raw driver.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import time
from collections.abc import Iterator
from typing import Any

from reference_backends.cassandra import CassandraDict

KEYSPACE = "pdict_bench"


@contextlib.contextmanager
def cassandra(contact_points: str | None) -> Iterator[tuple[tuple[str, ...], int]]:
    from pdict_conformance.services.cassandra import DEFAULT_IMAGE, parse_contact_points, provide

    class Options:
        def getoption(self, name: str) -> Any:
            return {"pdict_cassandra_contact_points": contact_points, "pdict_cassandra_image": DEFAULT_IMAGE}[name]

    if contact_points:
        yield parse_contact_points(contact_points)
        return
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    with provide(Options()) as service:
        yield service.contact_points, service.port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--contact-points")
    args = parser.parse_args()
    from cassandra.cluster import Cluster

    keys = [f"key-{i:06d}" for i in range(args.n)]
    values = [{"i": i, "name": f"value {i}"} for i in range(args.n)]
    results: dict[str, dict[str, list[float]]] = {"raw driver": {}, "CassandraDict": {}}
    with cassandra(args.contact_points) as (hosts, port):
        cluster = Cluster(list(hosts), port=port)
        session = cluster.connect()
        try:
            for r in range(args.rounds):
                store = CassandraDict(hosts, port, KEYSPACE, f"round_{r}", session=session)
                # The same prepared statements, used directly.
                put, get = store._set, store._get

                def raw_set() -> None:
                    for k, v in zip(keys, values):
                        session.execute(put, (json.dumps(v), json.dumps(k)))

                def raw_get() -> None:
                    for k in keys:
                        json.loads(session.execute(get, (json.dumps(k),)).one().value)

                def dict_set() -> None:
                    for k, v in zip(keys, values):
                        store[k] = v

                def dict_get() -> None:
                    for k in keys:
                        store[k]

                plan = [("raw driver", "set", raw_set), ("CassandraDict", "set", dict_set),
                        ("raw driver", "get", raw_get), ("CassandraDict", "get", dict_get)]
                if r % 2:
                    plan = [plan[1], plan[0], plan[3], plan[2]]
                for who, op, fn in plan:
                    start = time.perf_counter()
                    fn()
                    results[who].setdefault(op, []).append(args.n / (time.perf_counter() - start))
                store.close()
            session.execute(f'DROP KEYSPACE IF EXISTS "{KEYSPACE}"')
        finally:
            cluster.shutdown()
    print(f"n={args.n} keys, {args.rounds} interleaved rounds, median ops/s (ratio to the raw driver)")
    for who, ops in results.items():
        cells = []
        for op, samples in ops.items():
            m = statistics.median(samples)
            base = statistics.median(results["raw driver"][op])
            cells.append(f"{op} {m:8,.0f} ({m / base:4.2f}x)")
        print(f"{who:15} " + "   ".join(cells))


if __name__ == "__main__":
    main()
