"""The state machine honours every declaration, and still catches what breaks it.

These run the machine in this process (``bind`` and ``explore``), with the ci
profile's size and a fixed seed: every control store (a correct store under an
unusual declaration, ``control_stores.py``) passes it, and broken twins of the
new capabilities are caught in the kind of operation they break.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as Settings

import broken_specs
import control_stores
from catalogue import conforming_in
from control_stores import ControlSpec, ControlStore, ForwardViewStore, JsonStore, JsonValues
from pdict_conformance.harness import StoreHarness
from pdict_conformance.loading import load_backend
from pdict_conformance.models.dict_model import bind, explore
from pdict_conformance.models.journal import Journal
from pdict_conformance.profiles import PROFILES

SEED = 20240611

#: The ci profile's size, without loading the profile into this process.
CI = Settings(
    deadline=None, database=None, suppress_health_check=list(HealthCheck), **PROFILES["ci"].settings
)
#: Half its examples, for the stores that must pass (each runs every example).
HALF_CI = Settings(CI, max_examples=CI.max_examples // 2)


def run_model(target: Any, tmp_path, shrink_seconds: float | None = 10, settings: Settings = CI) -> Journal:
    """Run the state machine on ``target`` (``module:Name`` or a spec class); its journal."""
    spec = load_backend(target) if isinstance(target, str) else target()
    machine = bind(StoreHarness(spec, spec.declared_capabilities(), tmp_path), shrink_seconds=shrink_seconds)
    return explore(machine, seed=SEED, settings=settings)


# -- correct stores pass ----------------------------------------------------------------


@pytest.mark.parametrize("target", [e.target for e in conforming_in(control_stores)])
def test_control_store_passes_the_model(target, tmp_path):
    journal = run_model(target, tmp_path, settings=HALF_CI)
    assert not journal.findings, journal.example("(in-process run)")


class _SortedStore(ControlStore):
    """Iterates in the order of ``repr(type), repr(key)`` (a B-tree over encoded keys)."""

    def _sorted(self) -> list[Any]:
        return sorted(self._data, key=lambda code: SortedKeys.order_key(SortedKeys, self._data[code][0]))

    def __iter__(self):
        return self._guarded(self._sorted())

    def __reversed__(self):
        return self._guarded(reversed(self._sorted()))

    def popitem(self) -> tuple[Any, Any]:
        if not self._data:
            raise KeyError("popitem(): dictionary is empty")
        key, stored = self._data.pop(self._sorted()[-1])
        self._changes += 1
        return key, self._load(stored)


class SortedKeys(ControlSpec):
    """ordering='sorted' by the spec's order_key; popitem takes the last in that order."""

    store_class = _SortedStore
    capabilities = {"key_types": {"str", "int", "bytes"}, "ordering": "sorted", "dict_repr": False}

    def order_key(self, key: Any) -> Any:
        return (type(key).__name__, key)


class _ShuffledStore(ControlStore):
    """Iterates newest first: no order is promised, popitem takes any item."""

    def __iter__(self):
        return self._guarded(reversed(list(self._data)))

    def __reversed__(self):
        return self._guarded(list(self._data))


class Unordered(ControlSpec):
    store_class = _ShuffledStore
    capabilities = {"ordering": "none", "popitem": "any", "reversed": False, "dict_repr": False}


class _CopyingStore(ControlStore):
    """Keeps a deep copy of every value and hands out copies."""

    def _dump(self, value: Any) -> Any:
        return control_stores.copy.deepcopy(value)

    def _load(self, stored: Any) -> Any:
        return control_stores.copy.deepcopy(stored)


class CopiedValues(ControlSpec):
    store_class = _CopyingStore
    capabilities = {"value_roundtrip": "equal", "values_are_copies": True}


class DictCopies(ControlSpec):
    """copy() and | return plain dicts; no operators."""

    class store_class(ControlStore):  # noqa: N801
        def copy(self):
            return dict(self.items())

    capabilities = {"copy": "dict", "operators": False}


