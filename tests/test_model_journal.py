"""The state machine goes past divergences, bounds its shrinking, and minimises examples."""

from __future__ import annotations

from typing import Any

import pytest

import broken_mappings
from broken_mappings import Reference
from control_base import ControlSpec
from pdict_conformance import BackendSpec
from pdict_conformance.harness import StoreHarness
from pdict_conformance.models.dict_model import bind, explore
from pdict_conformance.models.journal import ModelDiverged
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


class TwoDefectsSpec(ControlSpec):
    store_class = TwoDefects


def test_one_run_reports_every_kind_it_meets(tmp_path):
    """A wrong KeyError does not hide a wrong popitem: both are reported."""
    journal = run_model(TwoDefectsSpec, tmp_path, shrink_seconds=30)  # room for a loaded machine
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


class _OneEntryIndex(Reference):
    """``[]`` answers every present key with the value of ``indexed`` (``in``,
    iteration and items() are right)."""

    indexed: Any = None

    def __getitem__(self, key: Any) -> Any:
        if key not in self._data:
            raise KeyError(key)
        return super().__getitem__(self.indexed)

    def items(self) -> Any:
        return [(k, self._load(v)) for k, v in self._data.items()]


class ReadsBackTheLastWrite(_OneEntryIndex):
    """The key written last is read right, every other key wrong."""

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.indexed = key


class ReadsBackTheFirstWrite(_OneEntryIndex):
    """The key written first is read right, every other key wrong, the key just written included."""

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        if self.indexed is None:
            self.indexed = key


def _machine(store: type, tmp_path):
    """A fresh state machine over ``store`` (nothing declared)."""
    spec = type("Spec", (ControlSpec,), {"store_class": store})()
    return bind(StoreHarness(spec, spec.declared_capabilities(), tmp_path), shrink_seconds=1)()


def test_each_step_reads_back_the_keys_it_wrote(tmp_path):
    """A key read wrong right after it was written fails the check after that step."""
    state = _machine(ReadsBackTheFirstWrite, tmp_path)
    state.set_item(key="a", value=1, h=0)
    state.matches_dict()
    state.set_item(key="b", value=2, h=0)
    with pytest.raises(ModelDiverged, match=r"after `store\['b'\] = 2`.*store\['b'\]"):
        state.matches_dict()


def test_the_end_of_an_example_reads_back_every_key(tmp_path):
    """A key read wrong only once other keys were written after it passes the
    checks after each step (they read back the keys written) and fails the
    example at its end, where every key is read back."""
    state = _machine(ReadsBackTheLastWrite, tmp_path)
    state.set_item(key="a", value=1, h=0)
    state.matches_dict()
    state.set_item(key="b", value=2, h=0)
    state.matches_dict()
    assert not state.found
    with pytest.raises(ModelDiverged, match=r"at the end, reading every key back: .*store\['a'\]"):
        state.teardown()
