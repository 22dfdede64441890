"""The certificate: every test's outcome, written as JSON and as Markdown.

Outcomes:

``passed``          the backend behaves as dict does here.
``failed``          it does not, and nothing declared says so.
``not applicable``  a declared capability rules the test out (skipped).
``deviation``       a declared deviation, and the test failed as declared.
``stale deviation`` the test passed although declared to fail.
``error``           an error outside the test body (set-up, clean-up), or the
                    test never ran.

A backend conforms when there is no ``failed``, ``stale deviation`` or
``error``.  The outcomes and the certificate's shape are defined in
:mod:`pdict_conformance.certificate` (a JSON Schema shipped in the package);
:func:`write_certificate` validates before it writes.
"""

from __future__ import annotations

import dataclasses
import platform
import shlex
import sys
from collections import Counter
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pytest

from .certificate import BAD_OUTCOMES, OUTCOMES, SCHEMA_VERSION, Outcome, dumps
from .triage import declared_triage, matching_triage

#: Stable ids of the kit's own tests start with one of these (see ``plugin.stable_id``).
KIT_TEST_PREFIXES = ("pdict_conformance/", "cpython_dict_tests/")

__all__ = ["OUTCOMES", "Outcome", "TestRecord", "build_certificate", "classify", "write_certificate"]


@dataclasses.dataclass
class TestRecord:
    """One test's line in the certificate."""

    nodeid: str
    name: str
    area: str
    provenance: str
    outcome: str = "error"
    detail: str = "did not run: the session stopped before this test"
    duration: float = 0.0
    #: Measured figures (name -> number: kills, acknowledged, lost, ...); tests
    #: record them with the ``pdict_figures`` fixture.  Left out of the JSON when None.
    figures: dict[str, float] | None = None
    #: The falsifying example (a state machine's steps and the reproduce command).
    example: str | None = None


def classify(report: pytest.TestReport) -> tuple[str, str] | None:
    """The (outcome, detail) a phase report settles, or None if it settles nothing."""
    if report.failed:
        text = str(report.longrepr) if report.longrepr is not None else ""
        if "[XPASS(strict)]" in text:
            return "stale deviation", "stale deviation: declared to fail but passed (" + text.split("]", 1)[-1].strip() + ")"
        if report.when != "call":
            return "error", f"error in {report.when}: " + _crash_message(report, text)
        return "failed", _crash_message(report, text)
    if report.skipped:
        if hasattr(report, "wasxfail"):
            return "deviation", str(report.wasxfail)
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        return "not applicable", reason.removeprefix("Skipped: ")
    if report.when == "call":
        return "passed", ""
    return None


def _crash_message(report: pytest.TestReport, text: str) -> str:
    """The failure's own message (pytest's reprcrash), else the first ``E`` line."""
    crash = getattr(report.longrepr, "reprcrash", None)
    message = getattr(crash, "message", None)
    if message:
        return " ".join(message.split())[:400]
    return _last_line(text)


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    for line in lines:
        if line.startswith("E "):
            return line[2:].strip()[:300]
    return (lines[-1] if lines else "")[:300]


def package_version(distribution: str | None) -> str | None:
    """The installed version of ``distribution``, or None."""
    if not distribution:
        return None
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def build_certificate(
    *,
    backend: str,
    target: str,
    backend_distribution: str | None,
    capabilities: dict[str, Any],
    deviations: dict[str, str],
    profile: str,
    seed: int,
    records: list[TestRecord],
    command: str | None = None,
) -> dict[str, Any]:
    """The certificate as a JSON-ready dict (shape: :func:`pdict_conformance.certificate.schema`).

    ``command`` is the run's exact command line (default: rebuilt from the
    target, profile and seed).  Each test also gets the command that reruns
    it alone with the same backend, profile and seed.
    """
    counts = Counter(str(r.outcome) for r in records)
    summary = {outcome: counts.get(outcome, 0) for outcome in OUTCOMES}
    summary["total"] = len(records)
    rerun = ["pytest", f"--pdict-backend={target}", f"--pdict-profile={profile}", f"--pdict-seed={seed}"]
    tests = []
    for r in records:
        test = dataclasses.asdict(r)
        test["outcome"] = str(r.outcome)
        # The kit's own tests are selected by stable id; a user's test by its node id (a path).
        kit_test = r.nodeid.startswith(KIT_TEST_PREFIXES)
        test["reproduce"] = shlex.join([*rerun, f"--pdict-select={r.nodeid}" if kit_test else r.nodeid])
        if test["outcome"] in (Outcome.DEVIATION, Outcome.STALE_DEVIATION):
            triage = matching_triage(deviations, r.nodeid, r.name)
            if triage is not None:
                test["triage"] = triage
        tests.append({k: v for k, v in test.items() if v is not None})
    bad = sum(summary[o] for o in BAD_OUTCOMES)
    return {
        "schema_version": SCHEMA_VERSION,
        "backend": backend,
        "target": target,
        "conforms": bad == 0 and bool(records),
        "command": command if command is not None else shlex.join(rerun),
        "versions": {
            "pdict_conformance": package_version("pdict") or "unknown",
            "python": platform.python_version(),
            "implementation": sys.implementation.name,
            "pytest": pytest.__version__,
            "hypothesis": package_version("hypothesis"),
            "backend_package": backend_distribution,
            "backend_package_version": package_version(backend_distribution),
        },
        "capabilities": capabilities,
        "declared_deviations": {k: str(v) for k, v in deviations.items()},
        "deviation_triage": declared_triage(deviations),
        "hypothesis": {"profile": profile, "seed": seed},
        "summary": summary,
        "tests": tests,
    }


