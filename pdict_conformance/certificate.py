"""The certificate's contract: its schema version, its outcomes, validation and loading.

A certificate is the JSON a run writes with ``--pdict-report``.  Its shape is
the JSON Schema shipped in this package (``schemas/certificate-1.schema.json``,
see :func:`schema`); every certificate the kit writes is validated against it
before it reaches the disk, and every certificate the ``pdict`` command or the
baseline gate reads is validated when loaded, so a reader never meets a
half-understood file.
"""

from __future__ import annotations

import enum
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

#: The version of the certificate format this kit writes and reads.
SCHEMA_VERSION = 1


class Outcome(str, enum.Enum):
    """How one test ended; the value is what the certificate says."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not applicable"
    DEVIATION = "deviation"
    STALE_DEVIATION = "stale deviation"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value

    @property
    def bad(self) -> bool:
        """True for the outcomes that make a backend not conform."""
        return self.value in BAD_OUTCOMES


#: Every outcome, in the order summaries list them.
OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)

#: Outcomes that make a backend not conform (their string values).
BAD_OUTCOMES = frozenset({"failed", "stale deviation", "error"})

#: Kinds a declared deviation may carry (see :class:`pdict_conformance.triage.Deviation`).
DEVIATION_KINDS = ("unsupported", "bug", "flaky")


class CertificateError(ValueError):
    """A file is not a certificate this kit can read; the message says where and why."""


@lru_cache(maxsize=None)
def schema() -> dict[str, Any]:
    """The JSON Schema of the current certificate version."""
    text = (
        resources.files("pdict_conformance")
        .joinpath("schemas", f"certificate-{SCHEMA_VERSION}.schema.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


@lru_cache(maxsize=None)
def _validator() -> Any:
    import jsonschema

    cls = jsonschema.validators.validator_for(schema())
    cls.check_schema(schema())
    return cls(schema())


def problems(cert: Any) -> list[str]:
    """Every way ``cert`` breaks the schema, one line each (empty: it is valid)."""
    found = []
    for error in sorted(_validator().iter_errors(cert), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        found.append(f"{where}: {error.message}")
    return found


def validate(cert: Any, source: str = "certificate") -> None:
    """Raise CertificateError naming the first problem if ``cert`` breaks the schema."""
    if isinstance(cert, dict) and cert.get("schema_version") not in (None, SCHEMA_VERSION):
        raise CertificateError(
            f"{source}: schema_version {cert.get('schema_version')!r}; this kit reads version {SCHEMA_VERSION}"
        )
    found = problems(cert)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise CertificateError(f"{source} is not a valid pdict certificate: {found[0]}{more}")


def load(path: str | Path) -> dict[str, Any]:
    """Read and validate the certificate at ``path``; CertificateError says what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CertificateError(f"cannot read certificate {path}: {exc.strerror or exc}") from None
    try:
        cert = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CertificateError(f"{path} is not JSON: {exc}") from None
    validate(cert, str(path))
    return cert


def dumps(cert: dict[str, Any]) -> str:
    """The certificate as the JSON text the kit writes (validated first)."""
    validate(cert)
    return json.dumps(cert, indent=2, default=str) + "\n"
