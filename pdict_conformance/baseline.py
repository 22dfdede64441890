"""Comparing two certificates: what regressed, what improved, what stayed.

One function, :func:`compare`, serves both the baseline gate
(``--pdict-baseline``) and ``pdict diff``.  The rules, per test (by stable id):

* **Regression**: a test that disappeared; a test that now fails, errors or is
  a stale deviation when it did not before (a new test counts the same way); a
  test that ran and now is *not applicable* or a *deviation* (the declarations
  narrowed to make it vanish, including a failure newly declared as a
  deviation).  ``failed`` <-> ``error`` is still failing, not a regression.
* **Improvement**: a test that now passes when it did not; a declared
  deviation that now passes (a stale deviation: the declaration can go).

Per declaration: a deviation added to the spec is a regression and one
removed is an improvement; a capability whose change took tests out of the run
(now not applicable or a deviation, naming that capability) is *narrowed*, a
regression; any other capability change is listed as a change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .certificate import BAD_OUTCOMES

_FAILING = frozenset({"failed", "error"})
_OUT_OF_RUN = frozenset({"not applicable", "deviation"})


@dataclasses.dataclass(frozen=True)
class Change:
    """One difference between two certificates."""

    subject: str  # a test's stable id, "capability NAME" or "deviation PATTERN"
    old: str | None  # outcome or value in the old certificate (None: absent)
    new: str | None  # in the new one (None: absent)
    why: str  # one line for a reader
    triage: Mapping[str, Any] | None = None

    def explained(self) -> str:
        """``why``, with the triage (kind, link) when the deviation carries one."""
        parts = [p for p in (self.triage.get("kind"), self.triage.get("link")) if p] if self.triage else []
        return f"{self.why} [{', '.join(parts)}]" if parts else self.why

    def line(self) -> str:
        return f"{self.subject}: {self.explained()}"


@dataclasses.dataclass
class Comparison:
    """The result of :func:`compare`."""

    regressions: list[Change]
    improvements: list[Change]
    changes: list[Change]
    unchanged: int
    old_label: str = "old"
    new_label: str = "new"

    @property
    def ok(self) -> bool:
        """True when nothing regressed."""
        return not self.regressions

    def render_text(self, update_command: str | None = None) -> str:
        """A plain-text report, regressions first."""
        out = [
            f"pdict diff {self.old_label} -> {self.new_label}: {len(self.regressions)} regressions, "
            f"{len(self.improvements)} improvements, {len(self.changes)} other changes, "
            f"{self.unchanged} unchanged"
        ]
        for title, items in (("REGRESSION", self.regressions), ("IMPROVEMENT", self.improvements),
                             ("CHANGED", self.changes)):
            out += [f"  {title}: {c.line()}" for c in items]
        if self.improvements and update_command:
            out.append(f"  update the baseline with: {update_command}")
        return "\n".join(out) + "\n"

    def render_markdown(self, update_command: str | None = None) -> str:
        """The same report as Markdown (for a pull request or a job summary)."""
        verdict = "no regressions" if self.ok else f"**{len(self.regressions)} regressions**"
        out = [
            f"### pdict diff: {verdict}",
            "",
            f"`{self.old_label}` -> `{self.new_label}`: {len(self.regressions)} regressions, "
            f"{len(self.improvements)} improvements, {len(self.changes)} other changes, "
            f"{self.unchanged} unchanged.",
        ]
        for title, items in (("Regressions", self.regressions), ("Improvements", self.improvements),
                             ("Other changes", self.changes)):
            if items:
                out += ["", f"#### {title}", "", "| subject | was | now | why |", "|---|---|---|---|"]
                out += [
                    f"| `{_md(c.subject)}` | {_md(c.old or '(absent)')} | {_md(c.new or '(absent)')} | "
                    f"{_md(c.explained())} |"
                    for c in items
                ]
        if self.improvements and update_command:
            out += ["", f"Update the baseline with `{update_command}`."]
        return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _tests(cert: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["nodeid"]: t for t in cert["tests"]}


def _test_change(nodeid: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[str, Change] | None:
    """("regression" | "improvement", change) for one test, or None if unchanged."""
    if new is None:
        assert old is not None
        return "regression", Change(nodeid, old["outcome"], None, f"disappeared (was {old['outcome']})")
    n = new["outcome"]
    triage = new.get("triage") or (old or {}).get("triage")
    if old is None:
        if n in BAD_OUTCOMES:
            return "regression", Change(nodeid, None, n, f"new test, {n}: {new['detail']}", triage)
        return None
    o = old["outcome"]
    if o == n or (o in _FAILING and n in _FAILING):
        return None
    if n == "passed":
        why = "fixed" if o in _FAILING else f"now passes (was {o})"
        return "improvement", Change(nodeid, o, n, why, triage)
    if n == "stale deviation" and o != "passed":
        return "improvement", Change(
            nodeid, o, n, "declared deviation now passes: the declaration can go", triage
        )
    if n == "stale deviation":
        why = "deviation added to a passing test"
    elif n in _FAILING:
        why = f"{o} -> {n}: {new['detail']}"
    elif n == "deviation":
        why = f"{o} -> declared deviation ({new['detail']})"
    else:
        why = f"{o} -> not applicable ({new['detail']})"
    return "regression", Change(nodeid, o, n, why, triage)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "{" + ", ".join(map(str, value)) + "}"
    return "(absent)" if value is None else repr(value)


def compare(old: Mapping[str, Any], new: Mapping[str, Any], old_label: str = "old",
            new_label: str = "new") -> Comparison:
    """Compare two (validated) certificates; see the module docstring for the rules."""
    test_regressions: list[Change] = []
    test_improvements: list[Change] = []
    regressions: list[Change] = []  # declarations first, then tests
    improvements: list[Change] = []
    changes: list[Change] = []
    unchanged = 0
    old_tests, new_tests = _tests(old), _tests(new)
    lost_by_capability: dict[str, int] = {}
    for nodeid in [*old_tests, *(n for n in new_tests if n not in old_tests)]:
        o, n = old_tests.get(nodeid), new_tests.get(nodeid)
        found = _test_change(nodeid, o, n)
        if found is None:
            unchanged += o is not None
            continue
        kind, change = found
        (test_regressions if kind == "regression" else test_improvements).append(change)
        if o is not None and n is not None and n["outcome"] in _OUT_OF_RUN and o["outcome"] not in _OUT_OF_RUN:
            for name in new.get("capabilities", {}):
                if f"{name}=" in n["detail"]:
                    lost_by_capability[name] = lost_by_capability.get(name, 0) + 1

    old_caps, new_caps = old.get("capabilities", {}), new.get("capabilities", {})
    for name in sorted(set(old_caps) | set(new_caps)):
        a, b = old_caps.get(name), new_caps.get(name)
        if a == b:
            continue
        lost = lost_by_capability.get(name, 0)
        if lost:
            regressions.append(Change(
                f"capability {name}", _show(a), _show(b),
                f"narrowed {_show(a)} -> {_show(b)}: {lost} tests no longer run",
            ))
        else:
            changes.append(Change(f"capability {name}", _show(a), _show(b), f"{_show(a)} -> {_show(b)}"))

    old_dev, new_dev = old.get("declared_deviations", {}), new.get("declared_deviations", {})
    triage = new.get("deviation_triage", {})
    for pattern in new_dev:
        if pattern not in old_dev:
            regressions.append(Change(
                f"deviation {pattern}", None, new_dev[pattern], f"deviation added: {new_dev[pattern]}",
                triage.get(pattern),
            ))
    for pattern in old_dev:
        if pattern not in new_dev:
            improvements.append(Change(f"deviation {pattern}", old_dev[pattern], None, "deviation removed"))
    regressions += test_regressions
    improvements += test_improvements
    return Comparison(regressions, improvements, changes, unchanged, old_label, new_label)
