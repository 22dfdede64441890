"""The ``pdict`` command: diff, matrix, badge, summary and certify, run as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pdict_conformance import cli
from pdict_conformance.matrix import cpython_link, matrix_data, render

from test_gate_baseline import cert

TESTS_DIR = Path(__file__).resolve().parent
PDICT = Path(sys.executable).with_name("pdict")


def pdict(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(TESTS_DIR)}
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run([str(PDICT), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def write(path: Path, data: dict) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_console_script_is_installed():
    assert PDICT.exists(), f"{PDICT}: the package's console script is missing"


def test_diff_exit_status_and_formats(tmp_path):
    old = write(tmp_path / "old.json", cert({"test_a": "passed", "test_b": "failed"}))
    fixed = write(tmp_path / "fixed.json", cert({"test_a": "passed", "test_b": "passed"}))
    broke = write(tmp_path / "broke.json", cert({"test_a": "failed", "test_b": "failed"}))
    ok = pdict("diff", old, fixed, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "0 regressions, 1 improvements" in ok.stdout and "IMPROVEMENT: suite/test_x.py::test_b: fixed" in ok.stdout
    bad = pdict("diff", old, broke, "--format", "markdown", cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stdout.startswith("### pdict diff: **1 regressions**")
    assert "| `suite/test_x.py::test_a` | passed | failed |" in bad.stdout


def test_unreadable_certificate_is_one_message(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps({"schema_version": 1, "tests": []}))
    run = pdict("diff", "bad.json", "bad.json", cwd=tmp_path)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip().splitlines() == [
        "pdict diff: bad.json is not a valid pdict certificate: (top level): 'backend' is a required property (and 8 more)"
    ]


def test_badge_json_and_svg(tmp_path):
    good = write(tmp_path / "good.json", cert({"test_a": "passed", "test_b": "not applicable"}))
    run = pdict("badge", good, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "good.badge.json").read_text()) == {
        "schemaVersion": 1, "label": "pdict", "message": "conforms 1/2", "color": "brightgreen"}
    svg = ET.fromstring((tmp_path / "good.badge.svg").read_text())
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")] == ["pdict", "conforms 1/2"]
    failing = cert({"test_a": "passed", "test_b": "failed", "test_c": "stale deviation"})
    failing["conforms"] = False
    run = pdict("badge", write(tmp_path / "f.json", failing), "--json", "b.json", "--svg", "b.svg", cwd=tmp_path)
    assert json.loads((tmp_path / "b.json").read_text())["message"] == "2 failing, 1/3"
    assert "#e05d44" in (tmp_path / "b.svg").read_text()


def test_matrix_page_is_self_contained(tmp_path):
    a = cert({"test_a": "passed", "test_b": "failed"})
    b = cert({"test_a": "deviation", "test_c": "passed"})
    b["target"] = "other:Store"
    b["tests"][1]["provenance"] = "CPython 3.13.0 test_dict.DictTest.test_c"
    b["tests"][0]["triage"] = {"kind": "bug", "link": None}
    run = pdict("matrix", write(tmp_path / "a.json", a), write(tmp_path / "b.json", b), "-o", "m.html", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "m.html").read_text()
    # nothing is loaded from elsewhere
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(http", page)
    payload = re.search(r'<script type="application/json" id="pdict-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(payload)
    assert [c["label"] for c in data["columns"]] == ["m:B", "other:Store"]
    assert [(r["name"], [c and c["o"] for c in r["cells"]]) for r in data["rows"]] == [
        ("test_a", ["passed", "deviation"]), ("test_b", ["failed", None]), ("test_c", [None, "passed"])]
    assert data["rows"][0]["cells"][1]["k"] == {"kind": "bug", "link": None}
    assert data["rows"][2]["link"] == "https://github.com/python/cpython/blob/v3.13.0/Lib/test/test_dict.py"


def test_matrix_groups_by_area_and_labels_python_versions():
    a, b = cert({"test_a": "passed"}), cert({"test_a": "passed"})
    b["versions"]["python"] = "3.12.1"
    a["tests"][0]["area"] = "z"
    extra = cert({"test_b": "passed"})
    data = matrix_data([a, b, extra])
    assert [c["label"] for c in data["columns"]] == ["m:B (Python 3)", "m:B (Python 3.12.1)", "m:B (Python 3)"]
    assert [r["area"] for r in data["rows"]] == ["x", "z"]
    assert cpython_link("pdict kit") is None
    assert cpython_link("CPython 3.12.0 mapping_tests.BasicTestMappingProtocol.test_read").endswith(
        "v3.12.0/Lib/test/mapping_tests.py")
    with pytest.raises(ValueError):
        render([])


def test_summary_closing_line(tmp_path):
    a = write(tmp_path / "a.json", cert({"test_a": "passed", "test_b": "not applicable"}))
    bad = cert({"test_a": "failed", "test_b": "deviation"})
    bad["conforms"] = False
    b = write(tmp_path / "b.json", bad)
    run = pdict("summary", a, b, cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout.splitlines()[-1] == "total: 1 passed, 1 failed, 2 skipped"


def test_certify_all_takes_the_backends_from_the_entry_points(tmp_path):
    """--all certifies every registered backend: a distribution installed on the path that
    registers a (broken) store in the entry-point group is certified with no list edited."""
    site = tmp_path / "site"
    dist = site / "forkstore-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: forkstore\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[pdict_conformance.backends]\nforkstore = broken_mappings:SnapshotIteration\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(TESTS_DIR)])}
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("GITHUB_STEP_SUMMARY", None)
    suite = str(Path(cli.__file__).parent / "suite" / "test_iteration.py")
    run = subprocess.run(
        [str(PDICT), "certify", "--all", "--exclude", "kyotocabinet-*", "--exclude", "sqlite*",
         "--exclude", "cassandra*", "--reports", "r", "--", "--pdict-profile=quick", "--pdict-seed=5", "-q", suite],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600,
    )
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr  # the broken store fails the command
    reports = tmp_path / "r"
    assert sorted(p.name for p in reports.glob("*.json")) == ["OrderedDict.json", "dict.json", "forkstore.json"]
    assert json.loads((reports / "forkstore.json").read_text())["conforms"] is False
    assert (reports / "conformance.html").read_text().count('"label":') == 3
    assert re.search(r"^forkstore \(Python .*\): DOES NOT CONFORM: \d+ passed, [1-9]\d* failed", run.stdout, re.M)
    assert "certify: FAILED: forkstore" in run.stderr
    assert re.fullmatch(r"total: \d+ passed, [1-9]\d* failed, \d+ skipped", run.stdout.splitlines()[-1])


def test_certify_usage(tmp_path):
    run = pdict("certify", cwd=tmp_path)
    assert run.returncode == 2
    assert "name the backends to certify, or --all for every registered one (" in run.stderr
    assert "sqlite" in run.stderr and "dict" in run.stderr
    run = pdict("certify", "--all", "dict", cwd=tmp_path)
    assert run.returncode == 2 and "not both" in run.stderr


def test_certify_expands_glob_patterns_over_the_registered_names(tmp_path):
    suite = str(Path(cli.__file__).parent / "suite" / "test_errors.py")
    run = pdict("certify", "*Dict", "--reports", "r", "--", "--pdict-profile=quick", "-q", suite, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    assert sorted(p.name for p in (tmp_path / "r").glob("*.json")) == ["OrderedDict.json"]
    run = pdict("certify", "nothing*", cwd=tmp_path)
    assert run.returncode == 2 and "'nothing*' matches no registered backend" in run.stderr