def render_markdown(cert: dict[str, Any]) -> str:
    """The certificate as a Markdown page: the verdict, then what failed (with
    each falsifying example), then versions, declarations and every test.

    Text from tests (reasons, names, examples) is escaped, so that nothing in it
    (``<generator object ...>``, ``|``, ``*``) is lost or reinterpreted when rendered."""
    s = cert["summary"]
    verdict = "CONFORMS" if cert["conforms"] else "DOES NOT CONFORM"
    out = [
        f"# pdict conformance certificate: {md_code(cert['backend'])}",
        "",
        f"**{verdict}**: {s['passed']} passed, {s['failed']} failed, {s['error']} errors, "
        f"{s['stale deviation']} stale deviations, "
        f"{s['deviation']} declared deviations, {s['not applicable']} not applicable "
        f"({s['total']} tests).",
        "",
        f"Certified with {md_code('pytest --pdict-backend=' + str(cert['target']))}.",
        "",
    ]
    out += _failures(cert["tests"])
    out += ["## Versions", ""]
    out += [f"- {k}: {md_text(str(v))}" for k, v in cert["versions"].items() if v is not None]
    profile, seed = cert["hypothesis"]["profile"], cert["hypothesis"]["seed"]
    out += [
        "",
        f"Hypothesis profile {md_code(str(profile))}, seed {md_code(str(seed))} "
        f"(reproduce with {md_code(f'--pdict-profile={profile} --pdict-seed={seed}')}).",
        "",
        "## Declared capabilities",
        "",
        "| capability | value |",
        "|---|---|",
    ]
    out += [f"| {k} | {md_code(str(v))} |" for k, v in cert["capabilities"].items()]
    if cert["declared_deviations"]:
        out += ["", "## Declared deviations (by test name)", ""]
        out += [f"- {md_code(k)}: {md_text(v)}" for k, v in cert["declared_deviations"].items()]
    out += ["", "## Tests", "", "| test | area | outcome | provenance | detail |", "|---|---|---|---|---|"]
    for t in cert["tests"]:
        out.append(
            f"| {md_code(t['name'])} | {md_text(t['area'])} | {t['outcome']} | "
            f"{md_text(t['provenance'])} | {md_text(t['detail'])} |"
        )
    measured = [t for t in cert["tests"] if t.get("figures")]
    if measured:
        out += ["", "## Figures", "", "| test | outcome | figures |", "|---|---|---|"]
        for t in measured:
            shown = ", ".join(f"{k} {_figure(v)}" for k, v in t["figures"].items())
            out.append(f"| {md_code(t['name'])} | {t['outcome']} | {md_text(shown)} |")
    return "\n".join(out) + "\n"


def _figure(value: Any) -> str:
    """A figure as the Markdown shows it: integers plain, other numbers to 3 significant digits."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3g}"
    return str(int(value)) if isinstance(value, float) else str(value)


def _failures(tests: list[dict[str, Any]]) -> list[str]:
    """The failures-first section: a table of what failed, then the examples."""
    bad = [t for t in tests if t["outcome"] in BAD_OUTCOMES]
    if not bad:
        return []
    out = ["## Failures", "", "| test | area | outcome | reason | falsifying example |", "|---|---|---|---|---|"]
    for t in bad:
        example = "[below](#falsifying-examples)" if t.get("example") else ""
        out.append(
            f"| {md_code(t['name'])} | {md_text(t['area'])} | {t['outcome']} | "
            f"{md_text(t['detail'])} | {example} |"
        )
    examples = [t for t in bad if t.get("example")]
    if examples:
        out += ["", "## Falsifying examples", ""]
        for t in examples:
            out += [f"### {md_code(t['name'])}", "", *md_block(t["example"]), ""]
    out.append("")
    return out


_MD_PUNCTUATION = str.maketrans({c: "\\" + c for c in "\\`*_[]#~|"})


def md_text(text: str) -> str:
    """``text`` as one line of Markdown that renders as exactly that text."""
    text = " ".join(str(text).split())
    text = text.translate(_MD_PUNCTUATION)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_code(text: str) -> str:
    """``text`` as an inline code span (safe inside a table cell)."""
    text = " ".join(str(text).split()).replace("|", "\\|")
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_block(text: str) -> list[str]:
    """``text`` as a fenced code block, its lines kept as they are."""
    fence = "`" * max(3, _longest_run(text, "`") + 1)
    return [f"{fence}text", *str(text).splitlines(), fence]


def _longest_run(text: str, char: str) -> int:
    longest = run = 0
    for c in text:
        run = run + 1 if c == char else 0
        longest = max(longest, run)
    return longest


def write_certificate(path: Path, cert: dict[str, Any]) -> Path:
    """Validate ``cert``, then write ``path`` (JSON) and the Markdown beside it;
    return the Markdown path.  An invalid certificate raises CertificateError
    and writes nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    md_path = path.with_suffix(".md")
    tmp_json = path.with_name(path.name + ".tmp")
    tmp_md = md_path.with_name(md_path.name + ".tmp")
    text = dumps(cert)
    tmp_json.write_text(text, encoding="utf-8")
    tmp_md.write_text(render_markdown(cert), encoding="utf-8")
    tmp_json.replace(path)
    tmp_md.replace(md_path)
    return md_path
