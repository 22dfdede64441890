"""The preflight and the kit's collection, as a user meets them (subprocess runs).

A spec whose ``open()`` raises, or a store that is not a mutable mapping, ends
the run before any test with one message and exit code 3, and no certificate.
The preflight runs after the spec has started (its services up).  The kit's
own files are collected whatever the host's ini says about test names.
"""

from __future__ import annotations

import re

import pytest

from pdict_conformance.plugin import EXIT_BACKEND_UNUSABLE

SPECS = '''
from collections.abc import MutableMapping

from pdict_conformance import BackendSpec


class OpenRaises(BackendSpec):
    def open(self, location, *args, **kwargs):
        raise ConnectionRefusedError("connection refused by 127.0.0.1:9")


class Halfway:
    """Looks a little like a mapping: no __len__, __iter__, __delitem__ ..."""

    def __init__(self, *args, **kwargs):
        self.data = dict(*args, **kwargs)

    def __getitem__(self, key):
        return self.data[key]

    def __setitem__(self, key, value):
        self.data[key] = value

    def get(self, key, default=None):
        return self.data.get(key, default)


class NotAMapping(BackendSpec):
    def open(self, location, *args, **kwargs):
        return Halfway(*args, **kwargs)


class NeedsStart(BackendSpec):
    """Can open stores only once start() ran (as a spec whose service the session starts)."""

    started = False

    def start(self, services):
        NeedsStart.started = True

    def open(self, location, *args, **kwargs):
        if not NeedsStart.started:
            raise RuntimeError("open() before start()")
        return dict(*args, **kwargs)


class NoLen(MutableMapping):
    def __init__(self, *args, **kwargs):
        self.data = dict(*args, **kwargs)

    def __getitem__(self, key):
        return self.data[key]

    def __setitem__(self, key, value):
        self.data[key] = value

    def __delitem__(self, key):
        del self.data[key]

    def __iter__(self):
        return iter(self.data)

    __len__ = None


class UnsizedWithoutLen(BackendSpec):
    capabilities = {"sized": False}

    def open(self, location, *args, **kwargs):
        return NoLen(*args, **kwargs)
'''


@pytest.fixture
def specs(pytester):
    pytester.makepyfile(preflight_specs=SPECS)
    return "preflight_specs"


def test_open_that_raises_ends_the_run_with_one_message(run_kit, specs):
    run = run_kit(f"{specs}:OpenRaises")
    assert run.ret == EXIT_BACKEND_UNUSABLE, run.output[-2000:]
    messages = [line for line in run.result.outlines + run.result.errlines if "connection refused by 127.0.0.1:9" in line]
    assert messages and all("opening a store failed" in m for m in messages), run.output[-2000:]
    assert len(messages) <= 2  # pytest's exit line and the kit's summary line, nothing per test
    assert not re.search(r"\b\d+ failed\b", run.output)
    assert not run.report.exists()


def test_not_a_mapping_names_the_missing_methods(run_kit, specs):
    run = run_kit(f"{specs}:NotAMapping")
    assert run.ret == EXIT_BACKEND_UNUSABLE, run.output[-2000:]
    line = next(line for line in run.result.outlines + run.result.errlines if "not a mutable mapping" in line)
    for name in ("__delitem__", "__iter__", "__len__", "__contains__", "keys", "items", "pop", "popitem"):
        assert name in line
    for name in ("__getitem__", "__setitem__", " get,"):
        assert name not in line
    assert not run.report.exists()


def test_class_that_is_not_a_mapping_is_a_usage_error_naming_what_it_lacks(run_kit, specs):
    run = run_kit(f"{specs}:Halfway")
    assert run.ret == pytest.ExitCode.USAGE_ERROR, run.output[-2000:]
    assert "it lacks __delitem__, __iter__, __len__" in run.output


def test_preflight_runs_after_the_spec_started(run_kit, specs):
    run = run_kit(f"{specs}:NeedsStart", "-k", "keys", paths=["suite/test_keys.py"])
    assert run.ret == 0, run.output[-3000:]
    assert run.cert["conforms"] is True


def test_unsized_store_need_not_have_len(run_kit, specs):
    run = run_kit(f"{specs}:UnsizedWithoutLen", "-k", "test_get", paths=["suite/test_methods.py"])
    assert "not a mutable mapping" not in run.output
    assert run.ret in (0, 1), run.output[-3000:]


HOST_INI = """[pytest]
python_files = check_*.py
python_classes = Check
python_functions = check_*
"""


def _collected(result: pytest.RunResult) -> int:
    match = re.search(r"(\d+) tests? collected", result.stdout.str())
    assert match, result.stdout.str()[-2000:]
    return int(match.group(1))


def test_collection_ignores_the_host_naming_settings(pytester):
    """A host ini with its own python_files/classes/functions collects the same kit tests."""
    counts = {}
    for name, ini in (("plain", "[pytest]\n"), ("host", HOST_INI)):
        path = pytester.path / f"{name}.ini"
        path.write_text(ini, encoding="utf-8")
        result = pytester.runpytest_subprocess(
            "-c", str(path), f"--rootdir={pytester.path}", "-p", "no:cacheprovider",
            "--pdict-backend=builtins:dict", "--collect-only", "-q",
        )
        assert result.ret == 0, result.stdout.str()[-2000:]
        counts[name] = _collected(result) if "collected" in result.stdout.str() else len(
            [ln for ln in result.outlines if "::" in ln]
        )
    assert counts["plain"] > 200
    assert counts["host"] == counts["plain"]
