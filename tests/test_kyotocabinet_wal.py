"""Kyoto Cabinet's write-ahead log and a writer killed while appending to it.

Kyoto Cabinet 1.2.79 zero-fills a small log at commit instead of truncating
it, and at the next open applies a message whose body runs on into those zeros
as if it were whole.  These tests build the log a kill leaves by hand (the
kill lands in the log write about once in a hundred kills, see
test_kyotocabinet_durability.py for the real kills) and show the two cases:
torn message over old zeros (what Kyoto Cabinet alone leaves: the store is
broken) and torn message at the end of the file (what KyotoCabinetDict's log,
cut back to one page after each write, leaves: skipped, the store is intact).
"""

from __future__ import annotations

import os
import struct

import pytest

from reference_backends.kyotocabinet import FORMATS, KyotoCabinetDict
from reference_backends.kyotocabinet.walfile import PAGE

FILE_TYPES = [ext for ext, fmt in FORMATS.items() if fmt.file_log]
#: Bytes of the log before a message's body: its header (magic, size), the message's (magic, offset, size).
LOG_HEAD, MESSAGE_HEAD = 12, 17
#: A kill cuts a write short at a page boundary: the body's bytes in the log's first page.
TORN_AT = PAGE - LOG_HEAD - MESSAGE_HEAD


def _fill(path: str) -> dict[str, list]:
    """A store of a few hundred records of about a hundred bytes; its contents."""
    expected = {f"k{i:04}": [i, "x" * (i % 150)] for i in range(400)}
    with KyotoCabinetDict(path) as d:
        d.update(expected)
    return expected


def _torn_log(path: str, zeros_after: bool) -> None:
    """Write the log of a transaction killed while logging the old bytes of the
    records area: the body written up to the end of the log's first page, then
    either zeros up to the body's length (``zeros_after``: a longer log Kyoto
    Cabinet zero-filled at an earlier commit) or the end of the file (a log cut
    back to one page)."""
    with open(path, "rb") as f:
        data = f.read()
    apow, fpow = data[9], data[10]
    bnum = struct.unpack(">q", data[16:24])[0]
    width = 6  # record addresses without the "small" option
    boff = 64 + width * (1 << fpow) + width * 2 + 2
    roff = -(-(boff + width * bnum) // (1 << apow)) << apow
    size = len(data) - roff
    assert size > 2 * TORN_AT, "the store is too small to tear a message in it"
    message = b"\xee" + struct.pack(">qq", roff, size) + data[roff:roff + TORN_AT]
    if zeros_after:
        message += bytes(size - TORN_AT)
    with open(path + ".wal", "wb") as wal:
        wal.write(b"KW\n\0" + struct.pack(">q", len(data)) + message)


@pytest.mark.parametrize("ext", FILE_TYPES)
def test_the_log_is_cut_back_after_every_write(tmp_path, ext):
    """After each kind of write returns, the log is at most one page long, even
    after a transaction that logged more (an overwritten 8 KB value): nothing
    is left beyond the page for a torn message to run into."""
    path = str(tmp_path / f"store{ext}")
    wal = path + ".wal"
    with KyotoCabinetDict(path) as d:
        d["big"] = "x" * 2 * PAGE
        writes = {
            "overwrite a large value": lambda: d.__setitem__("big", "y" * 2 * PAGE),
            "set": lambda: d.__setitem__("a", "x" * 500),
            "set a non-str key": lambda: d.__setitem__(7, [1, 2]),
            "update": lambda: d.update({f"u{i}": i for i in range(50)}),
            "setdefault": lambda: d.setdefault("b", 1),
            "pop": lambda: d.pop("a"),
            "del": lambda: d.__delitem__("b"),
            "popitem": d.popitem,
            "clear": d.clear,
        }
        for name, write in writes.items():
            write()
            assert os.path.exists(wal), f"{name}: Kyoto Cabinet keeps its log while the store is open"
            assert os.path.getsize(wal) <= PAGE, f"after {name} the write-ahead log holds {os.path.getsize(wal)} bytes"
    assert not os.path.exists(wal)


@pytest.mark.parametrize("ext", FILE_TYPES)
def test_a_torn_log_message_at_the_end_of_the_log_is_skipped(tmp_path, ext):
    """What a kill leaves with the log cut back after each write: the store opens, whole."""
    path = str(tmp_path / f"store{ext}")
    expected = _fill(path)
    _torn_log(path, zeros_after=False)
    with KyotoCabinetDict(path) as d:
        assert dict(d.items()) == expected


@pytest.mark.parametrize("ext", FILE_TYPES)
def test_kyoto_cabinet_applies_a_torn_message_over_old_zeros(tmp_path, ext):
    """The defect cutting the log back avoids: a torn message followed by zeros is
    written back over the records, and the store no longer opens or reads
    (reported as an OSError, never as wrong contents)."""
    path = str(tmp_path / f"store{ext}")
    _fill(path)
    _torn_log(path, zeros_after=True)
    with pytest.raises(OSError, match="invalid magic data|broken"):
        with KyotoCabinetDict(path) as d:
            dict(d.items())
