"""The durability tier catches every broken persistent store in ``broken_persistent.py``
and passes the correct ones.

Each store is certified by a real kit run (``--pdict-backend=broken_persistent:NameSpec
--pdict-durability=only``, fixed seed) on the tier modules where its defect
shows; the certificate must list every test of the table among its *failed*
tests, with a detail.  The crash test runs at the ci profile (20 kills) where
a defect shows only when a kill lands inside an operation (a torn rewrite, a
half-applied update, a torn record), so that missing it is vanishingly
unlikely; elsewhere the quick profile is enough (the defect shows every time).
"""

from __future__ import annotations

import inspect
import re
from typing import NamedTuple

import pytest

import broken_persistent
from catalogue import assert_caught

CRASH = "durability/test_crash.py"
PROCESSES = "durability/test_processes.py"
THREADS = "durability/test_threads.py"
FORK = "durability/test_fork.py"
RESOURCES = "durability/test_resources.py"
TIER = "durability"


class Case(NamedTuple):
    """A broken store, the tier modules its run selects, the profile, and the tests that must fail."""

    name: str
    paths: tuple[str, ...]
    profile: str
    caught: frozenset[str]


def case(name: str, paths: tuple[str, ...], profile: str, *caught: str) -> Case:
    return Case(name, paths, profile, frozenset(caught))


CASES = [
    case("BufferedUntilClose", (CRASH, PROCESSES, FORK, RESOURCES), "quick",
         "test_acknowledged_operations_survive_sigkill", "test_processes_writing_at_once_lose_nothing",
         "test_write_in_one_process_is_seen_by_the_next_read_in_another",
         "test_processes_pop_each_shared_key_exactly_once", "test_store_opened_before_fork_works_in_the_child",
         "test_full_disk_raises_clearly_and_loses_nothing",
         "test_read_only_location_opens_for_reading_and_refuses_writes"),
    case("FlushEvery50Changes", (CRASH, PROCESSES), "quick",
         "test_acknowledged_operations_survive_sigkill",
         "test_write_in_one_process_is_seen_by_the_next_read_in_another"),
    case("InPlaceRewrite", (CRASH,), "ci", "test_acknowledged_operations_survive_sigkill"),
    case("NoCrossProcessLock", (PROCESSES,), "quick",
         "test_processes_writing_at_once_lose_nothing", "test_processes_pop_each_shared_key_exactly_once"),
    case("CheckThenAct", (THREADS, PROCESSES), "ci",
         "test_threads_setdefault_has_one_winner_per_key", "test_threads_pop_each_key_once",
         "test_threads_popitem_never_returns_an_item_twice", "test_processes_pop_each_shared_key_exactly_once"),
    case("PerHandleCache", (PROCESSES,), "quick",
         "test_write_in_one_process_is_seen_by_the_next_read_in_another",
         "test_processes_pop_each_shared_key_exactly_once"),
    case("UpdateKeyByKey", (CRASH,), "ci", "test_acknowledged_operations_survive_sigkill"),
    case("TornRecordUnopenable", (CRASH,), "ci", "test_acknowledged_operations_survive_sigkill"),
    case("LockfExclusive", (FORK,), "quick", "test_exclusive_lock_survives_closing_other_descriptors"),
]


def _broken_classes() -> set[str]:
    return {
        name for name, obj in vars(broken_persistent).items()
        if inspect.isclass(obj) and obj.__module__ == broken_persistent.__name__
        and "Defect:" in (obj.__doc__ or "")
    }


def test_table_covers_every_broken_store():
    """Every broken store is in the table, once, and there are at least 8."""
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert set(names) == _broken_classes()
    assert len(CASES) >= 8


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_docstring_names_the_catching_tests(c: Case):
    """The store's docstring "Caught by" names exactly the table's tests."""
    doc = inspect.getdoc(getattr(broken_persistent, c.name))
    assert doc and "Caught by:" in doc, c.name
    assert set(re.findall(r"test_\w+", doc.split("Caught by:", 1)[1])) == set(c.caught)


@pytest.mark.parametrize("spec", broken_persistent.CORRECT)
def test_correct_store_passes_the_tier(run_kit, spec):
    """The correct stores pass the whole tier at the ci profile, with figures recorded."""
    run = run_kit(f"broken_persistent:{spec}", "--pdict-durability=only", profile="ci")
    failing = run.names("failed", "error")
    assert run.ret == 0 and not failing, f"{spec} fails {sorted(failing)}:\n{run.output[-3000:]}"
    cert = run.cert
    assert cert["conforms"] is True
    assert {t["nodeid"].split("::")[0].rsplit("/", 1)[1] for t in cert["tests"]} == {
        "test_crash.py", "test_processes.py", "test_threads.py", "test_fork.py", "test_resources.py"}
    crash = run.record("test_acknowledged_operations_survive_sigkill")
    if crash["outcome"] == "passed":
        assert crash["figures"]["kills"] >= 20 and crash["figures"]["lost"] == 0


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_broken_store_is_caught(run_kit, c: Case):
    """The tier fails the broken store, in (at least) the tests the table names."""
    run = run_kit(f"broken_persistent:{c.name}Spec", "--pdict-durability=only", paths=c.paths, profile=c.profile)
    assert_caught(run, c.name, c.caught)
