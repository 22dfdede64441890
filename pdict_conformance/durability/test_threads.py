"""Threads: several threads share one handle (``thread_safe=True``).

Writes of distinct keys from every thread all land; with read-modify-writes
atomic across threads (``atomic_rmw`` "processes" or "threads"), each key has
one ``setdefault`` winner, each key is popped once, and ``popitem`` never
returns an item twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from .fixtures import persistent_str_store, tier  # noqa: F401
from .sizes import THREAD_TIMEOUT

AREA = "durability"

threaded = pytest.mark.pdict_requires(thread_safe=True)
atomic = pytest.mark.pdict_may_deviate(atomic_rmw="none")


def _race(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads released together; their results, in thread order.
    An exception in a thread fails the test with it; a hung thread fails it after the timeout."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait(THREAD_TIMEOUT)
            results[i] = work(i)
        except BaseException as exc:  # reported below, with the thread's number
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,), daemon=True, name=f"pdict-tier-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(THREAD_TIMEOUT)
    hung = [t.name for t in threads if t.is_alive()]
    assert not hung, f"{len(hung)} thread(s) still running after {THREAD_TIMEOUT:.0f} s"
    if errors:
        raise AssertionError(f"a thread raised {type(errors[0]).__name__}: {errors[0]}") from errors[0]
    return results


@persistent_str_store
@threaded
def test_threads_writing_distinct_keys_lose_nothing(tier):
    n, k = tier.sizes.threads, tier.sizes.thread_keys
    store = tier.open(tier.new_location())

    def write(i: int) -> None:
        for j in range(k):
            store[f"t{i}-{j}"] = str(j)

    _race(n, write)
    missing = [f"t{i}-{j}" for i in range(n) for j in range(k) if store.get(f"t{i}-{j}") != str(j)]
    tier.figures.update(threads=n, writes_each=k, missing=len(missing))
    assert not missing, f"{len(missing)} of {n}x{k} writes missing, e.g. {missing[:5]}"
    assert len(store) == n * k == sum(1 for _ in store)


@persistent_str_store
@threaded
@atomic
def test_threads_setdefault_has_one_winner_per_key(tier):
    n, k = tier.sizes.threads, tier.sizes.thread_keys
    store = tier.open(tier.new_location())
    keys = [f"d{j}" for j in range(k)]
    answers = _race(n, lambda i: [store.setdefault(key, f"thread{i}") for key in keys])
    split = []
    for j, key in enumerate(keys):
        got = {answers[i][j] for i in range(n)}
        if len(got) != 1 or store[key] not in got:
            split.append(f"{key!r}: threads got {sorted(got)}, the store holds {store[key]!r}")
    tier.figures.update(threads=n, keys=k, keys_with_two_winners=len(split))
    assert not split, f"{len(split)} key(s) with more than one setdefault winner: " + "; ".join(split[:4])


@persistent_str_store
@threaded
@atomic
def test_threads_pop_each_key_once(tier):
    n, k = tier.sizes.threads, tier.sizes.thread_keys
    keys = [f"q{j}" for j in range(k)]
    store = tier.open(tier.new_location(), {key: key for key in keys})
    orders = [tier.rng.sample(keys, k) for _ in range(n)]
    missing = object()
    got = _race(n, lambda i: [key for key in orders[i] if store.pop(key, missing) is not missing])
    counts = {key: 0 for key in keys}
    for popped in got:
        for key in popped:
            counts[key] += 1
    twice = sorted(key for key, c in counts.items() if c > 1)
    never = sorted(key for key, c in counts.items() if c == 0)
    tier.figures.update(threads=n, keys=k, popped_twice=len(twice), never_popped=len(never))
    assert not twice, f"{len(twice)} key(s) popped by more than one thread: {twice[:5]}"
    assert not never, f"{len(never)} key(s) popped by no thread: {never[:5]}"
    assert len(store) == 0


@persistent_str_store
@threaded
@atomic
def test_threads_popitem_never_returns_an_item_twice(tier):
    n, k = tier.sizes.threads, tier.sizes.thread_keys
    items = {f"i{j}": f"v{j}" for j in range(k)}
    store = tier.open(tier.new_location(), items)

    def drain(i: int) -> list[tuple[str, str]]:
        out = []
        for _ in range(k + 1):  # bounded: no thread can take more than every item
            try:
                out.append(tuple(store.popitem()))
            except KeyError:
                return out
        return out

    got = [item for popped in _race(n, drain) for item in popped]
    twice = len(got) - len(set(got))
    tier.figures.update(threads=n, items=k, returned=len(got), returned_twice=twice)
    assert twice == 0, f"{twice} item(s) returned by popitem more than once"
    assert sorted(got) == sorted(items.items()), (
        f"popitem returned {len(got)} items, the store held {k}; "
        f"never returned: {sorted(set(items.items()) - set(got))[:5]}")
    assert len(store) == 0
