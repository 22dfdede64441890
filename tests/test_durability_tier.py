"""The durability tier's parts: the crash judge, the child processes, the spec
hooks, figures in the certificate, and ``--pdict-durability``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pdict_conformance import BackendSpec
from pdict_conformance.durability.child import decode_location, encode_location
from pdict_conformance.durability.children import ChildCommandError, ChildError, ChildPool, describe_exit
from pdict_conformance.durability.sizes import SIZES
from pdict_conformance.durability.workload import Op, apply_op, crash_ops, judge
from pdict_conformance.profiles import PROFILES
from pdict_conformance.report import TestRecord as Record
from pdict_conformance.report import build_certificate, render_markdown

TESTS_DIR = Path(__file__).resolve().parent


# -- the judge ---------------------------------------------------------------


def _judge(before, acked, inflight, observed, atomic=False):
    written = {v for op in [*acked, *([inflight] if inflight else [])] for _, v in op.pairs if v is not None}
    written |= set(before.values())
    return judge(before, acked, inflight, observed, update_atomic=atomic, written=written)


SET_A = Op(0, "set", (("a", "1"),))
DEL_B = Op(1, "delete", (("b", None),))
UPDATE = Op(2, "update", (("a", "2"), ("c", "3")))


def test_judge_accepts_every_acknowledged_operation_reflected():
    assert _judge({"b": "0"}, [SET_A, DEL_B], None, {"a": "1"}).ok


def test_judge_finds_a_lost_write_and_a_resurrected_delete():
    verdict = _judge({"b": "0"}, [SET_A, DEL_B], None, {"b": "0"})
    assert not verdict.ok and len(verdict.lost) == 2


def test_judge_finds_a_value_never_written():
    verdict = _judge({}, [SET_A], None, {"a": "1", "z": "never"})
    assert verdict.phantom == ["'z' = 'never'"] and not verdict.lost


def test_judge_allows_the_in_flight_operation_key_by_key():
    for observed in ({"a": "1"}, {"a": "2"}, {"a": "1", "c": "3"}, {"a": "2", "c": "3"}):
        assert _judge({}, [SET_A], UPDATE, observed).ok, observed


def test_judge_refuses_a_half_applied_atomic_update():
    assert _judge({}, [SET_A], UPDATE, {"a": "2", "c": "3"}, atomic=True).ok
    assert _judge({}, [SET_A], UPDATE, {"a": "1"}, atomic=True).ok
    verdict = _judge({}, [SET_A], UPDATE, {"a": "2"}, atomic=True)
    assert not verdict.ok and "half applied" in verdict.torn_atomic


def test_judge_allows_nothing_but_the_in_flight_keys():
    verdict = _judge({"x": "0"}, [SET_A], UPDATE, {"a": "2", "c": "3"})
    assert verdict.lost == ["'x' is absent, acknowledged '0'"]


def test_crash_ops_are_reproducible_and_varied():
    ops = crash_ops(7, 3, 300)
    assert ops == crash_ops(7, 3, 300) and ops != crash_ops(8, 3, 300)
    assert {op.kind for op in ops} == {"set", "delete", "pop", "update", "setdefault"}
    values = [v for op in ops for _, v in op.pairs if v is not None]
    assert len(values) == len(set(values)), "every written value is unique"
    state: dict = {}
    for op in ops:
        state = apply_op(state, op)
    assert state, "the workload leaves data behind"


def test_sizes_cover_every_profile_and_ci_kills_twenty_times():
    assert set(SIZES) == set(PROFILES)
    assert SIZES["quick"].crash_rounds < SIZES["ci"].crash_rounds == 20 < SIZES["thorough"].crash_rounds


# -- spec hooks and locations -------------------------------------------------


def test_spec_handoff_and_adopt_default_to_nothing():
    spec = BackendSpec()
    assert spec.handoff() == {}
    assert spec.adopt({}) is None
    json.dumps(spec.handoff())


def test_locations_cross_to_the_child_as_json():
    for location in (Path("/tmp/x.db"), "table_1", 42, None):
        encoded = json.loads(json.dumps(encode_location(location)))
        assert decode_location(encoded) == location
    with pytest.raises(TypeError):
        encode_location(object())


# -- child processes ----------------------------------------------------------


def _config(target: str) -> dict:
    return {"target": target, "state": {}, "sys_path": [str(TESTS_DIR), *sys.path]}


def test_child_rebuilds_the_spec_and_every_child_is_reaped(tmp_path):
    location = encode_location(tmp_path / "store.log")
    with ChildPool(_config("broken_persistent:LogStoreSpec")) as pool:
        writer = pool.start("writer")
        writer.request("open", location=location)
        writer.request("call", method="__setitem__", args=["k", "v"])
        reader = pool.start("reader")
        reader.request("open", location=location)
        assert reader.request("call", method="get", args=["k"]) == "v"
        with pytest.raises(ChildCommandError, match="KeyError"):
            reader.request("call", method="__getitem__", args=["missing"])
        processes = [c.process for c in pool.children]
    assert all(p.poll() is not None for p in processes), "a child outlived its pool"


def test_a_child_that_cannot_load_the_backend_says_why():
    with ChildPool(_config("no_such_module_here:Spec")) as pool:
        child = pool.spawn()
        with pytest.raises(ChildCommandError, match="no_such_module_here"):
            child.ready()


def test_a_killed_child_is_reported_with_its_signal(tmp_path):
    with ChildPool(_config("broken_persistent:LogStoreSpec")) as pool:
        child = pool.start()
        child.kill()
        with pytest.raises(ChildError, match="SIGKILL"):
            child.request("dump")
    assert describe_exit(-7) == "killed by SIGBUS (signal 7)" and describe_exit(0) == "exit 0"


# -- figures in the certificate -----------------------------------------------


def test_figures_reach_the_json_only_when_measured_and_show_in_markdown():
    plain = Record("a.py::test_a", "test_a", "keys", "pdict kit", outcome="passed", detail="")
    measured = Record("d.py::test_crash", "test_crash", "durability", "pdict kit", outcome="failed",
                          detail="lost", figures={"kills": 20, "lost": 3, "seconds": 1.23456})
    cert = build_certificate(backend="b", target="t", backend_distribution=None, capabilities={},
                             deviations={}, profile="ci", seed=1, records=[plain, measured])
    tests = {t["name"]: t for t in json.loads(json.dumps(cert))["tests"]}
    assert "figures" not in tests["test_a"]
    assert tests["test_crash"]["figures"] == {"kills": 20, "lost": 3, "seconds": 1.23456}
    md = render_markdown(cert)
    assert "## Figures" in md and "| `test_crash` | failed | kills 20, lost 3, seconds 1.23 |" in md


# -- selecting the tier --------------------------------------------------------


def _tier_tests(cert) -> set[str]:
    return {t["nodeid"] for t in cert["tests"] if "/durability/" in t["nodeid"]}


def test_tier_runs_by_default_and_only_or_skip_select_it(run_kit):
    default = run_kit("broken_persistent:LogStoreSpec", "-k", "sigkill or test_reopen_keeps_contents")
    assert default.ret == 0, default.output[-2000:]
    tier = _tier_tests(default.cert)
    assert tier and len(tier) < len(default.cert["tests"])
    crash = default.record("test_acknowledged_operations_survive_sigkill")
    assert crash["figures"]["kills"] == 6 and crash["figures"]["acknowledged"] > 0  # quick profile

    only = run_kit("builtins:dict", "--pdict-durability=only")
    assert only.ret == 0, only.output[-2000:]
    assert only.cert["tests"] and _tier_tests(only.cert) == {t["nodeid"] for t in only.cert["tests"]}
    assert only.names("not applicable") == {t["name"] for t in only.cert["tests"]}, "dict is not persistent"

    skip = run_kit("broken_persistent:LogStoreSpec", "--pdict-durability=skip", "-k", "reopen")
    assert skip.ret == 0, skip.output[-2000:]
    assert skip.cert["tests"] and not _tier_tests(skip.cert)
