"""Helpers for the kit's own tests: run the kit in a pytester folder, read its certificate.

Every run is a subprocess (``pytester.runpytest_subprocess``): the kit sets
process-wide hypothesis state (the loaded profile, the forced seed), a usage
error must be seen as a user sees it (exit code, stderr), and a broken mapping
that hangs or eats memory must not take this session with it.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import pdict_conformance

TESTS_DIR = Path(__file__).resolve().parent
KIT_DIR = Path(pdict_conformance.__file__).resolve().parent
#: Found without importing it: the CPython ports are edited concurrently.
CPYTHON_DIR = Path(importlib.util.find_spec("cpython_dict_tests").origin).resolve().parent

#: Every run uses this seed, so a hypothesis-found failure repeats.
SEED = 20240611

#: A run that takes longer than this (seconds) is killed and fails its test.
RUN_TIMEOUT = 600

#: A plugin written into the pytester folder and loaded with ``-p``: after the
#: kit has loaded its hypothesis profile, it loads the same profile without the
#: shrink phase.  A failure is found exactly as before (same seed, same
#: examples); only the minutes hypothesis may spend shrinking a failing
#: stateful run are saved, which matter here because every run fails.
NO_SHRINK_PLUGIN = """
import pytest
from hypothesis import Phase, settings


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if not config.getoption("pdict_backend", None):
        return
    kit_profile = "pdict-" + config.getoption("pdict_profile")
    settings.register_profile(
        kit_profile + "-noshrink",
        parent=settings.get_profile(kit_profile),
        phases=[phase for phase in Phase if phase is not Phase.shrink],
    )
    settings.load_profile(kit_profile + "-noshrink")
"""


def kit_path(spec: str) -> str:
    """``suite/test_keys.py``, ``models`` or ``cpython/test_dict.py`` -> an absolute path."""
    if spec == "cpython" or spec.startswith("cpython/"):
        return str(CPYTHON_DIR / spec.removeprefix("cpython").lstrip("/"))
    return str(KIT_DIR / spec)


class KitRun:
    """One finished kit run: its pytester result and, if written, its certificate."""

    def __init__(self, result: pytest.RunResult, report: Path | None):
        self.result = result
        self.report = report

    @property
    def ret(self) -> int:
        return int(self.result.ret)

    @property
    def output(self) -> str:
        return "\n".join(self.result.outlines + self.result.errlines)

    @property
    def cert(self) -> dict[str, Any]:
        assert self.report is not None and self.report.exists(), (
            f"no certificate written (exit {self.ret}):\n{self.output[-3000:]}"
        )
        return json.loads(self.report.read_text(encoding="utf-8"))

    def names(self, *outcomes: str) -> set[str]:
        """The names (``test_x`` or ``test_x[param]``) of the tests with these outcomes."""
        return {t["name"] for t in self.cert["tests"] if t["outcome"] in outcomes}

    def records(self, name: str) -> list[dict[str, Any]]:
        """Every test of that name (the suite and a CPython port may share one)."""
        return [t for t in self.cert["tests"] if t["name"] == name]

    def record(self, name: str, module: str | None = None) -> dict[str, Any]:
        """The one test of that name (in ``module``, a file name such as ``test_order.py``)."""
        found = [t for t in self.records(name) if module is None or f"{module}::" in t["nodeid"]]
        assert len(found) == 1, f"{len(found)} tests named {name!r}" + (f" in {module}" if module else "")
        return found[0]


@pytest.fixture
def run_kit(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """``run_kit(backend, *args, paths=..., report=...)`` runs the kit in the pytester folder.

    ``backend`` goes to ``--pdict-backend`` (None: the option is left out).
    ``paths`` are kit paths for :func:`kit_path`; none means the kit's default
    collection.  ``tests/`` is on the subprocess' PYTHONPATH, so
    ``broken_mappings:Name`` imports; so is the pytester folder (pytester adds
    its cwd), so specs written there with ``pytester.makepyfile`` import too.
    """
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(TESTS_DIR), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)  # a CI job's summary is not the self-tests'

    def run(
        backend: str | None,
        *args: str,
        paths: Iterable[str] = (),
        report: str | None = "cert.json",
        profile: str | None = "quick",
        seed: int | None = SEED,
        shrink: bool = False,
    ) -> KitRun:
        # The folder's own empty ini: with kit paths outside the folder, pytest
        # would otherwise find the repository's pyproject.toml and its options.
        ini = pytester.path / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        argv = ["-c", str(ini), f"--rootdir={pytester.path}", "-p", "no:cacheprovider"]
        if not shrink:
            pytester.makepyfile(pdict_selftest_noshrink=NO_SHRINK_PLUGIN)
            argv += ["-p", "pdict_selftest_noshrink"]
        if backend is not None:
            argv.append(f"--pdict-backend={backend}")
        if profile is not None:
            argv.append(f"--pdict-profile={profile}")
        if seed is not None:
            argv.append(f"--pdict-seed={seed}")
        report_path = None
        if report is not None:
            report_path = pytester.path / report
            argv.append(f"--pdict-report={report_path}")
        argv += list(args)
        argv += [kit_path(p) for p in paths]
        result = pytester.runpytest_subprocess(*argv, timeout=RUN_TIMEOUT)
        return KitRun(result, report_path)

    return run


#: Fixtures that start a Cassandra server (the single node, the cluster).
SERVER_FIXTURES = frozenset({"cassandra_node", "cluster"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist's ``--dist loadgroup`` one worker runs every test
    that needs a Cassandra server, so a parallel run starts each server once."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("cassandra"))


@pytest.fixture(scope="session")
def cassandra_node(request):
    """One single-node Cassandra for the backend tests of this session (started on
    first use, stopped at the end); a missing server fails, never skips."""
    from pdict_conformance.services import ServiceError
    from pdict_conformance.services.cassandra import SingleNode

    try:
        with SingleNode.from_options(request.config.getoption).provide() as service:
            yield service
    except ServiceError as exc:
        pytest.fail(f"no Cassandra for the backend tests: {exc}", pytrace=False)
