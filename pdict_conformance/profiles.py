"""Hypothesis profiles for the kit, selected with ``--pdict-profile``.

``quick``: a smoke run for development.  ``ci``: the default, sized so that the
whole kit against dict finishes in well under a minute on two cores.
``thorough``: many more and longer examples, for a release or a nightly job.
No profile writes an example database: a run is reproduced by its seed.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

PROFILES: dict[str, dict] = {
    # quick does not shrink: it answers "does it conform", fast, not "why not".
    "quick": {
        "max_examples": 15,
        "stateful_step_count": 15,
        "phases": (Phase.explicit, Phase.reuse, Phase.generate, Phase.target),
    },
    "ci": {"max_examples": 100, "stateful_step_count": 40},
    "thorough": {"max_examples": 500, "stateful_step_count": 60},
}
DEFAULT_PROFILE = "ci"


def register_profiles() -> None:
    """Register every profile under the name ``pdict-<name>``."""
    for name, values in PROFILES.items():
        settings.register_profile(
            f"pdict-{name}",
            deadline=None,
            database=None,
            print_blob=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            **values,
        )


def load_profile(name: str) -> settings:
    """Make ``name`` the active profile and return its settings."""
    settings.load_profile(f"pdict-{name}")
    return settings.get_profile(f"pdict-{name}")
