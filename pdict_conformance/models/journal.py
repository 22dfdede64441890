"""What a state machine run found: the first divergence of each kind, with steps.

The machine records a divergence instead of stopping at it, wherever going on
is sound (see :mod:`pdict_conformance.models.core`).  The :class:`Journal`
spans the whole run: hypothesis' generation and shrinking, then the kit's own
minimising (:func:`pdict_conformance.models.dict_model.minimise`), which
replays a finding's steps with one step left out at a time.  For each kind of
divergence (the operation that diverged, or ``contents`` when the store's
contents stopped matching) it keeps the shortest example that showed it.

Shrinking and minimising are bounded by time: once the first divergence is
recorded, hypothesis may shrink for a share of ``shrink_seconds`` and the
minimising may go on to the end of it; then :meth:`Journal.tick` stops the
work by raising :class:`ShrinkBudgetSpent`, and the shortest examples found so
far are the answer.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any


class Divergence(AssertionError):
    """The store did not do what dict does (one check's message)."""


class ModelDiverged(AssertionError):
    """An example ends with divergences (its message lists them)."""


class ShrinkBudgetSpent(BaseException):
    """The run's shrink-time budget is spent.

    A ``BaseException`` so that hypothesis does not take it for a failure of
    the example: it ends the whole hypothesis run, which the caller expects."""


#: A step as the machine ran it: the rule's name and its arguments.
Call = tuple[str, dict[str, Any]]

#: The share of the budget hypothesis' own shrinking may use; minimising has the rest.
HYPOTHESIS_SHARE = 0.4


@dataclasses.dataclass(frozen=True)
class Finding:
    """The first divergence of one kind in one example, and the steps up to it."""

    kind: str
    message: str
    steps: tuple[str, ...]
    calls: tuple[Call, ...] = dataclasses.field(compare=False, repr=False, default=())


class Journal:
    """The findings of one run, each kind's shortest example."""

    def __init__(self, shrink_seconds: float | None):
        self.shrink_seconds = shrink_seconds
        self.findings: dict[str, Finding] = {}
        self.first_found_at: float | None = None
        self.minimising = False
        self.spent = False
        self.note = ""

    def record(self, kind: str, message: str, steps: tuple[str, ...], calls: tuple[Call, ...]) -> None:
        """Keep this example for ``kind`` if it is the first or the shortest."""
        known = self.findings.get(kind)
        if known is None or _size(steps) < _size(known.steps):
            self.findings[kind] = Finding(kind, message, steps, calls)
        if self.first_found_at is None:
            self.first_found_at = time.monotonic()

    def tick(self) -> None:
        """Raise ShrinkBudgetSpent once this phase's share of the budget is spent."""
        if self.spent:
            raise ShrinkBudgetSpent()
        if self.shrink_seconds is None or self.first_found_at is None:
            return
        share = 1.0 if self.minimising else HYPOTHESIS_SHARE
        if time.monotonic() - self.first_found_at > self.shrink_seconds * share:
            self.spent = True
            raise ShrinkBudgetSpent()

    def start_minimising(self) -> None:
        """Hypothesis is done: the rest of the budget is the minimiser's."""
        self.minimising = True
        self.spent = False

    # -- the report ------------------------------------------------------------
    def summary(self) -> str:
        """One line: how many kinds of divergence, and the first message of each."""
        found = list(self.findings.values())
        head = f"the store diverged from dict in {len(found)} kind{'s' if len(found) != 1 else ''} of operation"
        return head + ": " + "; ".join(f"{f.kind}: {_clip(f.message)}" for f in found)

    def example(self, reproduce: str) -> str:
        """Every finding with its steps, and the command that reproduces the run."""
        out = []
        for n, f in enumerate(self.findings.values(), 1):
            out.append(f"{n}. {f.kind}: {f.message}")
            out += [f"     {step}" for step in f.steps]
        if self.note:
            out.append(self.note.splitlines()[0])
        out.append(f"reproduce: {reproduce}")
        return "\n".join(out)


def _size(steps: tuple[str, ...]) -> tuple[int, int]:
    """Fewer steps first, then less text: the more readable example."""
    return len(steps), sum(map(len, steps))


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
