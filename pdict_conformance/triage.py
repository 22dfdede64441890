"""Triage of declared deviations: a kind and a link beside the reason.

A spec's ``deviations`` maps a test name (or pattern) to its reason.  The
reason may be a plain string, or a :class:`Deviation`, which *is* that string
and also carries a kind and a link::

    deviations = {
        "test_repr": Deviation("repr names the class", kind="unsupported"),
        "test_popitem_*": Deviation("popitem races", kind="bug", link="https://tracker/42"),
    }

The certificate lists the triage of each declared deviation that has one
(``deviation_triage``) and on every test it matched (``triage``); the diff and
the matrix show them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from .certificate import DEVIATION_KINDS


class Deviation(str):
    """A deviation's reason (the string itself) with a ``kind`` and a ``link``.

    ``kind`` is one of ``"unsupported"`` (the backend will never do this),
    ``"bug"`` (it should, and a fix is wanted) or ``"flaky"`` (it sometimes
    does), or None.  ``link`` is a URL (an issue, a design note) or None.
    """

    kind: str | None
    link: str | None

    def __new__(cls, reason: str, kind: str | None = None, link: str | None = None) -> "Deviation":
        if kind is not None and kind not in DEVIATION_KINDS:
            raise ValueError(f"deviation kind {kind!r}; allowed: {', '.join(DEVIATION_KINDS)} or None")
        if link is not None and not isinstance(link, str):
            raise ValueError(f"deviation link must be a string, got {type(link).__name__}")
        self = super().__new__(cls, reason)
        self.kind = kind
        self.link = link
        return self

    def triage(self) -> dict[str, str | None] | None:
        """``{"kind": ..., "link": ...}``, or None when neither is given."""
        if self.kind is None and self.link is None:
            return None
        return {"kind": self.kind, "link": self.link}


def triage_of(reason: Any) -> dict[str, str | None] | None:
    """The triage a declared reason carries (None for a plain string)."""
    return reason.triage() if isinstance(reason, Deviation) else None


def declared_triage(deviations: Mapping[str, Any]) -> dict[str, dict[str, str | None]]:
    """Pattern -> triage, for the declared deviations that carry one."""
    return {p: t for p, r in deviations.items() if (t := triage_of(r)) is not None}


def matching_triage(deviations: Mapping[str, Any], nodeid: str, name: str) -> dict[str, str | None] | None:
    """The triage of the declared deviation that names this test, if any
    (the same matching rule as :func:`pdict_conformance.gating.named_deviation`)."""
    base = name.split("[", 1)[0]
    for pattern, reason in deviations.items():
        if pattern in (name, base, nodeid) or fnmatch.fnmatchcase(nodeid, pattern):
            return triage_of(reason)
    return None
