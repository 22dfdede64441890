"""Every capability is read by at least one kit test, and the README's table lists them all.

Read from the markers (``pdict_requires``/``pdict_deviates``) and from the
tests that consult ``harness.caps`` by name, so a new capability without a
test, or a README row that drifts from ``capabilities.py``, fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from catalogue import CPYTHON_DIR, KIT_DIR
from pdict_conformance.capabilities import CAPABILITIES

#: Tested by the durability tier, not by the suite (another part of the kit).
DURABILITY = {"crash_durability", "processes", "thread_safe", "atomic_rmw", "after_fork"}

README = Path(__file__).resolve().parent.parent / "README.md"


def _kit_files() -> list[Path]:
    return sorted(KIT_DIR.glob("suite/test_*.py")) + sorted(CPYTHON_DIR.glob("*.py"))


def _read_capabilities(path: Path) -> set[str]:
    """Capability names a kit module gates on (marker keywords) or reads (``caps.name``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("pdict_requires", "pdict_deviates", "require"):
                found |= {kw.arg for kw in node.keywords if kw.arg}
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            if node.value.attr == "caps" and node.attr in CAPABILITIES:
                found.add(node.attr)
    return found


def test_every_capability_is_read_by_a_kit_test():
    """Each capability (but the durability tier's) gates or is read by some suite or CPython test."""
    read: set[str] = set()
    for path in _kit_files():
        read |= _read_capabilities(path)
    missing = set(CAPABILITIES) - DURABILITY - read
    assert not missing, f"capabilities no kit test reads: {sorted(missing)}"


def test_readme_table_lists_every_capability():
    """The README's capability table has one row per capability, with its allowed values."""
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", README.read_text(encoding="utf-8"), re.M))
    listed = set(rows)
    assert listed == set(CAPABILITIES), (
        f"missing from README: {sorted(set(CAPABILITIES) - listed)}; "
        f"not capabilities: {sorted(listed - set(CAPABILITIES))}"
    )
    for name, cap in CAPABILITIES.items():
        if cap.allowed is not None:
            for value in cap.allowed:
                shown = str(value).lower() if isinstance(value, bool) else str(value)
                assert shown in rows[name], f"README row for {name!r} lacks the value {shown!r}"
