"""The versioned certificate: its schema, its outcomes, what each record keeps, triage."""

from __future__ import annotations

import copy
import json
import shlex

import pytest

from pdict_conformance.certificate import (
    BAD_OUTCOMES,
    OUTCOMES,
    SCHEMA_VERSION,
    CertificateError,
    Outcome,
    load,
    problems,
    schema,
    validate,
)
from pdict_conformance.report import write_certificate
from pdict_conformance.triage import Deviation

TRIAGED = '''
from pdict_conformance import BackendSpec
from pdict_conformance.triage import Deviation


class MovingDict(dict):
    """Overwriting a key moves it to the end: test_overwrite_keeps_place fails."""

    def __setitem__(self, key, value):
        if key in self:
            del self[key]
        super().__setitem__(key, value)


class TriagedSpec(BackendSpec):
    deviations = {
        "test_overwrite_keeps_place": Deviation("overwrite moves the key", kind="bug", link="https://example.invalid/1"),
        "test_iteration_follows_insertion": Deviation("stale on purpose", kind="flaky"),
    }

    def open(self, location, *args, **kwargs):
        return MovingDict(*args, **kwargs)
'''


def test_schema_is_shipped_and_checks_itself():
    import jsonschema

    s = schema()
    jsonschema.validators.validator_for(s).check_schema(s)
    assert s["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
    assert s["$defs"]["outcome"]["enum"] == list(OUTCOMES)
    assert set(OUTCOMES) == {o.value for o in Outcome}
    assert BAD_OUTCOMES == {"failed", "stale deviation", "error"}
    # the other helpers' optional record fields are part of the contract
    assert {"example", "figures", "triage"} <= set(s["$defs"]["test"]["properties"])


def test_kit_certificate_is_valid_and_reproducible(run_kit, pytester):
    run = run_kit("builtins:dict", paths=["suite/test_order.py"], seed=777)
    assert run.ret == 0, run.output[-2000:]
    cert = run.cert
    assert problems(cert) == []
    assert cert["schema_version"] == SCHEMA_VERSION
    argv = shlex.split(cert["command"])
    assert argv[0] == "pytest" and "--pdict-backend=builtins:dict" in argv and "--pdict-seed=777" in argv
    assert cert["summary"]["stale deviation"] == 0
    for test in cert["tests"]:
        assert test["duration"] >= 0
        assert "--pdict-seed=777" in test["reproduce"] and "--pdict-profile=quick" in test["reproduce"]
    # a record's reproduce command runs that one test again, in the same folder
    target = next(t for t in cert["tests"] if t["name"] == "test_overwrite_keeps_place")
    argv = shlex.split(target["reproduce"])[1:]
    ini = pytester.path / "pytest.ini"
    again = pytester.runpytest_subprocess("-c", str(ini), "-p", "no:cacheprovider", *argv, "--pdict-report=one.json")
    assert again.ret == 0, again.outlines[-20:]
    one = json.loads((pytester.path / "one.json").read_text())
    assert [t["nodeid"] for t in one["tests"]] == [target["nodeid"]]
    assert one["hypothesis"] == cert["hypothesis"]


def test_stale_deviation_is_its_own_outcome_and_triage_is_recorded(run_kit, pytester):
    pytester.makepyfile(triaged=TRIAGED)
    run = run_kit("triaged:TriagedSpec", paths=["suite/test_order.py"])
    cert = run.cert
    assert run.ret == 1
    overwrite = run.record("test_overwrite_keeps_place")
    assert overwrite["outcome"] == "deviation"
    assert overwrite["triage"] == {"kind": "bug", "link": "https://example.invalid/1"}
    stale = run.record("test_iteration_follows_insertion")
    assert stale["outcome"] == "stale deviation" and stale["triage"] == {"kind": "flaky", "link": None}
    assert cert["summary"]["stale deviation"] == 1 and cert["summary"]["error"] == 0
    assert cert["conforms"] is False
    assert cert["declared_deviations"]["test_overwrite_keeps_place"] == "overwrite moves the key"
    assert cert["deviation_triage"]["test_iteration_follows_insertion"] == {"kind": "flaky", "link": None}
    assert "triage" not in run.record("test_reversed")


def test_deviation_kind_is_checked():
    assert Deviation("x", kind="unsupported") == "x"
    with pytest.raises(ValueError, match="deviation kind 'wontfix'; allowed: unsupported, bug, flaky"):
        Deviation("x", kind="wontfix")


def _minimal() -> dict:
    return {
        "schema_version": 1, "backend": "b", "target": "m:B", "conforms": True, "command": "pytest",
        "versions": {"pdict_conformance": "0", "python": "3", "implementation": "cpython", "pytest": "8"},
        "capabilities": {"ordering": "insertion", "key_types": ["int"]}, "declared_deviations": {},
        "hypothesis": {"profile": "ci", "seed": 1},
        "summary": {o: 0 for o in OUTCOMES} | {"passed": 1, "total": 1},
        "tests": [{
            "nodeid": "t.py::test_a", "name": "test_a", "area": "a", "provenance": "pdict kit",
            "outcome": "passed", "detail": "", "duration": 0.1, "reproduce": "pytest",
            "example": "state.machine()", "figures": {"kills": 3, "lost": 0},
        }],
    }


@pytest.mark.parametrize(
    "break_it, message",
    [
        (lambda c: c["tests"][0].update(outcome="xfail"), "tests/0/outcome: 'xfail' is not one of"),
        (lambda c: c["tests"][0].pop("reproduce"), "tests/0: 'reproduce' is a required property"),
        (lambda c: c["tests"][0].update(typo=1), "tests/0: Additional properties are not allowed"),
        (lambda c: c["tests"][0]["figures"].update(lost="none"), "tests/0/figures/lost: 'none' is not of type"),
        (lambda c: c.pop("summary"), "(top level): 'summary' is a required property"),
        (lambda c: c["summary"].update(error=-1), "summary/error: -1 is less than the minimum"),
    ],
)
def test_invalid_certificates_are_refused_with_one_message(break_it, message, tmp_path):
    cert = _minimal()
    validate(cert)
    broken = copy.deepcopy(cert)
    break_it(broken)
    with pytest.raises(CertificateError) as info:
        validate(broken)
    assert message in str(info.value) and "\n" not in str(info.value)
    # and nothing is written
    with pytest.raises(CertificateError):
        write_certificate(tmp_path / "c.json", broken)
    assert list(tmp_path.iterdir()) == []


def test_other_schema_version_and_non_json_are_refused(tmp_path):
    cert = _minimal() | {"schema_version": 2}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cert))
    with pytest.raises(CertificateError, match="schema_version 2; this kit reads version 1"):
        load(path)
    path.write_text("{not json")
    with pytest.raises(CertificateError, match="is not JSON"):
        load(path)
    with pytest.raises(CertificateError, match="cannot read certificate"):
        load(tmp_path / "missing.json")


def test_reproduce_command_of_a_users_own_test(run_kit, pytester):
    """A test of the user's (a path on the command line) is reproduced by its node id."""
    pytester.makepyfile(test_mine="def test_mine(store):\n    store['a'] = 1\n    assert store['a'] == 1\n")
    run = run_kit("builtins:dict", "test_mine.py", seed=5)
    assert run.ret == 0, run.output[-2000:]
    record = run.record("test_mine")
    assert record["reproduce"].endswith("--pdict-seed=5 test_mine.py::test_mine")
