"""The results matrix: one static, self-contained HTML page from several certificates.

One column per certificate (backend; the Python version is added when two
certificates certify the same target), one row per test (by stable id),
grouped by area; cells coloured by outcome, a text filter and an outcome
filter, each cell's detail (message, duration, triage, falsifying example,
reproduce command) on click, and a link from each CPython port to the CPython
test file it mirrors.  Everything (data, style, script) is inline: the page
loads nothing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from typing import Any

from .certificate import BAD_OUTCOMES, OUTCOMES

#: What a cell shows for each outcome.
SHORT = {
    "passed": "pass",
    "failed": "FAIL",
    "not applicable": "n/a",
    "deviation": "dev",
    "stale deviation": "stale",
    "error": "ERROR",
}
assert set(SHORT) == set(OUTCOMES)

CPYTHON_SOURCE = "https://github.com/python/cpython/blob/v{version}/Lib/test/{module}.py"
_CPYTHON = re.compile(r"^CPython (?P<version>\d+\.\d+\.\d+\S*) (?P<module>\w+)\.")


def cpython_link(provenance: str) -> str | None:
    """The CPython source file a port mirrors (``CPython 3.13.0 test_dict.DictTest.x``), else None."""
    match = _CPYTHON.match(provenance)
    return CPYTHON_SOURCE.format(**match.groupdict()) if match else None


def _labels(certs: list[dict[str, Any]]) -> list[str]:
    targets = Counter(c["target"] for c in certs)
    labels = []
    for c in certs:
        label = c["target"]
        if targets[label] > 1:
            label += f" (Python {c['versions']['python']})"
        labels.append(label)
    return labels


def matrix_data(certs: list[dict[str, Any]]) -> dict[str, Any]:
    """The page's data: columns, and rows grouped by area (areas sorted, tests in run order)."""
    columns = [
        {"label": label, "target": c["target"], "backend": c["backend"], "python": c["versions"]["python"],
         "conforms": c["conforms"], "summary": c["summary"]}
        for label, c in zip(_labels(certs), certs)
    ]
    rows: dict[str, dict[str, Any]] = {}
    for ci, cert in enumerate(certs):
        for t in cert["tests"]:
            row = rows.setdefault(t["nodeid"], {
                "nodeid": t["nodeid"], "name": t["name"], "area": t["area"], "provenance": t["provenance"],
                "link": cpython_link(t["provenance"]), "cells": [None] * len(certs),
            })
            cell = {"o": t["outcome"], "d": t["detail"], "t": t["duration"], "r": t["reproduce"]}
            if t.get("triage"):
                cell["k"] = t["triage"]
            if t.get("example"):
                cell["e"] = t["example"]
            row["cells"][ci] = cell
    areas = sorted({r["area"] for r in rows.values()})
    ordered = [r for area in areas for r in rows.values() if r["area"] == area]
    return {"columns": columns, "rows": ordered, "outcomes": list(OUTCOMES), "short": SHORT,
            "bad": sorted(BAD_OUTCOMES)}


def render(certs: list[dict[str, Any]]) -> str:
    """The whole page as one HTML string."""
    if not certs:
        raise ValueError("a matrix needs at least one certificate")
    template = resources.files("pdict_conformance").joinpath("templates", "matrix.html").read_text(encoding="utf-8")
    payload = json.dumps(matrix_data(certs), separators=(",", ":")).replace("</", "<\\/")
    return template.replace("__DATA__", payload)
