"""The results matrix in a real browser: headless Chromium renders every row and column, no console message.

The certificates are the reference backends' own: made here with
``pdict certify --all`` (every registered backend but Cassandra, which needs
Docker; the order suite and the CPython mapping-protocol ports, quick profile), or, when
``PDICT_REPORTS`` names a folder of certificates (``scripts/test-all.sh`` sets
it after certifying every backend), those.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import browser
from pdict_conformance import matrix
from pdict_conformance.certificate import load

TESTS_DIR = Path(__file__).resolve().parent
PDICT = Path(sys.executable).with_name("pdict")
KIT = Path(matrix.__file__).resolve().parent


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> list[dict]:
    given = os.environ.get("PDICT_REPORTS")
    if given:
        paths = sorted(Path(given).glob("*.json"))
        assert paths, f"PDICT_REPORTS={given} holds no certificate"
        return [load(p) for p in paths]
    folder = tmp_path_factory.mktemp("matrix")
    import cpython_dict_tests

    ports = Path(cpython_dict_tests.__file__).resolve().parent / "test_mapping_protocol.py"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "GITHUB_STEP_SUMMARY")}
    run = subprocess.run(
        [str(PDICT), "certify", "--all", "--exclude", "cassandra*", "--reports", "r", "--",
         "--pdict-profile=quick", "--pdict-seed=3", "-q", str(KIT / "suite" / "test_order.py"), str(ports)],
        cwd=folder, capture_output=True, text=True, env=env, timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return [load(p) for p in sorted((folder / "r").glob("*.json"))]


class MatrixDom(HTMLParser):
    """Reads the rendered table: column headers, area rows, and each test row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.columns: list[str] = []
        self.areas: list[str] = []
        self.rows: dict[str, list[str]] = {}
        self.links: list[str] = []
        self.body: dict[str, str] = {}
        self._row: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "body":
            self.body = a
        elif tag == "th" and "col" in cls:
            self._in = "col"
            self.columns.append("")
        elif tag == "tr" and "area" in cls:
            self._in = "area"
            self.areas.append("")
        elif tag == "tr" and "test" in cls:
            self._row = a["data-nodeid"]
            self.rows[self._row] = []
        elif tag == "td" and "cell" in cls and self._row is not None:
            self.rows[self._row].append(" ".join(c for c in cls if c not in ("cell", "selected")))
        elif tag == "a" and self._row is not None:
            self.links.append(a.get("href", ""))

    def handle_endtag(self, tag):
        if tag in ("th", "tr") and self._in:
            self._in = None
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._in == "col" and not self.columns[-1]:
            self.columns[-1] = data.strip()
        elif self._in == "area" and data.strip():
            self.areas[-1] = data.strip()


def test_matrix_renders_every_row_and_column_in_chromium(certificates, tmp_path):
    page = tmp_path / "conformance.html"
    page.write_text(matrix.render(certificates), encoding="utf-8")
    loaded = browser.load(page)
    assert loaded.console == []

    dom = MatrixDom()
    dom.feed(loaded.dom)
    expected = matrix.matrix_data(certificates)
    assert dom.columns == [c["label"] for c in expected["columns"]]
    assert len(dom.columns) == len(certificates) >= 3
    assert dom.areas == sorted({r["area"] for r in expected["rows"]})
    assert list(dom.rows) == [r["nodeid"] for r in expected["rows"]]
    for row in expected["rows"]:
        want = [c["o"].replace(" ", "-") if c else "absent" for c in row["cells"]]
        assert dom.rows[row["nodeid"]] == want, row["nodeid"]
    cpython_rows = [r for r in expected["rows"] if r["link"]]
    assert cpython_rows and dom.links == [r["link"] for r in cpython_rows]
    assert dom.body["data-rendered-rows"] == str(len(expected["rows"]))
    assert dom.body["data-rendered-columns"] == str(len(certificates))


def test_screenshot_of_the_matrix(certificates, tmp_path):
    page = tmp_path / "conformance.html"
    page.write_text(matrix.render(certificates), encoding="utf-8")
    shot = browser.screenshot(page, tmp_path / "matrix.png", 1200, 700)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 700)
    assert len(data) > 20_000  # a rendered table, not a blank page


def test_page_errors_reach_the_console_check(tmp_path):
    """The console check sees a script error (so an empty console list means something)."""
    page = tmp_path / "broken.html"
    page.write_text(matrix.render([json.loads(json.dumps(c)) for c in _one()]).replace(
        '"use strict";', '"use strict"; undefinedFunction();', 1), encoding="utf-8")
    loaded = browser.load(page)
    assert any("undefinedFunction is not defined" in m for m in loaded.console), loaded.console
    dom = MatrixDom()
    dom.feed(loaded.dom)
    assert dom.rows == {}


def _one() -> list[dict]:
    from test_gate_baseline import cert

    return [cert({"test_a": "passed"})]


#: Played after the page's own script: click the first cell, then filter on "popitem".
INTERACTION = """<script>
document.querySelector("td.cell[data-row]").click();
const filter = document.getElementById("filter");
filter.value = "popitem";
filter.dispatchEvent(new Event("input"));
</script>
</body>"""


def test_cell_detail_on_click_and_filter(certificates, tmp_path):
    page = tmp_path / "conformance.html"
    page.write_text(matrix.render(certificates).replace("</body>", INTERACTION, 1), encoding="utf-8")
    loaded = browser.load(page)
    assert loaded.console == []
    data = matrix.matrix_data(certificates)
    first = data["rows"][0]
    cell = first["cells"][0]
    detail = loaded.dom.split('<aside id="detail"', 1)[1].split("</aside>", 1)[0]
    assert not detail.startswith(" hidden")
    assert first["name"] in detail and f"{data['columns'][0]['label']}: {cell['o']}" in detail
    assert "reproduce:" in detail and cell["r"].replace("'", "&#39;").split(" ", 1)[0] in detail
    dom = MatrixDom()
    dom.feed(loaded.dom)
    visible = [line for line in loaded.dom.split("<tr") if 'class="test"' in line and " hidden" not in line.split(">", 1)[0]]
    wanted = [r for r in data["rows"] if "popitem" in (r["nodeid"] + " " + r["area"] + " " + r["provenance"]).lower()]
    assert wanted and len(visible) == len(wanted)
    assert f"{len(wanted)} of {len(data['rows'])} tests" in loaded.dom
