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
    keys, v = harness.domain.keys(4), harness.domain.value()
    store = harness.new({k: v for k in keys[:2]})
    new = iter(keys[2:])
    with pytest.raises(RuntimeError):
        for _ in store:
            store[next(new)] = v


@raises
def test_delete_during_iteration_raises(harness):
    """Deleting a key while iterating raises RuntimeError."""
    keys, v = harness.domain.keys(3), harness.domain.value()
    store = harness.new({k: v for k in keys})
    with pytest.raises(RuntimeError):
        for key in store:
            del store[key]


@raises
@pytest.mark.parametrize("view", ["keys", "values", "items"])
def test_view_iteration_raises_on_size_change(harness, view):
    """Changing the size while iterating a view raises RuntimeError."""
    keys, v = harness.domain.keys(4), harness.domain.value()
    store = harness.new({k: v for k in keys[:2]})
    new = iter(keys[2:])
    with pytest.raises(RuntimeError):
        for _ in getattr(store, view)():
            store[next(new)] = v


@pytest.mark.pdict_requires(mutation_during_iteration=("raises", "tolerated"))
def test_overwrite_during_iteration_is_allowed(harness):
    """Overwriting existing keys while iterating is allowed (the size does not change)."""
    d = harness.domain
    keys, (v, w) = d.keys(3), d.values(2)
    store = harness.new({k: v for k in keys})
    for key in store:
        store[key] = w
    assert d.contents(store) == d.expect({k: w for k in keys})


@tolerated
def test_deleting_every_key_while_iterating(harness):
    """Deleting each key as it is yielded visits every key once and empties the store."""
    keys, v = harness.domain.keys(2500), harness.domain.value()
    store = harness.new((k, v) for k in keys)
    seen = []
    for key in store:
        seen.append(key)
        del store[key]
    assert sorted(map(repr, seen)) == sorted(map(repr, harness.domain.keys_back(keys)))
    assert harness.domain.size(store) == 0


@tolerated
def test_inserting_while_iterating_keeps_untouched_keys(harness):
    """Inserting new keys while iterating still yields every original key exactly once."""
    everything, v = harness.domain.keys(4500), harness.domain.value()
    originals, new = everything[:2500], iter(everything[2500:])
    store = harness.new((k, v) for k in originals)
    seen = []
    for n, key in enumerate(store):
        seen.append(key)
        if n < 2000:
            store[next(new)] = v
    for key in harness.domain.keys_back(originals):
        assert seen.count(key) == 1, f"{key!r} yielded {seen.count(key)} times"


@tolerated
def test_deleting_other_keys_while_iterating(harness):
    """Deleting keys not yet reached: untouched keys are each yielded once, deleted ones at most once."""
    keys, v = harness.domain.keys(3000), harness.domain.value()
    store = harness.new((k, v) for k in keys)
    deleted = keys[1::2]
    seen = []
    for n, key in enumerate(store):
        seen.append(key)
        if n == 10:
            for d in deleted:
                store.pop(d, None)
    for key in harness.domain.keys_back(keys[0::2]):
        assert seen.count(key) == 1, f"{key!r} yielded {seen.count(key)} times"
    assert len(seen) == len(set(map(repr, seen)))


@tolerated
def test_overwriting_while_iterating_yields_each_key_once(harness):
    """Overwriting every key as it is yielded yields each key once."""
    d = harness.domain
    keys, (v, w) = d.keys(2500), d.values(2)
    store = harness.new((k, v) for k in keys)
    seen = []
    for key in store:
        seen.append(key)
        store[key] = w
    assert len(seen) == 2500 and len(set(map(repr, seen))) == 2500
    assert all(d.same_value(value, w) for value in store.values())
