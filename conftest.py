"""Repository-level pytest configuration for the project's own tests.

The kit itself is a plugin installed with the package (``pytest11`` entry
point); this file only makes a missing installation obvious.
"""

from __future__ import annotations

import importlib.metadata

import pytest


def pytest_configure(config: pytest.Config) -> None:
    names = {ep.name for ep in importlib.metadata.entry_points(group="pytest11")}
    if "pdict_conformance" not in names:
        raise pytest.UsageError(
            "the pdict_conformance plugin is not installed in this Python; run scripts/setup.sh "
            "and use .venv/bin/pytest"
        )
