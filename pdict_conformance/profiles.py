"""Hypothesis profiles for the kit, selected with ``--pdict-profile``.

``quick``: a smoke run for development.  ``ci``: the default, sized so that the
whole kit against dict finishes in a few seconds on two cores, and a failing
store is reported within a minute.  ``thorough``: many more and longer
examples, for a release or a nightly job.  No profile writes an example
database: a run is reproduced by its seed.

``shrink_seconds`` bounds how long the state machine may spend shrinking once
it has found a divergence: then the shortest examples found so far are
reported (see :mod:`pdict_conformance.models.journal`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import HealthCheck, Phase, settings


@dataclasses.dataclass(frozen=True)
class Profile:
    """One profile: hypothesis settings and the state machine's shrink budget."""

    settings: dict[str, Any]
    shrink_seconds: float | None


PROFILES: dict[str, Profile] = {
    # quick does not shrink: it answers "does it conform", fast, not "why not".
    "quick": Profile(
        {
            "max_examples": 15,
            "stateful_step_count": 15,
            "phases": (Phase.explicit, Phase.reuse, Phase.generate, Phase.target),
        },
        shrink_seconds=5,
    ),
    "ci": Profile({"max_examples": 100, "stateful_step_count": 40}, shrink_seconds=20),
    "thorough": Profile({"max_examples": 500, "stateful_step_count": 60}, shrink_seconds=120),
}
DEFAULT_PROFILE = "ci"


def register_profiles() -> None:
    """Register every profile under the name ``pdict-<name>``."""
    for name, profile in PROFILES.items():
        settings.register_profile(
            f"pdict-{name}",
            deadline=None,
            database=None,
            print_blob=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            **profile.settings,
        )


def load_profile(name: str) -> settings:
    """Make ``name`` the active profile and return its settings."""
    settings.load_profile(f"pdict-{name}")
    return settings.get_profile(f"pdict-{name}")
