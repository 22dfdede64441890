"""Smoke runs of every benchmark command (tiny N), so the harness cannot rot.

These check that each command runs end to end and writes results of the
documented shape, and that the plots are made from them; they time nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_scale import checkpoints
from benchmarks.plot import splice

ROOT = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_module(module: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"{module} {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results")
    run_module("benchmarks.bench_sqlite", "--n", "40", "--rounds", "2", "--out", str(out / "sqlite.json"))
    run_module("benchmarks.bench_kyotocabinet", "--n", "20", "--rounds", "1", "--only", "kch,kcx",
               "--out", str(out / "kyotocabinet.json"))
    run_module("benchmarks.bench_scale", "--family", "sqlite", "--start", "100", "--max-n", "300",
               "--sample", "50", "--budget", "0", "--out", str(out / "scale-sqlite.json"))
    run_module("benchmarks.bench_scale", "--family", "kyotocabinet", "--start", "100", "--max-n", "200",
               "--sample", "20", "--stores", "KyotoCabinetDict .kch,raw kyotocabinet .kcx",
               "--out", str(out / "scale-kyotocabinet.json"))
    run_module("benchmarks.bench_kit", "--rounds", "1", "--pytest-args", "-k test_len_",
               "--out", str(out / "kit.json"))
    run_module("benchmarks.profile_hotpaths", "--n", "50", "--rounds", "1", "--top", "3",
               "--stores", "SqliteDict,KyotoCabinetDict .kch", "--out", str(out / "profile.json"))
    return out


def load(results: Path, name: str) -> dict[str, Any]:
    doc = json.loads((results / name).read_text())
    assert doc["schema"] == 1
    assert doc["command"].startswith("python -m benchmarks.")
    assert doc["machine"]["cpus"] >= 1 and doc["seconds"] > 0
    return doc


def test_sqlite_ratios_against_raw_sqlite3(results: Path) -> None:
    doc = load(results, "sqlite.json")
    group = doc["groups"]["sqlite"]
    assert group["baseline"] == "raw sqlite3" and group["n"] == 40
    assert set(group["stores"]) == {"raw sqlite3", "SqliteDict", "diskcache.Index", "sqlitedict"}
    assert group["operations"] == ["set", "get", "delete", "update", "iterate", "items", "len"]
    for name, row in group["stores"].items():
        for op, cell in row.items():
            assert len(cell["samples"]) == 2, (name, op)
            assert cell["median"] > 0 and cell["ratio"] > 0, (name, op)
    assert all(cell["ratio"] == 1.0 for cell in group["stores"]["raw sqlite3"].values())


def test_kyotocabinet_groups_per_type(results: Path) -> None:
    doc = load(results, "kyotocabinet.json")
    assert list(doc["groups"]) == ["kch", "kcx"]
    kch = doc["groups"]["kch"]
    assert kch["baseline"] == "raw kyotocabinet .kch"
    assert kch["stores"]["KyotoCabinetDict .kch"]["get"]["ratio"] > 0
    kcx = doc["groups"]["kcx"]["stores"]
    # A text database cannot look a key up: no raw figure, so no ratio, but ours is measured.
    assert kcx["raw kyotocabinet .kcx"]["get"] == {"samples": [], "median": None, "ratio": None}
    assert kcx["KyotoCabinetDict .kcx"]["get"]["median"] > 0
    assert kcx["KyotoCabinetDict .kcx"]["get"]["ratio"] is None


def test_scale_grows_each_store_until_its_target_or_budget(results: Path) -> None:
    doc = load(results, "scale-sqlite.json")
    stores = doc["stores"]
    assert set(stores) == {"raw sqlite3", "SqliteDict", "diskcache.Index", "sqlitedict"}
    ours = stores["SqliteDict"]
    assert [p["n"] for p in ours["points"]] == [100, 200, 300]
    assert ours["reached_n"] == 300 and ours["stopped"].startswith("target")
    for p in ours["points"]:
        assert p["set_per_s"] > 0 and p["get_per_s"] > 0 and p["bytes_per_key"] > 0
    final = ours["final"]
    assert final["n"] == 300 and final["bytes_per_key"] > 0
    assert final["iterate"]["per_s"] > 0 and final["len"]["seconds_per_call"] > 0 and final["clear"]["seconds"] >= 0
    assert isinstance(final["iterate"]["peak_rss_growth_bytes"], int)
    # --budget 0: every other store stops after its first checkpoint, and says why.
    for name in ("raw sqlite3", "diskcache.Index", "sqlitedict"):
        assert stores[name]["reached_n"] == 100, name
        assert stores[name]["stopped"].startswith("budget"), name


def test_scale_kyotocabinet_text_has_no_raw_get(results: Path) -> None:
    doc = load(results, "scale-kyotocabinet.json")
    stores = doc["stores"]
    assert stores["KyotoCabinetDict .kch"]["reached_n"] == 200
    assert all(p["get_per_s"] is None for p in stores["raw kyotocabinet .kcx"]["points"])
    assert "len" not in stores["raw kyotocabinet .kcx"]["final"]


def test_kit_runs_are_timed_against_their_goals(results: Path) -> None:
    doc = load(results, "kit.json")
    runs = {r["name"]: r for r in doc["runs"]}
    assert runs["whole kit against builtins:dict"]["goal_s"] == 5
    assert runs["scripts/certify.sh without setup (sqlite)"]["goal_s"] == 20
    for run in runs.values():
        assert run["median_s"] > 0 and "passed" in run["outcome"]


def test_profiles_name_where_the_time_goes(results: Path) -> None:
    doc = load(results, "profile.json")
    assert set(doc["profiles"]) == {"SqliteDict", "KyotoCabinetDict .kch"}
    assert set(doc["profiles"]["SqliteDict"]) == {"set", "get", "delete", "update", "iterate"}
    for ops in doc["profiles"].values():
        for p in ops.values():
            assert p["us_per_op"] > 0 and 1 <= len(p["top"]) <= 3
            assert all(0 <= row["share"] <= 1 and row["calls"] > 0 for row in p["top"])
    schemas = doc["insert_us_by_schema"]
    assert len(schemas) == 6 and all(us > 0 for us in schemas.values())
    walks = doc["iterate_keys_per_s"]
    assert len(walks) == 3 and "diskcache.Index" in walks and all(rate > 0 for rate in walks.values())


def test_plots_and_tables_are_made_from_the_results(results: Path, tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    shutil.copy(ROOT / "docs" / "benchmarks.md", page)
    run_module("benchmarks.plot", "--results", str(results), "--docs", str(tmp_path), "--markdown", str(page))
    for name in ("bench-sqlite-ratios.png", "bench-kyotocabinet-ratios.png", "bench-scale-sqlite.png",
                 "bench-scale-kyotocabinet.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG_MAGIC, name
    text = page.read_text()
    assert "| raw sqlite3 | 1.00 (" in text and "| SqliteDict | " in text
    assert "python -m benchmarks.bench_sqlite --n 40" in text
    assert "| KyotoCabinetDict .kch | 200 |" in text
    assert "whole kit against builtins:dict" in text
    assert "| SqliteDict | set |" in text


def test_checkpoints_are_1_2_5_per_decade_up_to_the_target() -> None:
    assert checkpoints(1000, 10_000) == [1000, 2000, 5000, 10_000]
    assert checkpoints(100, 300) == [100, 200, 300]
    assert checkpoints(1000, 1000) == [1000]


def test_splice_refuses_a_page_without_markers(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# nothing generated here\n")
    with pytest.raises(SystemExit, match="generated:sqlite"):
        splice(page, "sqlite", "table")


def test_cassandra_costs_bill_each_operation_to_the_servers(cassandra_node: Any, tmp_path: Path) -> None:
    """benchmarks.cassandra_costs on the kit's node: a row per operation kind with
    the JVM CPU it cost, made into the Markdown table docs/benchmarks.md shows."""
    from benchmarks.plot import costs_markdown

    out = tmp_path / "cassandra-costs.json"
    points = ",".join(f"{host}:{cassandra_node.port}" for host in cassandra_node.contact_points)
    run_module("benchmarks.cassandra_costs", "--n", "10", "--idle", "0.5", "--settle", "0",
               "--contact-points", points, "--out", str(out))
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["benchmark"] == "cassandra-costs" and doc["service"] == "cassandra"
    rows = doc["operations"]
    assert len(rows) == 8 and all(r["count"] >= 1 and r["wall_ms"] > 0 and r["jvm_cpu_ms"] >= 0 for r in rows)
    assert sum(r["jvm_cpu_ms"] * r["count"] for r in rows) > 0  # the node worked, and it was counted
    page = tmp_path / "page.md"
    page.write_text("<!-- generated:cassandra-costs -->\n<!-- /generated:cassandra-costs -->\n", encoding="utf-8")
    splice(page, "cassandra-costs", costs_markdown(doc))
    assert page.read_text(encoding="utf-8").count("\n| ") == 1 + len(rows)
