"""The comparison rules of the baseline gate and ``pdict diff``, one transition at a time."""

from __future__ import annotations

import copy

import pytest

from pdict_conformance.baseline import compare
from pdict_conformance.certificate import OUTCOMES, validate


def cert(outcomes: dict[str, str], capabilities=None, deviations=None) -> dict:
    """A valid certificate with one test per entry (name -> outcome)."""
    tests = [
        {"nodeid": f"suite/test_x.py::{name}", "name": name, "area": "x", "provenance": "pdict kit",
         "outcome": outcome, "detail": f"{outcome} detail", "duration": 0.0, "reproduce": "pytest"}
        for name, outcome in outcomes.items()
    ]
    summary = {o: sum(1 for t in tests if t["outcome"] == o) for o in OUTCOMES} | {"total": len(tests)}
    c = {
        "schema_version": 1, "backend": "b", "target": "m:B", "conforms": True, "command": "pytest",
        "versions": {"pdict_conformance": "0", "python": "3", "implementation": "cpython", "pytest": "8"},
        "capabilities": capabilities or {"ordering": "insertion"}, "declared_deviations": deviations or {},
        "hypothesis": {"profile": "ci", "seed": 1}, "summary": summary, "tests": tests,
    }
    validate(c)
    return c


REGRESSION, IMPROVEMENT, SAME = "regression", "improvement", "unchanged"


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("passed", "passed", SAME),
        ("passed", "failed", REGRESSION),
        ("passed", "error", REGRESSION),
        ("passed", "stale deviation", REGRESSION),  # a deviation declared on a passing test
        ("passed", "deviation", REGRESSION),
        ("passed", "not applicable", REGRESSION),
        ("failed", "deviation", REGRESSION),  # a failure hidden by a new declaration
        ("failed", "not applicable", REGRESSION),  # ... or by a narrowed capability
        ("deviation", "failed", REGRESSION),
        ("stale deviation", "failed", REGRESSION),
        ("not applicable", "failed", REGRESSION),
        ("failed", "error", SAME),  # still failing
        ("error", "failed", SAME),
        ("failed", "failed", SAME),
        ("deviation", "deviation", SAME),
        ("failed", "passed", IMPROVEMENT),
        ("error", "passed", IMPROVEMENT),
        ("deviation", "stale deviation", IMPROVEMENT),  # the declaration can go
        ("deviation", "passed", IMPROVEMENT),
        ("not applicable", "passed", IMPROVEMENT),
        ("stale deviation", "passed", IMPROVEMENT),
    ],
)
def test_transition(old, new, expected):
    result = compare(cert({"test_a": old, "test_b": "passed"}), cert({"test_a": new, "test_b": "passed"}))
    kinds = {REGRESSION: result.regressions, IMPROVEMENT: result.improvements}
    found = [k for k, items in kinds.items() if any(c.subject.endswith("::test_a") for c in items)]
    assert found == ([] if expected == SAME else [expected])
    assert result.ok is (expected != REGRESSION)
    assert result.unchanged == (2 if expected == SAME else 1)


def test_disappeared_and_new_tests():
    old = cert({"test_a": "passed", "test_gone": "failed"})
    new = cert({"test_a": "passed", "test_new_ok": "passed", "test_new_bad": "failed"})
    result = compare(old, new)
    lines = [c.line() for c in result.regressions]
    assert lines == [
        "suite/test_x.py::test_gone: disappeared (was failed)",
        "suite/test_x.py::test_new_bad: new test, failed: failed detail",
    ]
    assert result.improvements == []


def test_declarations():
    old = cert({"test_a": "passed"}, capabilities={"ordering": "insertion", "key_types": ["int", "str"]},
               deviations={"test_old": "gone now"})
    new = copy.deepcopy(old)
    new["capabilities"] = {"ordering": "insertion", "key_types": ["int"]}
    new["declared_deviations"] = {"test_new": "hidden"}
    new["tests"][0].update(outcome="not applicable", detail="not applicable: needs key_types={'str'}")
    result = compare(old, new)
    assert [c.subject for c in result.regressions] == [
        "capability key_types", "deviation test_new", "suite/test_x.py::test_a"]
    assert "narrowed {int, str} -> {int}: 1 tests no longer run" in result.regressions[0].line()
    assert [c.line() for c in result.improvements] == ["deviation test_old: deviation removed"]
    # a capability change that takes no test out of the run is listed, not a regression
    new2 = copy.deepcopy(old)
    new2["capabilities"]["ordering"] = "sorted"
    result = compare(old, new2)
    assert result.ok and [c.line() for c in result.changes] == ["capability ordering: 'insertion' -> 'sorted'"]


def test_renderings_name_regressions_and_the_update_command():
    result = compare(cert({"test_a": "passed", "test_b": "failed"}), cert({"test_a": "failed", "test_b": "passed"}),
                     old_label="base.json", new_label="run.json")
    text = result.render_text("pytest --pdict-update-baseline")
    assert text.splitlines() == [
        "pdict diff base.json -> run.json: 1 regressions, 1 improvements, 0 other changes, 0 unchanged",
        "  REGRESSION: suite/test_x.py::test_a: passed -> failed: failed detail",
        "  IMPROVEMENT: suite/test_x.py::test_b: fixed",
        "  update the baseline with: pytest --pdict-update-baseline",
    ]
    md = result.render_markdown()
    assert "### pdict diff: **1 regressions**" in md
    assert "| `suite/test_x.py::test_a` | passed | failed | passed -> failed: failed detail |" in md


def test_triage_is_shown_with_the_change():
    old = cert({"test_a": "deviation"})
    new = cert({"test_a": "stale deviation"})
    new["tests"][0]["triage"] = {"kind": "flaky", "link": "https://example.invalid/7"}
    result = compare(old, new)
    assert [c.line() for c in result.improvements] == [
        "suite/test_x.py::test_a: declared deviation now passes: the declaration can go "
        "[flaky, https://example.invalid/7]"]
    assert "| the declaration can go [flaky, https://example.invalid/7] |" in result.render_markdown().replace(
        "declared deviation now passes: ", "")
