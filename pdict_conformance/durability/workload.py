"""The crash workload and its judge.

A round's operations are a pure function of (seed, round): the child that runs
them and the parent that judges the store after the kill compute the same
list, so only operation numbers cross the pipe.  Keys come from a small pool
(so sets overwrite, deletes and pops find keys); every value ever written is
unique, so a value that appears without being written is seen as such.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, MutableMapping
from typing import Any

#: Keys the workload touches: few enough that overwrites, deletes and pops hit.
KEY_POOL = tuple(f"k{i:02d}" for i in range(40))

#: Operation kinds and their weights.
KINDS = (("set", 35), ("delete", 15), ("pop", 15), ("update", 20), ("setdefault", 15))

_ABSENT = object()


@dataclasses.dataclass(frozen=True)
class Op:
    """One operation: ``kind`` on ``pairs`` (key -> value; value None for delete/pop)."""

    index: int
    kind: str
    pairs: tuple[tuple[str, Any], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.pairs)

    def describe(self) -> str:
        if self.kind in ("delete", "pop"):
            return f"#{self.index} {self.kind}({self.pairs[0][0]!r})"
        if self.kind == "update":
            return f"#{self.index} update({len(self.pairs)} keys)"
        return f"#{self.index} {self.kind}({self.pairs[0][0]!r}, {self.pairs[0][1]!r})"


def crash_ops(seed: int, round_no: int, count: int) -> list[Op]:
    """The operations of one round."""
    rng = random.Random(f"pdict-crash:{seed}:{round_no}")
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    ops = []
    for i in range(count):
        kind = rng.choices(kinds, weights)[0]
        value = f"r{round_no}.{i}"
        if kind == "update":
            keys = rng.sample(KEY_POOL, rng.randint(2, 8))
            pairs = tuple((k, f"{value}.{j}") for j, k in enumerate(keys))
        elif kind in ("delete", "pop"):
            pairs = ((rng.choice(KEY_POOL), None),)
        else:
            pairs = ((rng.choice(KEY_POOL), value),)
        ops.append(Op(i, kind, pairs))
    return ops


def run_op(store: MutableMapping, op: Op) -> Any:
    """Apply ``op`` to a store (in the child); returns what the call returned."""
    if op.kind == "set":
        key, value = op.pairs[0]
        store[key] = value
        return None
    if op.kind == "delete":
        try:
            del store[op.pairs[0][0]]
        except KeyError:
            return False
        return True
    if op.kind == "pop":
        return store.pop(op.pairs[0][0], None)
    if op.kind == "setdefault":
        key, value = op.pairs[0]
        return store.setdefault(key, value)
    if op.kind == "update":
        store.update(dict(op.pairs))
        return None
    raise ValueError(f"unknown operation kind {op.kind!r}")


def apply_op(state: Mapping[str, Any], op: Op) -> dict[str, Any]:
    """What ``op`` does to a dict (the model)."""
    new = dict(state)
    if op.kind in ("set", "update"):
        new.update(op.pairs)
    elif op.kind in ("delete", "pop"):
        new.pop(op.pairs[0][0], None)
    elif op.kind == "setdefault":
        new.setdefault(*op.pairs[0])
    return new


@dataclasses.dataclass
class Verdict:
    """How one reopened store compares with what was acknowledged."""

    lost: list[str] = dataclasses.field(default_factory=list)
    phantom: list[str] = dataclasses.field(default_factory=list)
    torn_atomic: str = ""
    len_mismatch: str = ""
    inflight_visible: bool = False

    @property
    def ok(self) -> bool:
        return not (self.lost or self.phantom or self.torn_atomic or self.len_mismatch)

    def problems(self) -> list[str]:
        out = []
        if self.lost:
            out.append(f"{len(self.lost)} acknowledged change(s) not reflected: " + "; ".join(self.lost[:5]))
        if self.phantom:
            out.append(f"{len(self.phantom)} value(s) never written: " + "; ".join(self.phantom[:5]))
        if self.torn_atomic:
            out.append(self.torn_atomic)
        if self.len_mismatch:
            out.append(self.len_mismatch)
        return out


def judge(
    before: Mapping[str, Any],
    acked: list[Op],
    inflight: Op | None,
    observed: Mapping[str, Any],
    *,
    update_atomic: bool,
    written: set[Any],
) -> Verdict:
    """Judge ``observed`` (the reopened store) against ``before`` plus the
    acknowledged operations, allowing the one in-flight operation to be
    visible key by key (or, for a declared-atomic update, wholly or not at all).
    ``written`` holds every value ever sent to the store."""
    acked_state: dict[str, Any] = dict(before)
    for op in acked:
        acked_state = apply_op(acked_state, op)
    full = apply_op(acked_state, inflight) if inflight is not None else acked_state
    touched = set(inflight.keys) if inflight is not None else set()
    verdict = Verdict()
    applied, not_applied = [], []
    for key in sorted(set(acked_state) | set(full) | set(observed)):
        seen = observed.get(key, _ABSENT)
        want = acked_state.get(key, _ABSENT)
        if key in touched and full.get(key, _ABSENT) != want:
            (applied if seen == full.get(key, _ABSENT) else not_applied).append(key)
        if seen == want or (key in touched and seen == full.get(key, _ABSENT)):
            continue
        shown = "absent" if seen is _ABSENT else repr(seen)
        expected = "absent" if want is _ABSENT else repr(want)
        if seen is not _ABSENT and seen not in written:
            verdict.phantom.append(f"{key!r} = {shown}")
        else:
            verdict.lost.append(f"{key!r} is {shown}, acknowledged {expected}")
    verdict.inflight_visible = bool(applied)
    if inflight is not None and inflight.kind == "update" and update_atomic and applied and not_applied:
        verdict.torn_atomic = (
            f"the in-flight update ({inflight.describe()}), declared atomic, is half applied: "
            f"{len(applied)} of {len(applied) + len(not_applied)} changed keys visible"
        )
    return verdict
