"""The catalogue of the kit's self-test stores, declared on the stores themselves.

Every deliberately broken store carries ``@caught_by("test_a", "test_b")``:
the kit tests that must report it as failed.  Every correct store carries
``@conforms``: it must pass the whole kit.  ``tests/test_broken_mappings_caught.py``
reads these marks off the modules (:func:`broken_in`, :func:`conforming_in`);
there is no other list to keep in step.

Which kit files a broken store's run selects is derived from the test names
(:func:`kit_files_defining`), so the declaration is the names and nothing
else.  A name is a test function's name, optionally with its parameter id
(``test_unhashable_key_raises_typeerror[list]``).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import AbstractSet, Any, Callable, TypeVar

T = TypeVar("T")

#: The attribute the decorators set on a store (class or spec).
MARK = "__pdict_catalogue__"

#: The state machine's test: a run that selects it uses the ci profile (with
#: quick's 15 runs of 15 steps, whether it meets a defect depends on the seed).
MODEL_TEST = "test_store_behaves_like_dict"

#: Where kit tests live: the scenario suite, the state machine, the CPython ports.
KIT_DIR = Path(importlib.util.find_spec("pdict_conformance").origin).resolve().parent  # type: ignore[arg-type]
CPYTHON_DIR = Path(importlib.util.find_spec("cpython_dict_tests").origin).resolve().parent  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class Caught:
    """A broken store's entry: the kit tests that must fail, extra pytest arguments."""

    tests: frozenset[str]
    args: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Conforms:
    """A correct store's entry: it must pass the whole kit with 0 failures."""


@dataclasses.dataclass(frozen=True)
class Entry:
    """One catalogued store, as ``--pdict-backend`` names it."""

    target: str  # module:Name
    mark: Caught | Conforms

    @property
    def name(self) -> str:
        return self.target.partition(":")[2]

    @property
    def caught(self) -> frozenset[str]:
        assert isinstance(self.mark, Caught), f"{self.target} is a correct store"
        return self.mark.tests

    @property
    def args(self) -> tuple[str, ...]:
        return self.mark.args if isinstance(self.mark, Caught) else ()

    @property
    def paths(self) -> tuple[str, ...]:
        """The kit files defining the tests this store must fail (absolute paths)."""
        return kit_files_defining(self.caught)

    @property
    def profile(self) -> str:
        """``ci`` when the state machine runs (it needs ci's examples), else ``quick``."""
        return "ci" if MODEL_TEST in {base_name(t) for t in self.caught} else "quick"


def caught_by(*tests: str, args: Iterable[str] = ()) -> Callable[[T], T]:
    """Declare a store broken: the kit must report each of ``tests`` as failed.

    ``args`` are extra pytest arguments for its run (e.g. ``("-k", "fromkeys")``
    to keep a run over the CPython ports short).
    """
    if not tests:
        raise ValueError("caught_by() needs at least one test name")
    for test in tests:
        if not re.fullmatch(r"test_\w+(\[[^\]]+\])?", test):
            raise ValueError(f"caught_by(): {test!r} is not a test name (test_x or test_x[param])")

    def mark(store: T) -> T:
        _set_mark(store, Caught(frozenset(tests), tuple(args)))
        return store

    return mark


def conforms(store: T) -> T:
    """Declare a store correct: it must pass the whole kit."""
    _set_mark(store, Conforms())
    return store


def _set_mark(store: Any, mark: Caught | Conforms) -> None:
    if MARK in vars(store):
        raise ValueError(f"{store!r} is catalogued twice")
    setattr(store, MARK, mark)


def _entries(modules: Iterable[ModuleType]) -> list[Entry]:
    found = []
    for module in modules:
        for name, obj in vars(module).items():
            mark = vars(obj).get(MARK) if isinstance(obj, type) else None
            if mark is not None and obj.__module__ == module.__name__:
                found.append(Entry(f"{module.__name__}:{name}", mark))
    return found


def broken_in(*modules: ModuleType) -> list[Entry]:
    """Every ``@caught_by`` store defined in ``modules``."""
    return [e for e in _entries(modules) if isinstance(e.mark, Caught)]


def conforming_in(*modules: ModuleType) -> list[Entry]:
    """Every ``@conforms`` store defined in ``modules``."""
    return [e for e in _entries(modules) if isinstance(e.mark, Conforms)]


def uncatalogued_in(module: ModuleType, base: type) -> list[str]:
    """Public classes of ``module`` deriving from ``base`` (or any class, for
    ``object``) that carry neither mark: each store must say what it is."""
    return [
        name
        for name, obj in vars(module).items()
        if isinstance(obj, type)
        and obj.__module__ == module.__name__
        and not name.startswith("_")
        and issubclass(obj, base)
        and MARK not in vars(obj)
    ]


def base_name(test: str) -> str:
    """``test_x[param]`` -> ``test_x``."""
    return test.partition("[")[0]


@lru_cache(maxsize=None)
def _definitions() -> dict[str, tuple[str, ...]]:
    """Test function name -> the kit files that define it."""
    files = sorted(KIT_DIR.glob("suite/test_*.py")) + sorted(KIT_DIR.glob("models/test_*.py"))
    files += sorted(CPYTHON_DIR.glob("test_*.py"))
    found: dict[str, list[str]] = {}
    for path in files:
        for name in re.findall(r"^\s*def (test_\w+)\(", path.read_text(encoding="utf-8"), re.M):
            found.setdefault(name, [])
            if str(path) not in found[name]:
                found[name].append(str(path))
    return {name: tuple(paths) for name, paths in found.items()}


def kit_files_defining(tests: Iterable[str]) -> tuple[str, ...]:
    """The kit test files that define these tests; a name no file defines is an error.

    A name the suite and a CPython port share (``test_reversed``) means the
    suite's test: one run never selects two tests of one name, whose records
    the certificate could not tell apart."""
    defs = _definitions()
    paths: list[str] = []
    for test in sorted(tests):
        where = defs.get(base_name(test))
        if not where:
            raise LookupError(f"no kit test file defines {base_name(test)!r}")
        suite = [p for p in where if not p.startswith(str(CPYTHON_DIR))]
        paths += [p for p in (suite or where) if p not in paths]
    return tuple(paths)


def assert_caught(run: Any, name: str, caught: AbstractSet[str]) -> None:
    """The kit ``run`` failed the broken store ``name`` without errors, in at least
    the tests ``caught`` (all of them selected), each failure with its detail."""
    assert run.ret == 1, f"exit code {run.ret}:\n{run.output[-3000:]}"
    cert = run.cert
    assert cert["conforms"] is False
    assert cert["summary"]["error"] == 0, sorted(run.names("error"))
    failed = run.names("failed")
    collected = {t["name"] for t in cert["tests"]}
    assert caught <= collected, f"not in the selection: {sorted(caught - collected)}"
    missed = caught - failed
    assert not missed, f"{name}: expected failures not reported: {sorted(missed)}; failed were {sorted(failed)}"
    # The failure text of every caught test reaches the certificate.
    for test in caught:
        details = [t["detail"] for t in run.records(test) if t["outcome"] == "failed"]
        assert all(details), f"{test}: failed without a detail"
