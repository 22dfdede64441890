"""A hypothesis state machine that runs a store side by side with dict.

:class:`DictModel` is made of small rule groups (:mod:`.rules`) over a core
(:mod:`.core`) that keeps a :class:`~.reference.ReferenceModel`: dict's
behaviour under the backend's declaration.  :func:`bind` makes a runnable
machine for one backend (its harness, the strategies its declared domain
allows, a journal of findings); :func:`explore` runs it under hypothesis'
current settings with a seed, going past every divergence where that is sound
and stopping shrinking when the time budget is spent, and returns the journal.

Rules that need a capability (reopen, a second handle, ``|``, reversed,
copy(), a forbidden key) run only when the backend declares it.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from typing import Any

from hypothesis import seed as hypothesis_seed
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import rule, run_state_machine_as_test

from ..capabilities import Capabilities
from ..compare import keyerror_carries, same
from ..domain import key_pool, key_strategy, value_samples, value_strategy
from ..harness import StoreHarness
from .core import as_step
from .journal import Call, Divergence, Journal, ModelDiverged, ShrinkBudgetSpent
from .reference import FORBIDDEN
from .rules import BAD_ITEMS, BulkRules, HandleRules, SingleKeyRules, SnapshotRules, ViewRules

__all__ = ["DictModel", "Strategies", "bind", "explore", "keyerror_carries", "same_key"]

#: Kept for the suite's imports; the comparisons live in :mod:`pdict_conformance.compare`.
same_key = same

#: An element to put into a stored list, by value type, in order of preference.
_FILLERS: tuple[tuple[str, Any], ...] = (("none", None), ("int", 0), ("str", "x"), ("bool", False), ("float", 0.5))


@dataclasses.dataclass(frozen=True)
class Strategies:
    """What the rules draw, from the declared domain, by the names rules use."""

    key: st.SearchStrategy[Any]
    value: st.SearchStrategy[Any]
    pairs: st.SearchStrategy[list[tuple[Any, Any]]]
    kwargs: st.SearchStrategy[dict[str, Any]]
    other_keys: st.SearchStrategy[list[Any]]
    forbidden: st.SearchStrategy[Any]
    forbidden_samples: tuple[Any, ...]
    bad: st.SearchStrategy[str]
    position: st.SearchStrategy[int]
    handle: st.SearchStrategy[int]
    one_in_ten: st.SearchStrategy[int]
    mutable_values: bool
    filler: Any
    simple_values: tuple[Any, ...]
    simple_keys: tuple[Any, ...]
    #: Keys of the domain that are == one another (1, 1.0, True): dict files
    #: them as one key, a store declaring them distinct as several.
    equal_keys: st.SearchStrategy[tuple[Any, ...]]
    has_equal_keys: bool

    @classmethod
    def for_caps(cls, caps: Capabilities) -> "Strategies":
        forbidden_samples = tuple(
            k for name in sorted(caps.forbidden_keys) for k in FORBIDDEN[name]
            if {str: "str", bytes: "bytes"}[type(k)] in caps.key_types
        )

        def allowed(key: Any) -> bool:
            if any(type(key) is type(k) and key == k for k in forbidden_samples):
                return False
            return caps.key_comparison != "serialised" or not _holds_frozenset(key)

        filtered = bool(forbidden_samples) or caps.key_comparison == "serialised"
        keys = key_strategy(caps).filter(allowed) if filtered else key_strategy(caps)
        samples = value_samples(caps)
        # Half the values from a fixed pool: stores go wrong on simple values as
        # often, and the examples stay short and readable.
        values = st.one_of(st.sampled_from(samples), value_strategy(caps)) if samples else value_strategy(caps)
        if "str" in caps.key_types:
            names = st.text(max_size=4).filter(allowed) if forbidden_samples else st.text(max_size=4)
            kwargs = st.dictionaries(names, values, max_size=3)
        else:
            kwargs = st.just({})
        filler = next((v for name, v in _FILLERS if name in caps.value_types), [])
        groups = _equal_groups([k for k in key_pool(caps) if allowed(k)])
        return cls(
            key=keys,
            value=values,
            pairs=st.lists(st.tuples(keys, values), max_size=5),
            kwargs=kwargs,
            other_keys=st.lists(keys, max_size=4),
            forbidden=st.sampled_from(forbidden_samples) if forbidden_samples else st.just(None),
            forbidden_samples=forbidden_samples,
            bad=st.sampled_from(sorted(BAD_ITEMS)),
            position=st.integers(0, 5),
            handle=st.integers(0, 1),
            one_in_ten=st.integers(0, 9),
            mutable_values="list" in caps.value_types
            and (caps.values_are_copies or caps.value_roundtrip == "identity"),
            filler=filler,
            simple_values=tuple(samples[:4]),
            simple_keys=tuple(k for k in key_pool(caps)[:4] if allowed(k)),
            equal_keys=st.sampled_from(groups) if groups else st.just(()),
            has_equal_keys=bool(groups),
        )


def _equal_groups(pool: list[Any]) -> list[tuple[Any, ...]]:
    """The groups of two or more keys in ``pool`` that are == one another."""
    groups: list[list[Any]] = []
    for key in pool:
        group = next((g for g in groups if _equal(g[0], key)), None)
        if group is None:
            groups.append([key])
        elif not any(type(k) is type(key) and _equal(k, key) for k in group):
            group.append(key)
    return [tuple(g) for g in groups if len(g) > 1]


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and hash(a) == hash(b)
    except Exception:
        return False


def _holds_frozenset(key: Any) -> bool:
    if type(key) is frozenset:
        return True
    return type(key) is tuple and any(map(_holds_frozenset, key))


class DictModel(SingleKeyRules, BulkRules, SnapshotRules, ViewRules, HandleRules):
    """Every dict operation on a store and on the reference model; :func:`bind` it to run."""


def bind(harness: StoreHarness, *, shrink_seconds: float | None = None) -> type[DictModel]:
    """A runnable DictModel for ``harness``'s backend, with a fresh journal."""
    strategies = Strategies.for_caps(harness.caps)
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "harness": harness,
        "journal": Journal(shrink_seconds),
        "strategies": strategies,
    }
    for name, fn in inspect.getmembers(DictModel, inspect.isfunction):
        marked = getattr(fn, "pdict_step", None)
        if marked is not None:
            say, args = marked
            namespace[name] = rule(**{arg: getattr(strategies, kind) for arg, kind in args.items()})(as_step(fn, say))
    return type("DictModel", (DictModel,), namespace)


