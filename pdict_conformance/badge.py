"""Badges from a certificate: a shields.io endpoint JSON and a self-contained SVG.

The message is ``conforms P/T`` (P tests passed of T) when the backend
conforms, else ``N failing, P/T``; colours: green, red.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .certificate import BAD_OUTCOMES

GREEN = "#4c1"
RED = "#e05d44"
LABEL = "pdict"


def message(cert: dict[str, Any]) -> str:
    """The badge's right-hand text."""
    s = cert["summary"]
    ratio = f"{s['passed']}/{s['total']}"
    if cert["conforms"]:
        return f"conforms {ratio}"
    failing = sum(s[o] for o in BAD_OUTCOMES)
    return f"{failing} failing, {ratio}"


def endpoint(cert: dict[str, Any]) -> dict[str, Any]:
    """The JSON a shields.io endpoint badge reads."""
    return {
        "schemaVersion": 1,
        "label": LABEL,
        "message": message(cert),
        "color": "brightgreen" if cert["conforms"] else "red",
    }


def _width(text: str) -> int:
    # Verdana 11px: about 7 px a character, wider for capitals and digits; 10 px padding.
    return int(sum(7.5 if c.isupper() or c.isdigit() else 6.2 for c in text)) + 10


def svg(cert: dict[str, Any]) -> str:
    """A flat badge as a standalone SVG document (no external references)."""
    right = message(cert)
    lw, rw = _width(LABEL), _width(right)
    colour = GREEN if cert["conforms"] else RED
    total = lw + rw
    title = escape(f"{LABEL}: {right}")
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{title}">
  <title>{title}</title>
  <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
  <clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>
  <g clip-path="url(#r)">
    <rect width="{lw}" height="20" fill="#555"/>
    <rect x="{lw}" width="{rw}" height="20" fill="{colour}"/>
    <rect width="{total}" height="20" fill="url(#s)"/>
  </g>
  <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
    <text x="{lw / 2:.1f}" y="14">{escape(LABEL)}</text>
    <text x="{lw + rw / 2:.1f}" y="14">{escape(right)}</text>
  </g>
</svg>
"""
