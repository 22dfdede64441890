"""Run every benchmark with its defaults, then make the plots and tables.

Run:  .venv/bin/python -m benchmarks [--skip scale-sqlite,kit] [--scale-max-n N]

The one command behind docs/benchmarks.md: it writes
benchmarks/results/*.json, docs/bench-*.png and the generated sections of
docs/benchmarks.md.  The full run takes about 40 minutes on a 2-core
machine, most of it growing the scale stores (``cassandra-costs`` starts the
kit's three-node cluster: Docker and the Cassandra image, as for the kit's
Cassandra backends); ``--skip`` leaves a step's
previous results in place (they are still plotted).
"""

from __future__ import annotations

import argparse
import sys

from . import bench_kit, bench_kyotocabinet, bench_scale, bench_sqlite, cassandra_costs, plot, profile_hotpaths

STEPS = {
    "sqlite": lambda extra: bench_sqlite.main([]),
    "kyotocabinet": lambda extra: bench_kyotocabinet.main([]),
    "kit": lambda extra: bench_kit.main([]),
    "profile": lambda extra: profile_hotpaths.main([]),
    "cassandra-costs": lambda extra: cassandra_costs.main(["--cluster"]),
    "scale-kyotocabinet": lambda extra: bench_scale.main(["--family", "kyotocabinet", *extra]),
    "scale-sqlite": lambda extra: bench_scale.main(["--family", "sqlite", *extra]),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", default="", help=f"comma-separated steps to skip ({', '.join(STEPS)})")
    parser.add_argument("--scale-max-n", type=int, default=None, help="cap N of the scale benchmarks")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skip - set(STEPS)
    if unknown:
        parser.error(f"unknown step(s) {', '.join(sorted(unknown))}; steps: {', '.join(STEPS)}")
    extra = ["--max-n", str(args.scale_max_n)] if args.scale_max_n else []
    for name, step in STEPS.items():
        if name not in skip:
            print(f"== {name}", flush=True)
            step(extra)
    plot.main([])


if __name__ == "__main__":
    main(sys.argv[1:])