def explore(machine: type[DictModel], *, seed: int | None, settings: Settings | None = None) -> Journal:
    """Run ``machine`` (from :func:`bind`) with hypothesis' public ``seed``,
    then :func:`minimise` what it found; return its journal.

    Divergences end up in the journal, not raised.  Anything else that stops
    the run (an error in the kit itself, hypothesis refusing the machine) is
    raised when the journal holds nothing that explains it."""
    test = hypothesis_seed(seed)(machine) if seed is not None else machine
    try:
        run_state_machine_as_test(test, settings=settings or Settings())
    except ShrinkBudgetSpent:
        pass
    except Exception as exc:
        if not machine.journal.findings:
            raise
        # Stopping hypothesis mid-example when the budget is spent can make it
        # complain of inconsistent data; that is the stop, not news.
        if not _only_divergences(exc) and not machine.journal.spent:
            machine.journal.note = f"hypothesis also raised {type(exc).__name__}: {exc}"
    minimise(machine)
    return machine.journal


def minimise(machine: type[DictModel]) -> None:
    """Shorten each finding's example within the budget: replay its steps with
    one step left out at a time, then with each argument made simpler (a shorter
    list, a simple key or value of the domain), keeping every change after which
    the same kind of divergence still shows (the journal keeps what replays find)."""
    journal = machine.journal
    journal.start_minimising()
    try:
        for kind in list(journal.findings):
            calls = list(journal.findings[kind].calls)
            shorter = True
            while shorter:
                shorter = False
                for i in reversed(range(len(calls))):
                    candidate = calls[:i] + calls[i + 1:]
                    if _replay(machine, candidate, kind):
                        calls, shorter = candidate, True
            for i in range(len(calls)):
                name, kwargs = calls[i]
                kinds = getattr(DictModel, name).pdict_step[1]
                for arg in [a for a in kwargs if kinds.get(a) in _DATA_STRATEGIES]:
                    for simpler in _simpler(kwargs[arg], machine.strategies):
                        candidate = [*calls[:i], (name, {**kwargs, arg: simpler}), *calls[i + 1:]]
                        if _replay(machine, candidate, kind):
                            calls = candidate
                            kwargs = candidate[i][1]
                            break
    except ShrinkBudgetSpent:
        pass


#: The strategies of keys and values in the domain, which minimising may simplify
#: (the others pick a handle, a position, a forbidden key, ...).
_DATA_STRATEGIES = frozenset({"key", "value", "pairs", "kwargs", "other_keys"})


def _simpler(value: Any, strategies: Strategies) -> list[Any]:
    """Candidates simpler than ``value`` (shorter to read), simplest first."""
    size = len(repr(value))
    out: list[Any] = []
    if isinstance(value, list) and value:  # pairs or keys: fewer of them, or simpler ones
        out += [value[:n] for n in range(len(value))]
        if all(isinstance(p, tuple) and len(p) == 2 for p in value):
            out += [[(k, v) for k, _ in value] for v in strategies.simple_values]
    elif isinstance(value, dict) and value:  # keyword arguments
        out += [dict(list(value.items())[:n]) for n in range(len(value))]
    elif not isinstance(value, int) or isinstance(value, bool):
        out += [*strategies.simple_values, *strategies.simple_keys]
    return [c for c in out if len(repr(c)) < size]


def _replay(machine: type[DictModel], calls: list[Call], kind: str) -> bool:
    """Run ``calls`` on a fresh store; whether they show a divergence of ``kind``."""
    state = machine()
    try:
        for name, kwargs in calls:
            getattr(state, name)(**copy.deepcopy(kwargs))
            state.matches_dict()
            if kind in state.found:
                break
        else:
            state.contents_match(every_key=True)
    except (ModelDiverged, Divergence):
        pass
    except Exception:  # a candidate the rules cannot take shows nothing
        return False
    finally:
        state.stopped = True  # the replay reports through the journal, not by raising
        state.teardown()
    return kind in state.found


def _only_divergences(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return all(_only_divergences(e) for e in exc.exceptions)
    return isinstance(exc, ModelDiverged)
