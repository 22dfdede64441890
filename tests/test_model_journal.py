"""The state machine goes past divergences, bounds its shrinking, and minimises examples."""

from __future__ import annotations

from typing import Any

import pytest

import broken_mappings
from broken_mappings import Reference
from pdict_conformance import BackendSpec
from pdict_conformance.harness import StoreHarness
from pdict_conformance.models.dict_model import bind, explore
from test_model_declarations import CI, SEED, run_model


class TwoDefects(Reference):
    """KeyError without the key, and popitem() takes the first item."""

    def __getitem__(self, key: Any) -> Any:
        try:
            return super().__getitem__(key)
        except KeyError:
            raise KeyError("not found") from None

    def popitem(self) -> tuple[Any, Any]:
        if not self._data:
            raise KeyError("popitem(): dictionary is empty")
        key = next(iter(self._data))
        return key, self._data.pop(key)


class TwoDefectsSpec(BackendSpec):
    def new_location(self, scratch: Any) -> None:
        return None

    def open(self, location: Any, *args: Any, **kwargs: Any) -> Any:
        return TwoDefects(*args, **kwargs)


def test_one_run_reports_every_kind_it_meets(tmp_path):
    """A wrong KeyError does not hide a wrong popitem: both are reported."""
    journal = run_model(TwoDefectsSpec, tmp_path)
    assert {"get_item", "popitem"} <= set(journal.findings), journal.summary()


def test_examples_are_minimised(tmp_path):
    """Each kind's example is the few steps that show it."""
    journal = run_model("broken_mappings:KeyErrorWithoutKey", tmp_path)
    assert broken_mappings.KeyErrorWithoutKey
    for finding in journal.findings.values():
        assert len(finding.steps) <= 3, finding.steps  # "store = <a new store>", maybe a write, the read
    example = journal.example("pytest --pdict-seed=1")
    assert example.splitlines()[-1] == "reproduce: pytest --pdict-seed=1"
    assert "store[" in example or "store.pop(" in example


def test_spent_budget_ends_the_run_with_what_was_found(tmp_path):
    """With no time to shrink, the run stops at its first failing example and reports it."""
    journal = run_model("broken_mappings:PopitemFIFO", tmp_path, shrink_seconds=0)
    assert journal.spent
    assert "popitem" in journal.findings


class OpenFails(BackendSpec):
    def open(self, location: Any, *args: Any, **kwargs: Any) -> Any:
        raise OSError("no such database")


def test_an_error_that_is_no_divergence_is_raised(tmp_path):
    """A store that cannot even be opened is not reported as a divergence."""
    spec = OpenFails()
    machine = bind(StoreHarness(spec, spec.declared_capabilities(), tmp_path), shrink_seconds=1)
    with pytest.raises(OSError, match="no such database"):
        explore(machine, seed=SEED, settings=CI)
