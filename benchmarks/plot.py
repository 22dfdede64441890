"""Plots and tables from the benchmarks' JSON results (nothing here measures).

Run:  .venv/bin/python -m benchmarks.plot [--results benchmarks/results] [--docs docs]
                                           [--markdown docs/benchmarks.md]

For each results file present: ``sqlite.json`` and ``kyotocabinet.json``
give ratio bars per operation (``bench-<name>-ratios.png``);
``scale-<family>.json`` gives set and get throughput and bytes per key
against N on log axes (``bench-scale-<family>.png``); ``kit.json`` and
``profile.json`` give tables.  The tables are written into the Markdown file between the markers
``<!-- generated:<name> -->`` and ``<!-- /generated:<name> -->``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/plot.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from . import harness

FLAT_FROM = 10_000  # the scale table compares rates from this N to the largest


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise SystemExit(f"plots need matplotlib ({exc}); run pip install -e '.[bench]' (or scripts/setup.sh)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _short(name: str, group: str) -> str:
    return name.replace(f" .{group}", "") if group else name


# -- ratio bars --------------------------------------------------------------
def ratio_figure(doc: dict[str, Any], path: Path) -> Path:
    plt = _pyplot()
    groups = doc["groups"]
    fig, axes = plt.subplots(len(groups), 1, figsize=(10, 3.2 * len(groups)), squeeze=False)
    for ax, (gname, group) in zip(axes[:, 0], groups.items()):
        ops = group["operations"]
        names = [n for n in group["stores"] if n != group["baseline"]]
        width = 0.8 / max(1, len(names))
        for j, name in enumerate(names):
            ratios = [group["stores"][name][op]["ratio"] for op in ops]
            xs = [i + (j - (len(names) - 1) / 2) * width for i in range(len(ops))]
            shown = [(x, r) for x, r in zip(xs, ratios) if r]
            ax.bar([x for x, _ in shown], [r for _, r in shown], width, label=_short(name, gname if gname != doc["benchmark"] else ""))
        ax.axhline(1.0, color="k", linewidth=1, linestyle="--")
        ax.set_yscale("log")
        ax.set_xticks(range(len(ops)), ops)
        ax.set_ylabel(f"ops/s ÷ {_short(group['baseline'], gname if gname != doc['benchmark'] else '')}")
        ax.set_title(f"{gname}: n={group['n']:,}, {group['rounds']} rounds taking turns by chunk, medians "
                     f"(1.0 = {group['baseline']})", fontsize=10)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def ratio_markdown(doc: dict[str, Any]) -> str:
    parts = [f"`{doc['command']}` ({doc['finished']}, {doc['seconds']:.0f} s, load average {_load(doc)}; "
             "cells: ratio to the baseline (median ops/s))"]
    for gname, group in doc["groups"].items():
        title = f"\n**{gname}**, n={group['n']:,}, {group['rounds']} rounds, baseline {group['baseline']}:\n"
        parts.append(harness.ratio_table(group, title))
    return "\n".join(parts)


# -- scale -------------------------------------------------------------------
def scale_figure(doc: dict[str, Any], path: Path) -> Path:
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.6))
    panels = (("set_per_s", "set (ops/s)"), ("get_per_s", "get of random keys (ops/s)"),
              ("bytes_per_key", "bytes on disk per key"))
    for ax, (field, label) in zip(axes, panels):
        for name, store in doc["stores"].items():
            pts = [(p["n"], p[field]) for p in store["points"] if p.get(field)]
            if not pts:
                continue
            style = "--" if store["role"] == "baseline" else "-"
            ax.plot([n for n, _ in pts], [v for _, v in pts], style, marker="o", markersize=3, label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("N (keys in the store)")
        ax.set_title(label, fontsize=10)
        ax.grid(which="both", alpha=0.3)
    axes[2].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fill = doc["params"].get("fill", "set")
    how = "every key set one at a time" if fill == "set" else f"the last {doc['params']['sample']:,} keys of each step set one at a time"
    fig.suptitle(f"{doc['benchmark']}: rates as the stores grow ({how}; dashed: raw baseline)", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _load(doc: dict[str, Any]) -> str:
    """The 1-minute load average when the run finished."""
    load = doc["machine"].get("load_average")
    return f"{load[0]:.1f}" if load else "unknown"


def _mib(b: int | None) -> str:
    return "n/a" if b is None else f"{b / 2**20:.1f}"


def scale_markdown(doc: dict[str, Any]) -> str:
    lines = [f"`{doc['command']}` ({doc['finished']}, {doc['seconds']:.0f} s, load average {_load(doc)})", "",
             f"| store | reached N | set/s at N={FLAT_FROM:,} → last N | get/s at N={FLAT_FROM:,} → last N | bytes/key "
             "| iterate/s (peak RSS +MiB) | len s/call (+MiB) | clear s (+MiB) | stopped |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, s in doc["stores"].items():
        pts, fin = s["points"], s["final"]
        if not pts:
            lines.append(f"| {name} | 0 | | | | | | | {s['stopped']} |")
            continue
        # Segments below 10,000 keys are too short to time well under load: flatness is judged from there.
        first, last = next((p for p in pts if p["n"] >= FLAT_FROM), pts[0]), pts[-1]

        def span(field: str) -> str:
            if not first.get(field) or not last.get(field):
                return "n/a"
            return f"{first[field]:,.0f} → {last[field]:,.0f} ({last[field] / first[field]:.2f}x)"

        it, ln, cl = fin.get("iterate"), fin.get("len"), fin.get("clear")
        lines.append(
            f"| {name} | {s['reached_n']:,} | {span('set_per_s')} | {span('get_per_s')} "
            f"| {fin.get('bytes_per_key', 0):.0f} "
            f"| {it['per_s']:,.0f} (+{_mib(it['peak_rss_growth_bytes'])}) "
            f"| {('%.2g' % ln['seconds_per_call']) + ' (+' + _mib(ln['peak_rss_growth_bytes']) + ')' if ln else 'n/a'} "
            f"| {cl['seconds']:.2f} (+{_mib(cl['peak_rss_growth_bytes'])}) | {s['stopped']} |"
        )
    return "\n".join(lines)


# -- kit -----------------------------------------------------------------------
def kit_markdown(doc: dict[str, Any]) -> str:
    lines = [f"`{doc['command']}` ({doc['finished']}, load average {_load(doc)} on {doc['machine']['cpus']} cores)", "",
             "| run | command | wall s, median (rounds) | CPU s, median | goal | met (wall) | outcome |",
             "|---|---|---|---|---|---|---|"]
    for run in doc["runs"]:
        met = "yes" if run["median_s"] <= run["goal_s"] else "no"
        rounds = ", ".join(f"{s:.1f}" for s in run["seconds"])
        lines.append(f"| {run['name']} | `{run['command']}` ({run['cwd']}) | {run['median_s']:.1f} ({rounds}) "
                     f"| {run['median_cpu_s']:.1f} | {run['goal_s']:g} s | {met} | {run['outcome']} |")
    return "\n".join(lines)


# -- profiles --------------------------------------------------------------------
def profile_markdown(doc: dict[str, Any]) -> str:
    lines = [f"`{doc['command']}` ({doc['finished']}, load average {_load(doc)})", "",
             "| store | operation | µs/op (unprofiled, best of 3) | most own time under cProfile (share) |",
             "|---|---|---|---|"]
    for name, ops in doc["profiles"].items():
        for op, p in ops.items():
            top = "; ".join(f"`{r['function']}` {r['share']:.0%}" for r in p["top"][:4])
            lines.append(f"| {name} | {op} | {p['us_per_op']:.1f} | {top} |")
    lines += ["", "| autocommit set of a new key, one SQL statement (no Python codec) | µs per row |", "|---|---|"]
    lines += [f"| {name} | {us:.1f} |" for name, us in doc["insert_us_by_schema"].items()]
    walks = doc.get("iterate_keys_per_s")
    if walks:
        lines += ["", "| walking every key (same rows, filled alike) | keys/s |", "|---|---|"]
        lines += [f"| {name} | {rate:,} |" for name, rate in walks.items()]
    return "\n".join(lines)


def costs_markdown(doc: dict[str, Any]) -> str:
    lines = [f"`{doc['command']}` ({doc['finished']}, load average {_load(doc)}): {doc['spec']}, "
             f"idle JVMs {doc['idle_jvm_cpu_ms_per_s']:g} ms of CPU per second", "",
             "| operation | times | wall ms each | JVM CPU ms each (all nodes) |", "|---|---|---|---|"]
    lines += [f"| {r['operation']} | {r['count']} | {r['wall_ms']:.1f} | {r['jvm_cpu_ms']:.1f} |"
              for r in doc["operations"]]
    return "\n".join(lines)


# -- Markdown splicing -----------------------------------------------------------
def splice(markdown: Path, name: str, body: str) -> None:
    """Replace the text between ``<!-- generated:name -->`` and ``<!-- /generated:name -->``."""
    text = markdown.read_text(encoding="utf-8")
    pattern = re.compile(rf"(<!-- generated:{re.escape(name)} -->\n).*?(<!-- /generated:{re.escape(name)} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"{markdown} has no '<!-- generated:{name} -->' ... '<!-- /generated:{name} -->' markers")
    markdown.write_text(pattern.sub(lambda m: m.group(1) + body.rstrip() + "\n" + m.group(2), text), encoding="utf-8")


def render(results: Path, docs: Path, markdown: Path | None) -> list[Path]:
    """Every plot and table the results in ``results`` allow; returns the files written."""
    written: list[Path] = []
    for path in sorted(results.glob("*.json")):
        doc = harness.read_results(path)
        name = doc["benchmark"]
        if "groups" in doc:
            written.append(ratio_figure(doc, docs / f"bench-{name}-ratios.png"))
            body = ratio_markdown(doc)
        elif name.startswith("scale-"):
            written.append(scale_figure(doc, docs / f"bench-{name}.png"))
            body = scale_markdown(doc)
        elif name == "kit":
            body = kit_markdown(doc)
        elif name == "profile":
            body = profile_markdown(doc)
        elif name == "cassandra-costs":
            body = costs_markdown(doc)
        else:
            raise SystemExit(f"{path}: unknown benchmark {name!r}")
        if markdown is not None:
            splice(markdown, name, body)
            written.append(markdown)
    return written


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=harness.RESULTS_DIR)
    parser.add_argument("--docs", type=Path, default=harness.DOCS_DIR, help="where the PNG files go")
    parser.add_argument("--markdown", type=Path, default=harness.DOCS_DIR / "benchmarks.md",
                        help="the page whose generated sections are rewritten ('-' for none)")
    args = parser.parse_args(argv)
    markdown = None if str(args.markdown) == "-" else args.markdown
    written = render(args.results, args.docs, markdown)
    for p in dict.fromkeys(written):
        print(f"wrote {p}")
    return written


if __name__ == "__main__":
    main(sys.argv[1:])
