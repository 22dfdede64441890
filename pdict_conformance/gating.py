"""Turning capabilities and declared deviations into test outcomes.

Two markers, used by every kit test that depends on a capability:

``@pytest.mark.pdict_requires(name=value, ...)``
    The test applies only when each named capability has that value (or one of
    a tuple of values; for the set-valued ``key_types`` and ``value_types``,
    when the declared set contains the given names).  Otherwise it is skipped
    as *not applicable*, naming the capability.

``@pytest.mark.pdict_deviates(name=value, ...)``
    The test checks dict behaviour that a backend declaring ``name=value``
    does not have.  For such a backend the test is a *declared deviation*: it
    must fail, and passing is an error (a stale declaration).

``@pytest.mark.pdict_may_deviate(name=value, ...)``
    For declarations that promise nothing rather than a difference (e.g.
    ``atomic_rmw="none"``: operations *may* race, and a race may not show in
    one run): a failure is the declared deviation, a pass is a pass.

The spec's ``deviations`` mapping adds deviations by test name.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from .capabilities import CAPABILITIES, Capabilities, CapabilityError

NOT_APPLICABLE = "not applicable"
DEVIATION = "declared deviation"


def _check_names(wanted: Mapping[str, Any], where: str) -> None:
    for name in wanted:
        if name not in CAPABILITIES:
            raise CapabilityError(f"{where}: unknown capability {name!r}")


def _matches(caps: Capabilities, name: str, value: Any) -> bool:
    have = caps[name]
    if isinstance(have, frozenset):
        want = {value} if isinstance(value, str) else set(value)
        return want <= have
    if isinstance(value, tuple):
        return have in value
    return have == value


def unmet_requirement(caps: Capabilities, wanted: Mapping[str, Any]) -> str | None:
    """The skip reason if ``caps`` does not meet ``wanted``, else None."""
    _check_names(wanted, "pdict_requires")
    for name, value in wanted.items():
        if not _matches(caps, name, value):
            return f"{NOT_APPLICABLE}: needs {name}={_show(value)}, backend declares {name}={_show(caps[name])}"
    return None


def capability_deviation(caps: Capabilities, declared: Mapping[str, Any]) -> str | None:
    """The deviation reason if ``caps`` declares one of the ``pdict_deviates`` values."""
    _check_names(declared, "pdict_deviates")
    for name, value in declared.items():
        have = caps[name]
        if isinstance(have, frozenset):
            continue
        if (have in value) if isinstance(value, tuple) else (have == value):
            return f"{DEVIATION}: {name}={_show(have)}"
    return None


def named_deviation(deviations: Mapping[str, str], nodeid: str, test_name: str) -> str | None:
    """The reason if the spec's ``deviations`` names this test."""
    for pattern, reason in deviations.items():
        if pattern == test_name or pattern == nodeid or fnmatch.fnmatchcase(nodeid, pattern):
            return f"{DEVIATION}: {reason}"
    return None


def _show(value: Any) -> str:
    if isinstance(value, (frozenset, set)):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    return repr(value)
