"""The GitHub Actions files pass actionlint: this repository's workflows, the composite
action (``action.yml``, checked through the workflow that uses it as ``./``), and the
fork workflow the README shows.

actionlint is built with Go by ``scripts/setup.sh --actionlint`` into ``.venv/bin``;
shellcheck (Debian) lets it check every ``run:`` script too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ACTIONLINT = Path(sys.executable).with_name("actionlint")
FORK_WORKFLOW_MARKER = "# .github/workflows/pdict.yml"


def actionlint(cwd: Path, *files: str) -> subprocess.CompletedProcess:
    if not ACTIONLINT.exists():
        pytest.fail(f"{ACTIONLINT} is missing: run scripts/setup.sh --actionlint", pytrace=False)
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is missing (actionlint would not check run: scripts): "
                    "run scripts/setup.sh --actionlint", pytrace=False)
    return subprocess.run([str(ACTIONLINT), "-no-color", "-oneline", *files], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def project(tmp_path: Path, workflow: str) -> Path:
    """A git folder with this repository's action.yml and one workflow."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
    (tmp_path / ".github" / "workflows" / "pdict.yml").write_text(workflow, encoding="utf-8")
    return tmp_path


def test_repository_workflows_and_action_pass_actionlint():
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert "scripts/test-all.sh" in ci and "uses: ./" in ci  # the README's command, and the action itself
    for version in ("3.10", "3.11", "3.12", "3.13"):
        assert f'"{version}"' in ci
    run = actionlint(ROOT)
    assert run.returncode == 0 and run.stdout == "", run.stdout + run.stderr


def test_actionlint_checks_the_action_through_its_use(tmp_path):
    """A workflow passing an input the action does not declare is caught: action.yml is read."""
    bad = project(tmp_path, """on: push
jobs:
  pdict:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./
        with: {backend: "mystore:Spec", baselines: conformance.json}
""")
    run = actionlint(bad)
    assert run.returncode == 1
    assert 'input "baselines" is not defined in action "pdict conformance"' in run.stdout
    assert 'missing input "backend"' not in run.stdout


def test_readme_fork_workflow_passes_actionlint(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(" + re.escape(FORK_WORKFLOW_MARKER) + r"\n.*?)```", readme, re.S)
    assert match, f"the README shows no yaml block starting {FORK_WORKFLOW_MARKER!r}"
    workflow = match.group(1)
    steps = workflow.split("steps:", 1)[1].strip().splitlines()
    assert len(steps) <= 3, steps  # checkout, the action and its inputs
    local = re.sub(r"uses: [\w.-]+/pdict@\S+", "uses: ./", workflow)
    assert local != workflow
    run = actionlint(project(tmp_path, local))
    assert run.returncode == 0 and run.stdout == "", run.stdout + run.stderr
