"""The kit's own speed: wall-clock seconds of its commands, against the goals.

Run:  .venv/bin/python -m benchmarks.bench_kit [--rounds 3] [--with-setup]

Runs, interleaved over the rounds, each as a fresh process:

* the whole kit against ``builtins:dict`` (``pytest --pdict-backend=builtins:dict``
  from an empty folder, as a user would); goal 5 s;
* ``scripts/certify.sh`` without its setup step: the pytest command it ends
  with, from the repository root; goal 20 s;
* with ``--with-setup``, ``scripts/certify.sh`` itself on this machine,
  already set up (its idempotent ``scripts/setup.sh`` included); goal 20 s.

``--pytest-args`` is appended to each kit run (the smoke test uses it to
select a few tests).  Each run records its wall seconds and its CPU seconds
(user + system of its processes): on a shared machine the wall time grows
with the load, the CPU time much less.  Writes ``benchmarks/results/kit.json``.
"""

from __future__ import annotations

import argparse
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/bench_kit.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from . import harness

ROOT = Path(__file__).resolve().parent.parent
MODULE = "benchmarks.bench_kit"


def runs(with_setup: bool, extra: list[str], scratch: Path) -> list[dict[str, Any]]:
    """The commands to time: name, argv, working folder, goal."""
    pytest = str(ROOT / ".venv" / "bin" / "pytest")
    if not Path(pytest).exists():
        raise SystemExit(f"{pytest} is missing; run scripts/setup.sh first")
    out = [
        {"name": "whole kit against builtins:dict", "goal_s": 5.0, "cwd": scratch,
         "argv": [pytest, "-p", "no:cacheprovider", "-q", "--pdict-backend=builtins:dict", *extra]},
        {"name": "scripts/certify.sh without setup (sqlite)", "goal_s": 20.0, "cwd": ROOT,
         "argv": [pytest, "-p", "no:cacheprovider", "-q", "--pdict-backend=sqlite",
                  f"--pdict-report={scratch / 'sqlite.json'}", *extra]},
    ]
    if with_setup:
        out.append({"name": "scripts/certify.sh (machine set up)", "goal_s": 20.0, "cwd": ROOT,
                    "argv": [str(ROOT / "scripts" / "certify.sh"), "-q", *extra]})
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_run(run: dict[str, Any]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the run's processes) and the last line of its output."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(run["argv"], cwd=run["cwd"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
    outcome = lines[-1].strip("= ") if lines else ""
    if done.returncode not in (0,):
        raise SystemExit(f"{run['name']} failed (exit {done.returncode}): {outcome}\n{done.stderr[-2000:]}")
    return seconds, cpu, outcome


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--with-setup", action="store_true", help="also time scripts/certify.sh with its setup step")
    parser.add_argument("--pytest-args", default="", help="extra arguments for every kit run (shell-quoted)")
    parser.add_argument("--out", type=Path, default=harness.RESULTS_DIR / "kit.json")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    command = harness.command_line(MODULE, argv)
    print(f"$ {command}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        plan = runs(args.with_setup, shlex.split(args.pytest_args), Path(tmp))
        samples: dict[str, list[float]] = {r["name"]: [] for r in plan}
        cpus: dict[str, list[float]] = {r["name"]: [] for r in plan}
        outcomes: dict[str, str] = {}
        for r in range(args.rounds):
            order = harness.shuffled(plan, seed=r)
            for run in order:
                seconds, cpu, outcomes[run["name"]] = time_run(run)
                samples[run["name"]].append(seconds)
                cpus[run["name"]].append(cpu)
                print(f"  round {r}: {run['name']}: {seconds:.1f} s wall, {cpu:.1f} s CPU "
                      f"({outcomes[run['name']]})", flush=True)
        results = []
        for run in plan:
            shown = [Path(run["argv"][0]).relative_to(ROOT).as_posix(), *run["argv"][1:]]
            shown = [a.replace(tmp, "TMP") for a in shown]
            median = statistics.median(samples[run["name"]])
            results.append({"name": run["name"], "command": " ".join(map(shlex.quote, shown)),
                            "cwd": "an empty folder" if run["cwd"] != ROOT else "the repository root",
                            "seconds": samples[run["name"]], "median_s": median, "goal_s": run["goal_s"],
                            "cpu_seconds": cpus[run["name"]], "median_cpu_s": statistics.median(cpus[run["name"]]),
                            "outcome": outcomes[run["name"]]})
            print(f"{run['name']}: median {median:.1f} s (goal {run['goal_s']:g} s)")
    doc = harness.write_results(args.out, "kit", command, {"rounds": args.rounds, "with_setup": args.with_setup,
                                                  "pytest_args": args.pytest_args}, {"runs": results}, started)
    print(f"wrote {args.out} ({doc['seconds']:.1f} s)")
    return doc


if __name__ == "__main__":
    main(sys.argv[1:])
