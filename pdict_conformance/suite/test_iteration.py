"""Iteration while the store changes, per ``mutation_during_iteration``.

Scenario: dict raises RuntimeError when its size changes during iteration.
A store that declares ``tolerated`` must instead yield every key that is
present and untouched for the whole iteration exactly once.
"""

from __future__ import annotations

import pytest

AREA = "iteration"

raises = pytest.mark.pdict_requires(mutation_during_iteration="raises")
tolerated = pytest.mark.pdict_requires(mutation_during_iteration="tolerated")


@raises
def test_insert_during_iteration_raises(harness):
    """Adding a key while iterating raises RuntimeError."""
    store = harness.new(a=1, b=2)
    with pytest.raises(RuntimeError):
        for key in store:
            store[key + "x"] = 0


@raises
def test_delete_during_iteration_raises(harness):
    """Deleting a key while iterating raises RuntimeError."""
    store = harness.new(a=1, b=2, c=3)
    with pytest.raises(RuntimeError):
        for key in store:
            del store[key]


@raises
@pytest.mark.parametrize("view", ["keys", "values", "items"])
def test_view_iteration_raises_on_size_change(harness, view):
    """Changing the size while iterating a view raises RuntimeError."""
    store = harness.new(a=1, b=2)
    with pytest.raises(RuntimeError):
        for _ in getattr(store, view)():
            store["new" + str(len(store))] = 0


@pytest.mark.pdict_requires(mutation_during_iteration=("raises", "tolerated"))
def test_overwrite_during_iteration_is_allowed(harness):
    """Overwriting existing keys while iterating is allowed (the size does not change)."""
    store = harness.new(a=1, b=2, c=3)
    for key in store:
        store[key] = 0
    assert dict(store.items()) == {"a": 0, "b": 0, "c": 0}


@tolerated
def test_deleting_every_key_while_iterating(harness):
    """Deleting each key as it is yielded visits every key once and empties the store."""
    store = harness.new((f"k{i}", i) for i in range(2500))
    seen = []
    for key in store:
        seen.append(key)
        del store[key]
    assert sorted(seen) == sorted(f"k{i}" for i in range(2500))
    assert len(store) == 0


@tolerated
def test_inserting_while_iterating_keeps_untouched_keys(harness):
    """Inserting new keys while iterating still yields every original key exactly once."""
    originals = [f"k{i}" for i in range(2500)]
    store = harness.new((k, 0) for k in originals)
    seen = []
    for n, key in enumerate(store):
        seen.append(key)
        if n < 2000:
            store[f"new{n}"] = 1
    for key in originals:
        assert seen.count(key) == 1, f"{key!r} yielded {seen.count(key)} times"


@tolerated
def test_deleting_other_keys_while_iterating(harness):
    """Deleting keys not yet reached: untouched keys are each yielded once, deleted ones at most once."""
    store = harness.new((f"k{i:04d}", i) for i in range(3000))
    deleted = {f"k{i:04d}" for i in range(1, 3000, 2)}
    seen = []
    for n, key in enumerate(store):
        seen.append(key)
        if n == 10:
            for d in deleted:
                store.pop(d, None)
    untouched = {f"k{i:04d}" for i in range(0, 3000, 2)}
    for key in untouched:
        assert seen.count(key) == 1, f"{key!r} yielded {seen.count(key)} times"
    assert len(seen) == len(set(seen))


@tolerated
def test_overwriting_while_iterating_yields_each_key_once(harness):
    """Overwriting every key as it is yielded yields each key once."""
    store = harness.new((f"k{i}", i) for i in range(2500))
    seen = []
    for key in store:
        seen.append(key)
        store[key] = -1
    assert len(seen) == 2500 and len(set(seen)) == 2500
    assert set(store.values()) == {-1}
