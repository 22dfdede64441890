"""The certificate: every test's outcome, written as JSON and as Markdown.

Outcomes:

``passed``          the backend behaves as dict does here.
``failed``          it does not, and nothing declared says so.
``not applicable``  a declared capability rules the test out (skipped).
``deviation``       a declared deviation, and the test failed as declared.
``error``           a stale deviation (the test passed although declared to
                    fail), or an error outside the test body (set-up, clean-up).

A backend conforms when there is no ``failed`` and no ``error``.
"""

from __future__ import annotations

import dataclasses
import json
import platform
import sys
from collections import Counter
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pytest

OUTCOMES = ("passed", "failed", "not applicable", "deviation", "error")


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
    #: The falsifying example (a state machine's steps and the reproduce command).
    example: str | None = None


def classify(report: pytest.TestReport) -> tuple[str, str] | None:
    """The (outcome, detail) a phase report settles, or None if it settles nothing."""
    if report.failed:
        text = str(report.longrepr) if report.longrepr is not None else ""
        if "[XPASS(strict)]" in text:
            return "error", "stale deviation: declared to fail but passed (" + text.split("]", 1)[-1].strip() + ")"
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
) -> dict[str, Any]:
    """The certificate as a JSON-ready dict."""
    counts = Counter(r.outcome for r in records)
    summary = {outcome: counts.get(outcome, 0) for outcome in OUTCOMES}
    summary["total"] = len(records)
    return {
        "backend": backend,
        "target": target,
        "conforms": summary["failed"] == 0 and summary["error"] == 0 and bool(records),
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
        "declared_deviations": deviations,
        "hypothesis": {"profile": profile, "seed": seed},
        "summary": summary,
        "tests": [{k: v for k, v in dataclasses.asdict(r).items() if v is not None} for r in records],
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
    return "\n".join(out) + "\n"


def _failures(tests: list[dict[str, Any]]) -> list[str]:
    """The failures-first section: a table of what failed, then the examples."""
    bad = [t for t in tests if t["outcome"] in ("failed", "error")]
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
    """Write ``path`` (JSON) and the Markdown beside it; return the Markdown path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    md_path = path.with_suffix(".md")
    tmp_json = path.with_name(path.name + ".tmp")
    tmp_md = md_path.with_name(md_path.name + ".tmp")
    tmp_json.write_text(json.dumps(cert, indent=2, default=str) + "\n", encoding="utf-8")
    tmp_md.write_text(render_markdown(cert), encoding="utf-8")
    tmp_json.replace(path)
    tmp_md.replace(md_path)
    return md_path