class JsonDictOperators(JsonValues):
    """JSON values; copy() and | give plain dicts (as the reference backends do)."""

    class store_class(JsonStore):  # noqa: N801
        def copy(self):
            return dict(self.items())

        def __or__(self, other: Any):
            return dict(self.items()) | dict(other)

        def __ror__(self, other: Any):
            return dict(other) | dict(self.items())

    capabilities = {**JsonValues.capabilities, "copy": "dict"}


@pytest.mark.parametrize("spec", [SortedKeys, Unordered, CopiedValues, DictCopies, JsonDictOperators],
                         ids=lambda s: s.__name__)
def test_more_declarations_pass_the_model(spec, tmp_path):
    """Sorted and no ordering, copied values, copy() and | as plain dicts."""
    journal = run_model(spec, tmp_path, settings=HALF_CI)
    assert not journal.findings, journal.example("(in-process run)")


# -- broken stores are caught in the operation they break ------------------------------------


class _SetdefaultRoundTrip(JsonStore):
    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]  # the JSON round trip, where dict returns the default itself


class JsonSetdefaultRoundTrip(JsonValues):
    store_class = _SetdefaultRoundTrip


class _SharedValues(ControlStore):
    pass  # keeps the object itself, while declaring copies


class CopiesDeclaredButShared(ControlSpec):
    store_class = _SharedValues
    capabilities = {"value_roundtrip": "equal", "values_are_copies": True}


class _PopsFirst(_SortedStore):
    def popitem(self) -> tuple[Any, Any]:
        if not self._data:
            raise KeyError("popitem(): dictionary is empty")
        key, stored = self._data.pop(self._sorted()[0])
        self._changes += 1
        return key, self._load(stored)


class SortedPopsFirst(SortedKeys):
    store_class = _PopsFirst


class _ReversedForwards(ForwardViewStore):
    def __reversed__(self):
        return iter(self)


class MappingOnlyReversedForwards(ControlSpec):
    store_class = _ReversedForwards
    capabilities = {"reversed": "mapping_only", "dict_repr": False}


class _SerialisedByEquality(ControlStore):
    pass  # files keys by ==, so 1, 1.0 and True are one key


class SerialisedButEqualityMerges(ControlSpec):
    store_class = _SerialisedByEquality
    capabilities = {"key_types": {"int", "float", "bool"}, "key_comparison": "serialised",
                    "numeric_key_equality": "distinct"}


BROKEN = [
    (JsonSetdefaultRoundTrip, "setdefault"),
    (CopiesDeclaredButShared, "mutate_value"),
    (SortedPopsFirst, "popitem"),
    (MappingOnlyReversedForwards, "reversed_iteration"),
    (SerialisedButEqualityMerges, None),
    ("broken_specs:ForbiddenKeyAccepted", "forbidden_key"),
    ("broken_specs:ForbiddenKeyHalfWritten", "forbidden_key"),
    ("broken_specs:AtomicUpdateSequential", "update_with_bad_item"),
    ("broken_specs:UpdateSkipsBadPairs", "update_with_bad_item"),
    ("broken_specs:ViewsNotReversible", "reversed_iteration"),
    ("broken_specs:Utf8SpellingTwoKeys", None),
    ("broken_specs:DistinctButIntAndFloatMerged", None),
    ("broken_specs:BufferValuesUndeclared", None),
]


@pytest.mark.parametrize("target, kind", BROKEN, ids=lambda x: x if isinstance(x, str) else getattr(x, "__name__", ""))
def test_broken_declaration_is_caught(target, kind, tmp_path):
    """The machine catches a store that breaks its declaration (``kind``: in that operation)."""
    assert broken_specs  # the module the string targets name
    journal = run_model(target, tmp_path)
    assert journal.findings, f"{target} passed the state machine"
    if kind is not None:
        assert kind in journal.findings, journal.summary()
