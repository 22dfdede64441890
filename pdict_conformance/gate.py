"""The kit as a CI gate: baselines, reruns, selections and the job summary.

A second ``pytest11`` plugin beside :mod:`pdict_conformance.plugin`; it acts
only when the kit runs (``--pdict-backend``, or a baseline that names one).

``--pdict-baseline=conformance.json``
    Compare the run with that committed certificate (see
    :mod:`pdict_conformance.baseline`) and let the exit status say only
    whether something regressed: known failures recorded in the baseline do
    not fail the run, a regression does and is named.  Improvements are listed
    with the command that updates the baseline.  Without ``--pdict-backend``
    the baseline's target is certified; without ``--pdict-seed`` (and
    ``--pdict-profile``) the baseline's are reused.
``--pdict-baseline-strict``
    Improvements fail the run too, until the baseline is updated.
``--pdict-update-baseline``
    Write the run's certificate to the baseline path (creating it) and pass.
``--pdict-rerun-failed=CERT.json``
    Run only the tests that failed, errored or were stale deviations there.
``--pdict-select=ID``
    Run only the test with this stable id (repeatable); every certificate
    record's ``reproduce`` command uses it.

Whenever ``GITHUB_STEP_SUMMARY`` names a file, the run appends a Markdown
summary to it (the verdict, what failed, and the baseline comparison).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

import pytest

from .baseline import Comparison, compare
from .certificate import BAD_OUTCOMES, CertificateError, dumps, load

_BASELINE = pytest.StashKey[dict]()
_COMPARISON = pytest.StashKey[Comparison]()
_SELECTED = pytest.StashKey[set]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pdict", "pdict conformance kit")
    group.addoption(
        "--pdict-baseline", metavar="PATH.json",
        help="fail only on regressions against this committed certificate (its seed is reused)",
    )
    group.addoption(
        "--pdict-baseline-strict", action="store_true",
        help="with --pdict-baseline: improvements fail too, until the baseline is updated",
    )
    group.addoption(
        "--pdict-update-baseline", action="store_true",
        help="with --pdict-baseline: rewrite the baseline from this run",
    )
    group.addoption(
        "--pdict-rerun-failed", metavar="CERT.json",
        help="run only the tests that failed, errored or were stale deviations in that certificate",
    )
    group.addoption(
        "--pdict-select", action="append", default=[], metavar="ID",
        help="run only the test with this stable id (as in the certificate); repeatable",
    )


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _load(option: str, path: str) -> dict[str, Any]:
    try:
        return load(path)
    except CertificateError as exc:
        raise pytest.UsageError(f"{option}: {exc}") from None


def _given(config: pytest.Config, flag: str) -> bool:
    return any(a == flag or a.startswith(flag + "=") for a in config.invocation_params.args)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Before the kit configures: read the baseline, take its target, seed and profile."""
    path = config.getoption("pdict_baseline")
    if config.getoption("pdict_update_baseline") and not path:
        raise pytest.UsageError("--pdict-update-baseline needs --pdict-baseline=PATH.json")
    if config.getoption("pdict_baseline_strict") and not path:
        raise pytest.UsageError("--pdict-baseline-strict needs --pdict-baseline=PATH.json")
    selected = set(config.getoption("pdict_select") or ())
    rerun = config.getoption("pdict_rerun_failed")
    if rerun:
        cert = _load("--pdict-rerun-failed", rerun)
        selected |= {t["nodeid"] for t in cert["tests"] if t["outcome"] in BAD_OUTCOMES}
        if config.getoption("pdict_backend") is None:
            config.option.pdict_backend = cert["target"]
    if selected or rerun:
        config.stash[_SELECTED] = selected
    if not path:
        return
    if config.getoption("pdict_update_baseline") and not Path(path).exists():
        if config.getoption("pdict_backend") is None:
            raise pytest.UsageError(f"--pdict-baseline: {path} does not exist yet; name the backend to certify")
        return
    baseline = _load("--pdict-baseline", path)
    config.stash[_BASELINE] = baseline
    if config.getoption("pdict_backend") is None:
        config.option.pdict_backend = baseline["target"]
    if config.getoption("pdict_seed") is None:
        config.option.pdict_seed = baseline["hypothesis"]["seed"]
        if not _given(config, "--pdict-profile"):
            config.option.pdict_profile = baseline["hypothesis"]["profile"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selected = config.stash.get(_SELECTED, None)
    if selected is None or _state(config) is None:
        return
    from .plugin import stable_id

    keep, drop = [], []
    for item in items:
        (keep if stable_id(item) in selected else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _state(config: pytest.Config) -> Any:
    from .plugin import _state as kit_state

    return kit_state(config)


def update_command(config: pytest.Config) -> str:
    """The run's own command with ``--pdict-update-baseline`` added."""
    args = [a for a in config.invocation_params.args if a not in ("--pdict-baseline-strict",)]
    return shlex.join(["pytest", *args, "--pdict-update-baseline"])


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = _state(config)
    if state is None or _is_worker(config) or config.option.collectonly or not state.records:
        return
    cert = state.certificate()
    path = config.getoption("pdict_baseline")
    comparison = None
    if path:
        baseline = config.stash.get(_BASELINE, None)
        if baseline is not None:
            if _SELECTED in config.stash:
                ran = {t["nodeid"] for t in cert["tests"]}
                baseline = {**baseline, "tests": [t for t in baseline["tests"] if t["nodeid"] in ran]}
            comparison = compare(baseline, cert, old_label=str(path), new_label="this run")
            config.stash[_COMPARISON] = comparison
        if config.getoption("pdict_update_baseline"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(dumps(cert), encoding="utf-8")
        if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            failing = comparison is not None and not config.getoption("pdict_update_baseline") and (
                comparison.regressions
                or (config.getoption("pdict_baseline_strict") and comparison.improvements)
            )
            session.exitstatus = pytest.ExitCode.TESTS_FAILED if failing else pytest.ExitCode.OK
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as fh:
            fh.write(job_summary(cert, comparison, update_command(config)))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    comparison = config.stash.get(_COMPARISON, None)
    path = config.getoption("pdict_baseline")
    if not path or _is_worker(config):
        return
    tr = terminalreporter
    tr.section("pdict baseline")
    if config.getoption("pdict_update_baseline"):
        tr.write_line(f"baseline written: {path}")
    if comparison is None:
        return
    tr.write(comparison.render_text(update_command(config)))
    if comparison.regressions:
        tr.write_line(f"GATE FAILED: {len(comparison.regressions)} regressions against {path}")
    elif comparison.improvements and config.getoption("pdict_baseline_strict"):
        tr.write_line(f"GATE FAILED (strict): {len(comparison.improvements)} improvements not in {path}")
    else:
        tr.write_line(f"gate passed: no regressions against {path}")


def job_summary(cert: dict[str, Any], comparison: Comparison | None, update: str) -> str:
    """The Markdown a CI job shows: verdict, what failed, and the baseline comparison."""
    s = cert["summary"]
    verdict = "conforms" if cert["conforms"] else "does not conform"
    out = [
        f"## pdict: `{cert['backend']}` {verdict}",
        "",
        f"{s['passed']} passed, {s['failed']} failed, {s['error']} errors, {s['stale deviation']} stale "
        f"deviations, {s['deviation']} declared deviations, {s['not applicable']} not applicable "
        f"({s['total']} tests; seed {cert['hypothesis']['seed']}).",
    ]
    bad = [t for t in cert["tests"] if t["outcome"] in BAD_OUTCOMES]
    if bad:
        out += ["", "| test | outcome | detail |", "|---|---|---|"]
        out += [
            f"| `{t['nodeid']}` | {t['outcome']} | {t['detail'].replace('|', '/').replace(chr(10), ' ')[:200]} |"
            for t in bad[:100]
        ]
    if comparison is not None:
        out += ["", comparison.render_markdown(update)]
    return "\n".join(out) + "\n\n"
