"""Packaging: the sdist and the wheel build (the wheel from the sdist), install into an empty
venv, and run the kit and the ``pdict`` command from an empty folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = ("pdict_conformance/schemas/certificate-1.schema.json", "pdict_conformance/templates/matrix.html")


def run(*argv: str | Path, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "GITHUB_STEP_SUMMARY", "PYTHONPATH")}
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"{argv}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_sdist_and_wheel_install_and_run_from_an_empty_folder(tmp_path):
    dist = tmp_path / "dist"
    built = run(sys.executable, "-m", "build", "--outdir", dist, ROOT, cwd=tmp_path)
    assert "deprecat" not in (built.stdout + built.stderr).lower()  # e.g. the old project.license table
    sdist, = dist.glob("pdict-*.tar.gz")
    wheel, = dist.glob("pdict-*-py3-none-any.whl")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    for data in PACKAGE_DATA:
        assert any(n.endswith(data) for n in names), data
    with zipfile.ZipFile(wheel) as whl:
        names = whl.namelist()
        metadata = whl.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry_points = whl.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert set(PACKAGE_DATA) <= set(names)
    assert "License-Expression: MIT" in metadata and "Requires-Python: >=3.10" in metadata
    assert "pdict = pdict_conformance.cli:main" in entry_points

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel, cwd=tmp_path)

    empty = tmp_path / "empty"
    empty.mkdir()
    kit = run(bin_dir / "pytest", "-p", "no:cacheprovider", "--pdict-backend=dict", "--pdict-profile=quick",
              "--pdict-report=cert.json", "-q", cwd=empty)
    assert "dict: CONFORMS:" in kit.stdout
    cert = json.loads((empty / "cert.json").read_text())
    assert cert["conforms"] and cert["summary"]["total"] >= 300 and cert["schema_version"] == 1
    where = run(bin_dir / "python", "-c", "import pdict_conformance; print(pdict_conformance.__file__)", cwd=empty)
    assert where.stdout.startswith(str(env_dir))  # the installed copy ran, not this checkout
    summary = run(bin_dir / "pdict", "summary", "cert.json", cwd=empty)
    assert summary.stdout.splitlines()[-1].startswith("total: ")
    run(bin_dir / "pdict", "matrix", "cert.json", "-o", "m.html", cwd=empty)
    assert (empty / "m.html").stat().st_size > 10_000
