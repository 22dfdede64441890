"""Headless Chromium for the kit's tests: load a local page, read its DOM and console, screenshot it.

Debian's ``chromium`` (installed by ``scripts/setup.sh --all``), run headless
with networking features off and a fresh profile; pages are opened from
``file://`` only.  Console messages (``console.*`` and uncaught errors) are
read from Chromium's own log on stderr.

As a script: ``python tests/browser.py PAGE.html SHOT.png [WIDTH HEIGHT]``
writes a screenshot (used for the one in ``docs/``).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
)
TIMEOUT = 120
_CONSOLE = re.compile(r":CONSOLE[:(]\d+\)?\] (?P<message>.*)$")


class BrowserMissing(RuntimeError):
    """Chromium is not installed."""


@dataclasses.dataclass
class PageLoad:
    dom: str
    console: list[str]


def chromium() -> str:
    found = shutil.which("chromium")
    if not found:
        raise BrowserMissing("chromium is not installed: run scripts/setup.sh --all (Debian package 'chromium')")
    return found


def _run(page: Path, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="pdict-chromium-") as profile:
        argv = [chromium(), *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                *extra, page.resolve().as_uri()]
        return subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT)


def load(page: Path) -> PageLoad:
    """The page's DOM after its scripts ran, and every console message it logged."""
    done = _run(page, "--dump-dom")
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    console = [m.group("message") for line in done.stderr.splitlines() if (m := _CONSOLE.search(line))]
    return PageLoad(done.stdout, console)


def screenshot(page: Path, out: Path, width: int = 1400, height: int = 900) -> Path:
    """A PNG of the page's first screen."""
    out.parent.mkdir(parents=True, exist_ok=True)
    done = _run(page, f"--screenshot={out.resolve()}", f"--window-size={width},{height}", "--hide-scrollbars")
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-2000:]}")
    return out


if __name__ == "__main__":
    size = [int(x) for x in sys.argv[3:5]] or [1400, 900]
    print(screenshot(Path(sys.argv[1]), Path(sys.argv[2]), *size))
