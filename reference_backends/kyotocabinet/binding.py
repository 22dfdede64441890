"""Kyoto Cabinet's Python binding, with an install hint when it is missing."""

from __future__ import annotations

try:
    import kyotocabinet as kc
except ImportError as _exc:  # pragma: no cover - depends on the machine
    raise ImportError(
        "KyotoCabinetDict needs Kyoto Cabinet's Python binding (module 'kyotocabinet'), which is "
        "not on PyPI: install Debian's python3-kyotocabinet and make it importable in this "
        "environment with `scripts/install-kyotocabinet.sh <venv>` (e.g. "
        "`scripts/install-kyotocabinet.sh .venv`; it runs apt-get when the package is missing)",
        name="kyotocabinet",
    ) from _exc

DB = kc.DB
E = kc.Error

__all__ = ["kc", "DB", "E"]
