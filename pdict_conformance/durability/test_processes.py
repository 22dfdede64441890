"""Processes: several processes share one store (``processes="shared"``).

Writers at once lose nothing and see no error (no "database is locked"); a
write acknowledged in one process is what the next read in another sees (no
stale per-process cache); processes popping one shared set of keys pop each
exactly once (``atomic_rmw="processes"``).
"""

from __future__ import annotations

import pytest

from .children import ChildCommandError
from .fixtures import len_problem, persistent_str_store, tier  # noqa: F401

AREA = "durability"

shared = pytest.mark.pdict_requires(processes="shared")


def _run_all(children, cmd: str, args_for) -> tuple[list, list[str]]:
    """Send ``cmd`` to every child at once, then collect each reply (or its error)."""
    for i, child in enumerate(children):
        child.send(cmd, **args_for(i))
    results, errors = [], []
    for child in children:
        try:
            results.append(child.reply(what=cmd))
        except ChildCommandError as exc:
            results.append(None)
            errors.append(str(exc))
    return results, errors


@persistent_str_store
@shared
def test_processes_writing_at_once_lose_nothing(tier):
    n, w = tier.sizes.processes, tier.sizes.writes_each
    location = tier.new_location()
    tier.dump(location)  # create the store before the race
    children = [tier.child_on(location, "writer") for _ in range(n)]
    _, errors = _run_all(children, "write_keys", lambda i: {"prefix": f"p{i}-", "count": w})
    for child in children:
        try:
            child.request("close")
        except ChildCommandError as exc:
            errors.append(str(exc))
    found = tier.dump(location)
    missing = [f"p{i}-{j}" for i in range(n) for j in range(w)
               if found["items"].get(f"p{i}-{j}") != str(j)]
    tier.figures.update(processes=n, writes_each=w, errors=len(errors), missing=len(missing))
    assert not errors, f"{len(errors)} writer(s) got an error: {errors[0]}"
    assert not missing, f"{len(missing)} of {n}x{w} acknowledged writes missing, e.g. {missing[:5]}"
    assert len(found["items"]) == n * w, f"{len(found['items'])} keys, wrote {n * w}"
    assert not len_problem(found), len_problem(found)


@persistent_str_store
@shared
def test_write_in_one_process_is_seen_by_the_next_read_in_another(tier):
    rounds = tier.sizes.shared_keys
    location = tier.new_location()
    tier.dump(location)
    a, b = tier.child_on(location, "process A"), tier.child_on(location, "process B")
    model: dict[str, str] = {}
    stale: list[str] = []
    for i in range(rounds):
        writer, reader = (a, b) if i % 2 == 0 else (b, a)
        key = f"s{tier.rng.randrange(8)}"
        # read first, so that a cache would hold the old answer
        reader.request("call", method="get", args=[key])
        if key in model and tier.rng.random() < 0.3:
            writer.request("call", method="__delitem__", args=[key])
            del model[key]
        else:
            model[key] = f"v{i}"
            writer.request("call", method="__setitem__", args=[key, model[key]])
        got = reader.request("call", method="get", args=[key])
        if got != model.get(key):
            stale.append(f"step {i}: {reader.name} reads {key!r} as {got!r} after the other wrote {model.get(key)!r}")
        size = reader.request("call", method="__len__")
        if size != len(model):
            stale.append(f"step {i}: {reader.name} has len {size}, the other process made it {len(model)}")
    tier.figures.update(processes=2, steps=rounds, stale_reads=len(stale))
    assert not stale, f"{len(stale)} stale read(s):\n" + "\n".join(stale[:8])


@persistent_str_store
@shared
@pytest.mark.pdict_may_deviate(atomic_rmw=("threads", "none"))
def test_processes_pop_each_shared_key_exactly_once(tier):
    n, k = tier.sizes.processes, tier.sizes.shared_keys
    location = tier.new_location()
    keys = [f"q{i}" for i in range(k)]
    store = tier.open(location, {key: "v" for key in keys})
    tier.close(store)
    children = [tier.child_on(location, "popper") for _ in range(n)]
    orders = [tier.rng.sample(keys, k) for _ in range(n)]
    popped, errors = _run_all(children, "pop_keys", lambda i: {"keys": orders[i]})
    counts = {key: 0 for key in keys}
    for got in popped:
        for key in got or ():
            counts[key] += 1
    twice = sorted(key for key, c in counts.items() if c > 1)
    never = sorted(key for key, c in counts.items() if c == 0)
    tier.figures.update(processes=n, keys=k, popped=sum(counts.values()), popped_twice=len(twice),
                        never_popped=len(never), errors=len(errors))
    assert not errors, f"{len(errors)} popper(s) got an error: {errors[0]}"
    assert not twice, f"{len(twice)} key(s) popped by more than one process: {twice[:5]}"
    assert not never, f"{len(never)} key(s) popped by no process: {never[:5]}"
    for child in children:
        child.request("close")
    found = tier.dump(location)
    assert found["items"] == {}, f"{len(found['items'])} keys left after every key was popped"
