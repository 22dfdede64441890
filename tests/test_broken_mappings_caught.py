"""The kit catches every deliberately broken store, and passes every correct one.

The stores say which they are (``catalogue.py``): ``@caught_by(...)`` on a
broken store names the kit tests that must fail; ``@conforms`` on a correct
one means the whole kit passes.  Each store is certified by a real kit run
(``pytest --pdict-backend=module:Name``, fixed seed): a broken store on the kit
files defining its tests, and the certificate must list each named test among
its *failed* tests (the run must fail for the right reason, not merely fail);
a correct store on the whole kit, with 0 failures.  A defect only counts as
caught if the base it was made from conforms.
"""

from __future__ import annotations

from collections.abc import MutableMapping

import pytest

import broken_mappings
import broken_specs
import control_stores
from catalogue import Entry, assert_caught, broken_in, conforming_in, kit_files_defining, uncatalogued_in
from pdict_conformance import BackendSpec

BROKEN = broken_in(broken_mappings, broken_specs)
CORRECT = conforming_in(broken_mappings, control_stores)


def test_every_store_is_catalogued():
    """Every public store class says whether it is broken or correct; there are at least 25 broken ones."""
    missing = uncatalogued_in(broken_mappings, MutableMapping)
    missing += uncatalogued_in(broken_specs, BackendSpec)
    missing += uncatalogued_in(control_stores, BackendSpec)
    assert not missing, f"neither @caught_by nor @conforms: {missing}"
    assert len(BROKEN) >= 25
    assert len({e.name for e in BROKEN + CORRECT}) == len(BROKEN + CORRECT)


@pytest.mark.parametrize("entry", BROKEN, ids=lambda e: e.name)
def test_catalogued_tests_exist(entry: Entry):
    """Every test a broken store must fail is defined in some kit file."""
    assert kit_files_defining(entry.caught)


@pytest.mark.parametrize("entry", CORRECT, ids=lambda e: e.name)
def test_correct_store_conforms(run_kit, entry: Entry):
    """A correct store passes the whole kit."""
    run = run_kit(entry.target)
    failing = run.names("failed", "error")
    assert run.ret == 0 and not failing, f"{entry.name} fails {sorted(failing)}:\n{run.output[-3000:]}"
    assert run.cert["conforms"] is True


@pytest.mark.parametrize("entry", BROKEN, ids=lambda e: e.name)
def test_broken_store_is_caught(run_kit, entry: Entry):
    """The kit fails the broken store, in (at least) the tests its decorator names."""
    run = run_kit(entry.target, *entry.args, paths=entry.paths, profile=entry.profile)
    assert_caught(run, entry.name, entry.caught)
