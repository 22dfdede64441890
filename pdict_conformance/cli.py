"""The ``pdict`` command: certify backends, compare certificates, render the matrix and badges.

::

    pdict certify --all [--exclude PATTERN] [--reports DIR] [-- PYTEST-ARGS]
                                                           every registered backend
    pdict certify NAME... [--reports DIR]                  these backends
    pdict diff OLD.json NEW.json [--format text|markdown]  exit 1 on regressions
    pdict matrix CERT.json... -o conformance.html
    pdict badge CERT.json [--json PATH] [--svg PATH]
    pdict summary CERT.json...                              one line each and a total

Exit status: 0 success, 1 a regression / a failed certification, 2 a usage
error or an unreadable certificate (one message on stderr).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import badge, matrix
from .baseline import compare
from .certificate import BAD_OUTCOMES, CertificateError, load
from .loading import registered_backends


class UsageError(Exception):
    """A command line the ``pdict`` command cannot act on."""


def _report_name(backend: str) -> str:
    return backend.replace(":", "-").replace("/", "-")


def summary_line(cert: dict[str, Any]) -> str:
    """``target: CONFORMS: N passed, N failed, N skipped`` for one certificate."""
    s = cert["summary"]
    verdict = "CONFORMS" if cert["conforms"] else "DOES NOT CONFORM"
    bad = sum(s[o] for o in BAD_OUTCOMES)
    return (f"{cert['target']} (Python {cert['versions']['python']}): {verdict}: {s['passed']} passed, "
            f"{bad} failed, {s['not applicable'] + s['deviation']} skipped")


def total_line(certs: list[dict[str, Any]]) -> str:
    """The closing line over several certificates: ``total: N passed, N failed, N skipped``."""
    passed = sum(c["summary"]["passed"] for c in certs)
    bad = sum(c["summary"][o] for c in certs for o in BAD_OUTCOMES)
    skipped = sum(c["summary"]["not applicable"] + c["summary"]["deviation"] for c in certs)
    return f"total: {passed} passed, {bad} failed, {skipped} skipped"


def cmd_diff(args: argparse.Namespace) -> int:
    old, new = load(args.old), load(args.new)
    comparison = compare(old, new, old_label=args.old, new_label=args.new)
    render = comparison.render_markdown if args.format == "markdown" else comparison.render_text
    sys.stdout.write(render())
    return 0 if comparison.ok else 1


def cmd_matrix(args: argparse.Namespace) -> int:
    certs = [load(p) for p in args.certificates]
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(matrix.render(certs), encoding="utf-8")
    print(f"matrix: {out} ({len(certs)} backends)")
    return 0


def cmd_badge(args: argparse.Namespace) -> int:
    cert = load(args.certificate)
    base = Path(args.certificate)
    json_path = Path(args.json or base.with_name(base.stem + ".badge.json"))
    svg_path = Path(args.svg or base.with_name(base.stem + ".badge.svg"))
    json_path.write_text(json.dumps(badge.endpoint(cert), indent=2) + "\n", encoding="utf-8")
    svg_path.write_text(badge.svg(cert), encoding="utf-8")
    print(f"badge: {json_path} and {svg_path}: pdict: {badge.message(cert)}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    certs = [load(p) for p in args.certificates]
    for cert in certs:
        print(summary_line(cert))
    print(total_line(certs))
    return 0 if all(c["conforms"] for c in certs) else 1


def _expand(given: list[str], known: list[str]) -> list[str]:
    """``given`` with each glob pattern (``cassandra*``) replaced by the registered
    names it matches, in order; a pattern that matches none is a UsageError."""
    out: list[str] = []
    for name in given:
        if not any(c in name for c in "*?["):
            out.append(name)
            continue
        matched = [n for n in known if fnmatch.fnmatchcase(n, name)]
        if not matched:
            raise UsageError(f"certify: {name!r} matches no registered backend ({', '.join(known) or 'none registered'})")
        out += [n for n in matched if n not in out]
    return out


def cmd_certify(args: argparse.Namespace) -> int:
    known = sorted(registered_backends())
    if args.all and args.backends:
        raise UsageError("certify: give backend names or --all, not both")
    names = known if args.all else _expand(args.backends, known)
    names = [n for n in names if not any(fnmatch.fnmatchcase(n, pattern) for pattern in args.exclude)]
    if not names:
        raise UsageError("certify: name the backends to certify, or --all for every registered one "
                         f"({', '.join(known) or 'none registered'})")
    reports = Path(args.reports)
    reports.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    certs: list[dict[str, Any]] = []
    for name in names:
        path = reports / f"{_report_name(name)}.json"
        path.unlink(missing_ok=True)
        argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--pdict-backend={name}",
                f"--pdict-report={path}", *args.pytest_args]
        print(f"\n=== certify {name}: {' '.join(argv[1:])}", flush=True)
        code = subprocess.call(argv)
        if not path.exists():
            print(f"certify: {name}: no certificate written (pytest exit {code})", file=sys.stderr)
            failed.append(name)
            continue
        cert = load(path)
        certs.append(cert)
        if code != 0:
            failed.append(name)
    print()
    if certs:
        out = Path(args.matrix) if args.matrix else reports / "conformance.html"
        out.write_text(matrix.render(certs), encoding="utf-8")
        print(f"matrix: {out}")
    for cert in certs:
        print(summary_line(cert))
    if failed:
        print(f"certify: FAILED: {', '.join(failed)}", file=sys.stderr)
    print(total_line(certs))
    return 1 if failed else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pdict", description="The pdict conformance kit's command line.")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("certify", help="certify backends, write their certificates and the matrix")
    c.add_argument("backends", nargs="*", metavar="NAME",
                   help="registered names (or glob patterns over them, e.g. 'cassandra*') or module:Name targets")
    c.add_argument("--all", action="store_true", help="every backend registered in the entry points")
    c.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                   help="leave out backends whose name matches (fnmatch; repeatable)")
    c.add_argument("--reports", default="reports", metavar="DIR", help="where certificates go (default reports)")
    c.add_argument("--matrix", metavar="PATH", help="the matrix page (default DIR/conformance.html)")
    c.epilog = "Arguments after -- go to every pytest run (e.g. -- --pdict-profile=quick -q)."
    c.set_defaults(run=cmd_certify)

    d = sub.add_parser("diff", help="regressions, fixes and unchanged between two certificates")
    d.add_argument("old")
    d.add_argument("new")
    d.add_argument("--format", choices=("text", "markdown"), default="text")
    d.set_defaults(run=cmd_diff)

    m = sub.add_parser("matrix", help="one static HTML page: a column per certificate, a row per test")
    m.add_argument("certificates", nargs="+", metavar="CERT.json")
    m.add_argument("-o", "--output", default="conformance.html", metavar="PATH")
    m.set_defaults(run=cmd_matrix)

    b = sub.add_parser("badge", help="a shields.io endpoint JSON and an SVG badge")
    b.add_argument("certificate", metavar="CERT.json")
    b.add_argument("--json", metavar="PATH", help="default: beside CERT, NAME.badge.json")
    b.add_argument("--svg", metavar="PATH", help="default: beside CERT, NAME.badge.svg")
    b.set_defaults(run=cmd_badge)

    s = sub.add_parser("summary", help="one line per certificate and a total; exit 1 unless all conform")
    s.add_argument("certificates", nargs="+", metavar="CERT.json")
    s.set_defaults(run=cmd_summary)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    args = parser().parse_args(argv)
    if extra and args.command != "certify":
        print(f"pdict {args.command}: arguments after -- are for 'pdict certify' only", file=sys.stderr)
        return 2
    args.pytest_args = extra
    try:
        return args.run(args)
    except (CertificateError, UsageError, ValueError) as exc:
        print(f"pdict {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
