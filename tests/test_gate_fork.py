"""The baseline gate end to end, as a downstream fork uses it.

A fork's store starts with a known bug (popitem takes the first item), is
certified, and its baseline is committed.  Then, each step a subprocess run of
the kit with ``--pdict-baseline``: a regression fails the gate naming the
test; the bug fixed passes and reports the improvement with the update
command (and fails under the strict flag); a narrowed capability or a newly
declared deviation fails; the update flag rewrites the baseline.
"""

from __future__ import annotations

import json
import subprocess

import pytest

STORE = '''
from pdict_conformance import BackendSpec


class ForkStore(dict):
    MOVES_ON_OVERWRITE = {moves}
    POPS_FIRST = {pops_first}

    def __setitem__(self, key, value):
        if self.MOVES_ON_OVERWRITE and key in self:
            del self[key]
        super().__setitem__(key, value)

    def popitem(self):
        if self.POPS_FIRST and self:
            key = next(iter(self))
            return key, self.pop(key)
        return super().popitem()


class ForkSpec(BackendSpec):
    capabilities = {capabilities}
    deviations = {deviations}

    def open(self, location, *args, **kwargs):
        return ForkStore(*args, **kwargs)
'''

PATHS = ["suite/test_order.py"]


@pytest.fixture
def fork(pytester: pytest.Pytester, run_kit, monkeypatch):
    """``fork(moves=..., pops_first=..., capabilities=..., deviations=..., *args)``: write the
    fork's store as given, then run the kit on it with the committed baseline."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")

    def run(*args: str, moves=False, pops_first=False, capabilities=None, deviations=None, report="run.json"):
        source = STORE.format(
            moves=moves, pops_first=pops_first, capabilities=capabilities or {}, deviations=deviations or {}
        )
        (pytester.path / "fork_store.py").write_text(source, encoding="utf-8")
        return run_kit("fork_store:ForkSpec", "--pdict-baseline=conformance.json", *args, paths=PATHS,
                       report=report, seed=None)

    return run


def git(cwd, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_fork_scenario(fork, pytester):
    # 1. certify the fork (popitem is buggy) and commit the baseline
    first = fork("--pdict-seed=99", "--pdict-update-baseline", pops_first=True)
    assert first.ret == 0, first.output[-3000:]
    baseline_path = pytester.path / "conformance.json"
    baseline = json.loads(baseline_path.read_text())
    assert baseline["hypothesis"]["seed"] == 99
    assert {t["name"] for t in baseline["tests"] if t["outcome"] == "failed"} == {"test_popitem_is_lifo"}
    git(pytester.path, "init", "-q")
    git(pytester.path, "add", "conformance.json")
    git(pytester.path, "-c", "user.name=fork", "-c", "user.email=fork@localhost", "commit", "-qm", "baseline")

    # the same code again: the known failure does not fail the gate; the baseline's seed is reused
    same = fork(pops_first=True)
    assert same.ret == 0, same.output[-3000:]
    assert same.cert["hypothesis"]["seed"] == 99
    same.result.stdout.fnmatch_lines(["*0 regressions, 0 improvements*", "gate passed: no regressions against conformance.json"])

    # 2. a regression: overwriting a key now moves it; the gate fails and names the test
    regressed = fork(moves=True, pops_first=True)
    assert regressed.ret == 1, regressed.output[-3000:]
    regressed.result.stdout.fnmatch_lines([
        "*REGRESSION: pdict_conformance/suite/test_order.py::test_overwrite_keeps_place: passed -> failed*",
        "GATE FAILED: 1 regressions against conformance.json",
    ])
    assert "test_popitem_is_lifo" not in "\n".join(l for l in regressed.result.outlines if "REGRESSION" in l)

    # 3. the fix: both bugs gone; the gate passes and reports the improvement with the update command
    fixed = fork()
    assert fixed.ret == 0, fixed.output[-3000:]
    fixed.result.stdout.fnmatch_lines([
        "*IMPROVEMENT: pdict_conformance/suite/test_order.py::test_popitem_is_lifo: fixed",
        "*update the baseline with: pytest * --pdict-baseline=conformance.json * --pdict-update-baseline",
        "gate passed: no regressions against conformance.json",
    ])
    strict = fork("--pdict-baseline-strict")
    assert strict.ret == 1
    strict.result.stdout.fnmatch_lines(["GATE FAILED (strict): 1 improvements not in conformance.json"])

    # 4. narrowing the declarations to make the failure vanish fails the gate
    narrowed = fork(pops_first=True, capabilities={"popitem": "any", "ordering": "none", "reversed": False})
    assert narrowed.ret == 1, narrowed.output[-3000:]
    narrowed.result.stdout.fnmatch_lines([
        "*REGRESSION: capability ordering: narrowed 'insertion' -> 'none': * tests no longer run",
        "*REGRESSION: pdict_conformance/suite/test_order.py::test_overwrite_keeps_place: passed -> not applicable*",
    ])
    hidden = fork(pops_first=True, deviations={"test_popitem_is_lifo": "we pop the oldest"})
    assert hidden.ret == 1, hidden.output[-3000:]
    hidden.result.stdout.fnmatch_lines([
        "*REGRESSION: deviation test_popitem_is_lifo: deviation added: we pop the oldest",
        "*REGRESSION: pdict_conformance/suite/test_order.py::test_popitem_is_lifo: failed -> declared deviation*",
    ])

    # 5. accept the fix: the update flag rewrites the baseline; strict now passes
    updated = fork("--pdict-update-baseline")
    assert updated.ret == 0
    assert "conformance.json" in git(pytester.path, "status", "--short")
    rewritten = json.loads(baseline_path.read_text())
    assert rewritten["summary"]["failed"] == 0 and rewritten["hypothesis"]["seed"] == 99
    assert fork("--pdict-baseline-strict").ret == 0


def test_rerun_failed_runs_only_what_failed(fork, pytester):
    first = fork("--pdict-update-baseline", moves=True, pops_first=True)
    failed = {t["nodeid"] for t in first.cert["tests"] if t["outcome"] == "failed"}
    assert len(failed) >= 2
    again = fork("--pdict-rerun-failed=run.json", moves=True, pops_first=True, report="again.json")
    assert {t["nodeid"] for t in again.cert["tests"]} == failed
    assert again.ret == 0  # still failing, as the baseline says: only the rerun tests are compared
    again.result.stdout.fnmatch_lines([f"*0 regressions, 0 improvements, 0 other changes, {len(failed)} unchanged"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--pdict-update-baseline"], "--pdict-update-baseline needs --pdict-baseline=PATH.json"),
        (["--pdict-baseline=missing.json"], "--pdict-baseline: cannot read certificate missing.json"),
        (["--pdict-rerun-failed=bad.json"], "--pdict-rerun-failed: bad.json is not JSON"),
    ],
)
def test_gate_usage_errors(run_kit, pytester, args, message):
    (pytester.path / "bad.json").write_text("{")
    run = run_kit("builtins:dict", *args, paths=PATHS)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert message in run.output


def test_job_summary_is_appended_when_github_step_summary_is_set(fork, pytester, monkeypatch):
    summary = pytester.path / "step-summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    fork("--pdict-seed=7", "--pdict-update-baseline", pops_first=True)
    regressed = fork(moves=True, pops_first=True)
    assert regressed.ret == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n")  # appended, never overwritten
    assert text.count("## pdict: `ForkSpec` does not conform") == 2
    assert "| `pdict_conformance/suite/test_order.py::test_popitem_is_lifo` | failed |" in text
    assert "### pdict diff: **1 regressions**" in text
    assert "| `pdict_conformance/suite/test_order.py::test_overwrite_keeps_place` | passed | failed |" in text
