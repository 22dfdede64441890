"""The pytest plugin itself: options, usage errors, gating, the certificate.

Every case runs pytest in a fresh pytester folder, in a subprocess, as a user
would (see ``conftest.py``).  Where a case needs a backend spec, it writes a
few lines of one into the folder.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import hypothesis
import pytest

import pdict_conformance
from pdict_conformance import Capabilities

USAGE_ERROR = pytest.ExitCode.USAGE_ERROR

#: A spec module the cases below select from with ``specs:Name``.
SPECS = '''
from pdict_conformance import BackendSpec

import broken_mappings


class DictSpec(BackendSpec):
    def open(self, location, *args, **kwargs):
        return dict(*args, **kwargs)


class UnknownCapability(DictSpec):
    capabilities = {"orderng": "insertion"}


class InvalidCapabilityValue(DictSpec):
    capabilities = {"ordering": "random"}


class InvalidKeyType(DictSpec):
    capabilities = {"key_types": {"str", "complex"}}


class KeyTypesNotASet(DictSpec):
    capabilities = {"key_types": "str"}


class UnknownService(DictSpec):
    services = ("redis",)


class FailingInit(DictSpec):
    def __init__(self):
        raise RuntimeError("no connection string")


class StaleNamedDeviation(DictSpec):
    deviations = {"test_iteration_follows_insertion": "iteration order is random"}


class StaleCapabilityDeviation(DictSpec):
    capabilities = {"numeric_key_equality": "distinct"}


class HashableDict(dict):
    __hash__ = object.__hash__


class HashableByName(BackendSpec):
    deviations = {"test_store_is_not_hashable": "handles hash by identity, as ORM objects do"}

    def open(self, location, *args, **kwargs):
        return HashableDict(*args, **kwargs)


class HashableByPattern(HashableByName):
    deviations = {"*::test_store_is_not_hashable": "handles hash by identity"}


class DistinctNumericKeys(BackendSpec):
    """A store that files keys by their pickle, declaring so."""

    capabilities = {"numeric_key_equality": "distinct"}

    def open(self, location, *args, **kwargs):
        return broken_mappings.NumericKeysDistinct(*args, **kwargs)


class Unordered(DictSpec):
    capabilities = {"ordering": "none"}
'''

#: A third-party-style store: its constructor takes its own options (a path
#: and a flag), tables live in a module-level registry so that reopening a
#: path finds its data and two handles share it.
OPTION_STORE = '''
from collections.abc import MutableMapping

from pdict_conformance import BackendSpec

_TABLES = {}


class OptionStore(MutableMapping):
    def __init__(self, path, flag):
        if flag == "c":
            self._table = _TABLES.setdefault(path, {})
        elif flag == "w":
            self._table = _TABLES[path]
        else:
            raise ValueError(f"bad flag {flag!r}")

    def __getitem__(self, key):
        return self._table[key]

    def __setitem__(self, key, value):
        self._table[key] = value

    def __delitem__(self, key):
        del self._table[key]

    def __iter__(self):
        return iter(self._table)

    def __len__(self):
        return len(self._table)


class OptionStoreSpec(BackendSpec):
    capabilities = {
        "persistent": True, "shared_handles": True, "popitem": "first", "reversed": False,
        "operators": False, "copy": "none", "dict_repr": False,
    }

    def open(self, location, *args, **kwargs):
        store = OptionStore(str(location), flag="c")
        store.update(*args, **kwargs)
        return store

    def destroy(self, location):
        _TABLES.pop(str(location), None)
'''


@pytest.fixture
def specs(pytester):
    pytester.makepyfile(specs=SPECS)


def _caps_json(**declared) -> dict:
    return Capabilities.validate({"persistent": False, "shared_handles": False, **declared}).as_json()


def _assert_one_line_usage_error(run, prefix: str) -> str:
    assert run.ret == USAGE_ERROR, run.output
    errors = [line for line in run.result.errlines if line.strip()]
    assert len(errors) == 1, errors
    assert errors[0].startswith(prefix), errors[0]
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output, run.output
    assert run.report is None or not run.report.exists()
    return errors[0]


# -- certifying dict and OrderedDict -------------------------------------------------


@pytest.mark.parametrize(
    "target, declared",
    [("builtins:dict", {}), ("collections:OrderedDict", {"dict_repr": False})],
    ids=["dict", "OrderedDict"],
)
def test_builtin_mappings_conform_with_a_full_certificate(run_kit, target, declared):
    """The whole kit in an empty folder: exit 0, no failure, both certificates written."""
    run = run_kit(target, seed=424242)
    assert run.ret == 0, run.output[-3000:]
    cert = run.cert
    s = cert["summary"]
    assert cert["conforms"] is True
    assert s["failed"] == 0 and s["error"] == 0 and s["deviation"] == 0
    assert s["passed"] > 200 and s["not applicable"] > 0
    outcomes = ("passed", "failed", "not applicable", "deviation", "stale deviation", "error")
    assert s["total"] == len(cert["tests"]) == sum(s[o] for o in outcomes)
    assert cert["backend"] == cert["target"] == target
    assert cert["versions"]["pdict_conformance"] == pdict_conformance.__version__
    assert cert["versions"]["python"] == platform.python_version()
    assert cert["versions"]["pytest"] == pytest.__version__
    assert cert["versions"]["hypothesis"] == hypothesis.__version__
    assert cert["capabilities"] == _caps_json(**declared)
    assert cert["declared_deviations"] == {}
    assert cert["hypothesis"] == {"profile": "quick", "seed": 424242}
    # every test is on the certificate, with its area and where it comes from
    areas = {t["area"] for t in cert["tests"]}
    assert {"keys", "values", "order", "views", "scale", "errors", "iteration", "stateful model"} <= areas
    provenance = {t["name"]: t["provenance"] for t in cert["tests"]}
    assert provenance["test_store_behaves_like_dict"] == "pdict kit"
    assert any(p.startswith("CPython 3.13.0 test_dict.DictTest.") for p in provenance.values())
    # capability-gated tests say which capability rules them out
    record = run.record("test_popitem_takes_first")
    assert record["outcome"] == "not applicable"
    assert "popitem='first'" in record["detail"] and "popitem='last'" in record["detail"]
    # the Markdown certificate beside it
    md = run.report.with_suffix(".md").read_text(encoding="utf-8")
    assert md.startswith(f"# pdict conformance certificate: `{target}`")
    assert "**CONFORMS**" in md
    assert "--pdict-profile=quick --pdict-seed=424242" in md
    assert "| `test_store_behaves_like_dict` | stateful model | passed | pdict kit |" in md
    # the terminal: header and summary
    run.result.stdout.fnmatch_lines([
        f"pdict backend: {target}",
        "pdict hypothesis: profile=quick seed=424242 (rerun with --pdict-profile=quick --pdict-seed=424242)",
    ])
    run.result.stdout.fnmatch_lines([
        "*= pdict conformance =*",
        f"{target}: CONFORMS: {s['passed']} passed, 0 failed, 0 errors, 0 stale deviations, 0 declared deviations, "
        f"{s['not applicable']} not applicable",
        "hypothesis profile=quick seed=424242",
        f"certificate: {run.report} and {run.report.with_suffix('.md')}",
    ])


def test_random_seed_is_printed_and_recorded(run_kit):
    """Without --pdict-seed a seed is drawn, shown in the header and kept in the certificate."""
    run = run_kit("builtins:dict", seed=None, paths=["suite/test_order.py"])
    assert run.ret == 0, run.output
    seed = run.cert["hypothesis"]["seed"]
    assert isinstance(seed, int) and 0 <= seed < 2**32
    run.result.stdout.fnmatch_lines([f"pdict hypothesis: profile=quick seed={seed} *"])


def test_default_profile_is_ci(run_kit):
    run = run_kit("builtins:dict", profile=None, seed=7, paths=["suite/test_order.py"])
    assert run.ret == 0, run.output
    assert run.cert["hypothesis"] == {"profile": "ci", "seed": 7}
    run.result.stdout.fnmatch_lines(["pdict hypothesis: profile=ci seed=7 *"])


def test_explicit_paths_run_with_the_kit_fixtures(run_kit, pytester):
    """With paths, those paths run (not the kit), and their tests get the fixtures and a record."""
    pytester.makepyfile(test_mine='''
        def test_store_fixture(store, caps, pdict_spec, harness):
            store["a"] = 1
            assert store == {"a": 1} and caps.ordering == "insertion"
            assert len(harness.new(b=2)) == 1
    ''')
    run = run_kit("builtins:dict", "test_mine.py")
    assert run.ret == 0, run.output
    assert [(t["name"], t["outcome"], t["area"]) for t in run.cert["tests"]] == [("test_store_fixture", "passed", "mine")]


# -- usage errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, message",
    [
        ("nosuchbackend", "no backend named 'nosuchbackend' (registered: *"),
        ("no_such_module_xyz:Store", "cannot import module 'no_such_module_xyz'*"),
        ("explodes:Store", "importing module 'explodes' for 'explodes:Store' failed: RuntimeError: boom at import"),
        ("builtins:NoSuchStore", "module 'builtins' has no attribute 'NoSuchStore'"),
        ("builtins:len", "'builtins:len' is not a mapping class or BackendSpec*"),
        ("math:pi", "'math:pi' is not a mutable mapping class, BackendSpec, or factory of mappings"),
        ("builtins:", "'builtins:': --pdict-backend takes module:Name*"),
        (":dict", "':dict': --pdict-backend takes module:Name*"),
        ("   ", "empty backend*"),
        ("", "empty backend*"),
        ("specs:FailingInit", "'specs:FailingInit': FailingInit() failed: RuntimeError: no connection string"),
    ],
    ids=[
        "unregistered-name", "missing-module", "module-fails-on-import", "missing-attribute",
        "function-not-a-factory", "not-callable", "empty-attribute", "empty-module", "blank", "empty",
        "spec-init-fails",
    ],
)
def test_bad_backend_is_a_one_line_usage_error(run_kit, pytester, specs, target, message):
    pytester.makepyfile(explodes="raise RuntimeError('boom at import')")
    run = run_kit(target)
    line = _assert_one_line_usage_error(run, "ERROR: --pdict-backend: ")
    assert _fnmatch(line.removeprefix("ERROR: --pdict-backend: "), message), line


@pytest.mark.parametrize(
    "spec, message",
    [
        ("UnknownCapability", "unknown capability 'orderng'; known capabilities: *ordering*"),
        ("InvalidCapabilityValue", "capability 'ordering' cannot be 'random'; allowed: 'insertion', 'sorted', 'none'"),
        ("InvalidKeyType", "capability 'key_types': unknown value(s) ['complex']; allowed: *"),
        ("KeyTypesNotASet", "capability 'key_types' takes a set of names from *, got 'str'"),
        ("UnknownService", "unknown service 'redis'; installed services: *"),
    ],
)
def test_bad_declaration_is_a_one_line_usage_error(run_kit, specs, spec, message):
    run = run_kit(f"specs:{spec}")
    line = _assert_one_line_usage_error(run, "ERROR: --pdict-backend: ")
    assert _fnmatch(line.removeprefix("ERROR: --pdict-backend: "), message), line


def test_markdown_report_path_is_a_usage_error(run_kit):
    run = run_kit("builtins:dict", report="cert.md")
    _assert_one_line_usage_error(run, "ERROR: --pdict-report names the JSON file")


def _fnmatch(text: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(text, pattern.replace("[", "[[]"))


# -- deviations, stale and real ----------------------------------------------------------


def test_stale_named_deviation_fails_the_run(run_kit, specs):
    """A deviation declared by name for a test the backend passes is a stale deviation: the run fails."""
    run = run_kit("specs:StaleNamedDeviation", paths=["suite/test_order.py"])
    assert run.ret == 1, run.output
    cert = run.cert
    assert cert["conforms"] is False
    assert cert["declared_deviations"] == {"test_iteration_follows_insertion": "iteration order is random"}
    assert run.names("stale deviation") == {"test_iteration_follows_insertion"}
    assert run.names("failed", "error") == set()
    detail = run.record("test_iteration_follows_insertion")["detail"]
    assert detail.startswith("stale deviation: declared to fail but passed")
    assert "iteration order is random" in detail
    run.result.stdout.fnmatch_lines(["StaleNamedDeviation: DOES NOT CONFORM: * 0 errors, 1 stale deviations, 0 declared deviations, *"])


def test_stale_capability_deviation_fails_the_run(run_kit, specs):
    """numeric_key_equality='distinct' declared for dict: the tests it marks as deviations pass: stale deviations."""
    run = run_kit("specs:StaleCapabilityDeviation", paths=["suite/test_keys.py"])
    assert run.ret == 1, run.output
    stale = {
        "test_equal_numeric_keys_are_one_key",
        "test_zero_false_and_negative_zero_are_one_key",
        "test_equal_key_of_another_type_is_found",
        "test_equal_tuples_of_different_types_are_one_key",
    }
    assert run.names("stale deviation") == stale
    # and the test that reads the declaration fails: dict keeps 1, 1.0 and True as one key
    assert run.record("test_distinct_numeric_keys_are_three_keys")["outcome"] == "failed"
    for name in stale:
        detail = run.record(name)["detail"]
        assert detail.startswith("stale deviation") and "numeric_key_equality='distinct'" in detail, detail
    # tests that need dict's key equality are ruled out, naming the capability
    record = run.record("test_first_inserted_key_object_is_kept")
    assert record["outcome"] == "not applicable"
    assert "numeric_key_equality='python'" in record["detail"]


@pytest.mark.parametrize("spec", ["HashableByName", "HashableByPattern"])
def test_real_named_deviation_is_counted_and_passes(run_kit, specs, spec):
    """A declared deviation for a test that fails is a 'deviation', and the backend conforms."""
    run = run_kit(f"specs:{spec}", paths=["suite/test_errors.py"])
    assert run.ret == 0, run.output
    cert = run.cert
    assert cert["conforms"] is True
    assert cert["summary"]["deviation"] == 1 and cert["summary"]["failed"] == 0
    record = run.record("test_store_is_not_hashable")
    assert record["outcome"] == "deviation"
    assert record["detail"].startswith("declared deviation: handles hash by identity")
    md = run.report.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Declared deviations (by test name)" in md


def test_real_capability_deviation_is_counted_and_passes(run_kit, specs):
    """A store that keeps 1, 1.0 and True apart and declares numeric_key_equality='distinct' conforms."""
    run = run_kit("specs:DistinctNumericKeys", paths=["suite/test_keys.py"])
    assert run.ret == 0, run.output
    deviations = {
        "test_equal_numeric_keys_are_one_key",
        "test_zero_false_and_negative_zero_are_one_key",
        "test_equal_key_of_another_type_is_found",
        "test_equal_tuples_of_different_types_are_one_key",
    }
    assert run.names("deviation") == deviations
    assert run.cert["capabilities"]["numeric_key_equality"] == "distinct"
    for name in deviations:
        assert run.record(name)["detail"] == "declared deviation: numeric_key_equality='distinct'"
    assert run.record("test_big_float_and_int_equality")["outcome"] == "not applicable"


def test_not_applicable_names_the_capability(run_kit, specs):
    """ordering='none': the order tests are not applicable, and say which capability rules them out."""
    run = run_kit("specs:Unordered", paths=["suite/test_order.py"])
    assert run.ret == 0, run.output
    applicable = {"test_popitem_until_empty", "test_views_pair_up"}
    assert run.names("passed") == applicable
    ruled_out = run.names("not applicable")
    assert ruled_out == {t["name"] for t in run.cert["tests"]} - applicable
    by_ordering = {name for name in ruled_out if "needs ordering=" in run.record(name)["detail"]}
    assert {"test_iteration_follows_insertion", "test_popitem_is_lifo", "test_sorted_iteration"} <= by_ordering
    for name in ruled_out:
        detail = run.record(name)["detail"]
        assert detail.startswith("not applicable: needs "), detail
        if name in by_ordering:
            assert "backend declares ordering='none'" in detail, detail
    md = run.report.with_suffix(".md").read_text(encoding="utf-8")
    assert (
        "| `test_iteration_follows_insertion` | order | not applicable | pdict kit "
        "| not applicable: needs ordering='insertion'"
    ) in md


# -- living with the rest of pytest ------------------------------------------------------


def test_junitxml_alongside_the_certificate(run_kit, pytester):
    run = run_kit("builtins:dict", "--junitxml=junit.xml", paths=["suite/test_views.py", "suite/test_order.py"])
    assert run.ret == 0, run.output
    cert = run.cert
    suite = ET.parse(pytester.path / "junit.xml").getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    assert int(suite.get("tests")) == cert["summary"]["total"]
    assert int(suite.get("failures")) == 0 and int(suite.get("errors")) == 0
    assert int(suite.get("skipped")) == cert["summary"]["not applicable"]


def test_without_backend_the_plugin_does_nothing(run_kit, pytester):
    """No --pdict-backend: the folder's own tests run as usual, no header, no summary, no certificate."""
    pytester.makepyfile(test_plain="def test_one():\n    assert 1 + 1 == 2\n")
    run = run_kit(None, profile=None, seed=None)
    assert run.ret == 0, run.output
    run.result.assert_outcomes(passed=1)
    assert "pdict backend" not in run.output and "pdict conformance" not in run.output
    assert not run.report.exists()


