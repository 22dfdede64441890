"""Crash: every acknowledged operation survives a SIGKILL of the writing process.

Each round a fresh child opens the store, reads it whole (judging the previous
round), then runs the round's operations (sets, overwrites, deletes, pops,
setdefaults, bulk updates), acknowledging each on a pipe; the parent kills it
with SIGKILL after a seeded number of acknowledgements plus a seeded pause.
A last child reads the store after the last kill.  After each kill the store
must reopen without error, reflect every acknowledged operation, show no value
never written, show at most the one in-flight operation (key by key, or for a
declared-atomic update wholly or not at all), and len() must agree with
iteration.
"""

from __future__ import annotations

import time

import pytest

from .child import encode_location
from .children import ChildCommandError
from .fixtures import len_problem, other_processes, persistent_str_store, tier  # noqa: F401
from .workload import crash_ops, judge

AREA = "durability"


@persistent_str_store
@other_processes
@pytest.mark.pdict_deviates(crash_durability="none")
def test_acknowledged_operations_survive_sigkill(tier):
    rounds, count = tier.sizes.crash_rounds, tier.sizes.crash_ops
    location = tier.new_location()
    atomic = bool(tier.caps.update_atomic)
    state: dict = {}
    written: set = set()
    problems: list[str] = []
    figures = tier.figures
    figures.update(rounds=0, kills=0, acknowledged=0, lost=0, phantom=0, in_flight_visible=0)

    def check(found: dict, round_no: int, acked: list, inflight) -> None:
        verdict = judge(state, acked, inflight, found["items"], update_atomic=atomic, written=written)
        figures["lost"] += len(verdict.lost)
        figures["phantom"] += len(verdict.phantom)
        figures["in_flight_visible"] += verdict.inflight_visible
        where = f"after kill {round_no + 1} (in flight: {inflight.describe() if inflight else 'nothing'})"
        problems.extend(f"{where}: {p}" for p in verdict.problems())
        if bad_len := len_problem(found):
            problems.append(f"{where}: {bad_len}")

    acked: list = []
    inflight = None
    for round_no in range(rounds):
        child = tier.pool.start("writer")
        try:
            child.request("open", location=encode_location(location))
            found = child.request("dump")
        except ChildCommandError as exc:
            problems.append(f"round {round_no + 1}: the store does not reopen: {exc}")
            break
        found["items"] = dict(found["items"])
        if round_no:
            check(found, round_no - 1, acked, inflight)
        state = found["items"]
        ops = crash_ops(tier.seed, round_no, count)
        written.update(v for op in ops for _, v in op.pairs if v is not None)
        kill_after = tier.rng.randrange(count)
        pause = tier.rng.uniform(0, 0.002)
        child.send("workload", seed=tier.seed, round=round_no, count=count)
        seen = 0
        while seen < kill_after:
            message = child.read(60)
            if message is None or "ack" not in message:
                raise AssertionError(f"round {round_no + 1}: the writer stopped before its kill: "
                                     f"{message or child.exit_text()}{child.stderr_tail()}")
            seen += 1
        time.sleep(pause)
        child.kill()
        messages = child.drain()
        tier.pool.release(child)
        errors = [m["error"] for m in messages if "error" in m]
        if errors:
            raise AssertionError(f"round {round_no + 1}: an operation raised: "
                                 f"{errors[0]['type']}: {errors[0]['message']}")
        n_acked = seen + sum(1 for m in messages if "ack" in m)
        done = any("ok" in m for m in messages)
        acked = ops[:n_acked]
        inflight = None if done or n_acked >= count else ops[n_acked]
        figures["rounds"] += 1
        figures["kills"] += 1
        figures["acknowledged"] += n_acked
    else:
        found = tier.dump(location, why=f" after kill {rounds}")
        check(found, rounds - 1, acked, inflight)
    assert not problems, (f"{len(problems)} problem(s) in {figures['kills']} kills "
                          f"(seed {tier.seed}):\n" + "\n".join(problems[:12]))