def test_kit_fixtures_without_backend_say_what_is_missing(run_kit, pytester):
    pytester.makepyfile(test_uses_store="def test_it(store):\n    pass\n")
    run = run_kit(None, report=None, profile=None, seed=None)
    assert run.ret == 1
    run.result.stdout.fnmatch_lines(["*the pdict kit fixtures need --pdict-backend=MODULE:NAME*"])


def test_collect_only_claims_nothing(run_kit):
    """--collect-only prints no verdict and writes no certificate."""
    run = run_kit("builtins:dict", "--collect-only", paths=["suite/test_order.py"])
    assert run.ret == 0, run.output
    assert "DOES NOT CONFORM" not in run.output
    assert not run.report.exists()


# -- a third-party store with its own constructor options ----------------------------------


def test_spec_for_a_store_with_constructor_options_certifies(run_kit, pytester):
    """A store built as OptionStore(path, flag) certifies with a spec of a few lines,
    its persistence and second-handle tests included."""
    pytester.makepyfile(optionstore=OPTION_STORE)
    # Its tables live in the process's memory: persistent across handles, not
    # across processes, so the durability tier (which checks that) is left out.
    run = run_kit("optionstore:OptionStoreSpec", "--pdict-durability=skip")
    assert run.ret == 0, run.output[-3000:]
    cert = run.cert
    assert cert["conforms"] is True and cert["backend"] == "OptionStoreSpec"
    caps = cert["capabilities"]
    assert caps["persistent"] is True and caps["shared_handles"] is True and caps["copy"] == "none"
    passed = run.names("passed")
    assert {
        "test_reopen_keeps_contents",
        "test_second_handle_len_is_not_stale",
        "test_popitem_takes_first",
        "test_store_behaves_like_dict",
    } <= passed
    for name in ("test_reversed", "test_popitem_is_lifo"):
        assert run.record(name, "test_order.py")["outcome"] == "not applicable"


def test_backend_module_in_the_current_folder_is_found(tmp_path):
    """--pdict-backend=mod:Name finds mod.py in the folder pytest runs in (as python -m pytest would)."""
    (tmp_path / "localstore.py").write_text("class LocalStore(dict):\n    pass\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    # The console script, not ``python -m pytest`` (which puts the folder on sys.path
    # itself), and no PYTHONPATH (pytester's runners add their folder to it).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("pytest")), "--pdict-backend=localstore:LocalStore",
         "-p", "no:cacheprovider", "--pdict-profile=quick", "-k", "test_keys"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "localstore:LocalStore: CONFORMS" in result.stdout
