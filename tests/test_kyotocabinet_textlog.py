"""The .kcx plain text database as KyotoCabinetDict keeps it: a log of lines, validated on replay.

A torn or crafted line anywhere but a cut-off end is CorruptStoreError naming the
file and the byte offset; an incomplete end (a killed append) is cut off; a
failed append is cut back at once; compaction keeps contents and order.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# A missing binding fails this module with the backend's ImportError; it never skips.
from reference_backends.kyotocabinet import KyotoCabinetDict  # noqa: E402
from reference_backends.kyotocabinet.textlog import TextEngine  # noqa: E402
from reference_backends.errors import CorruptStoreError  # noqa: E402


# -- reading, compaction, recovery ---------------------------------------------------------


def test_kcx_lines_across_read_chunks_are_found(tmp_path):
    """Records that straddle Kyoto Cabinet's 1 KiB cursor reads keep their offsets, also after a reopen."""
    path = str(tmp_path / "t.kcx")
    data = {f"k{i}": "v" * (i * 37 % 1500) for i in range(300)}
    with KyotoCabinetDict(path, data) as d:
        for i in range(0, 300, 3):
            d[f"k{i}"] = "w" * (i * 53 % 2000)
            data[f"k{i}"] = "w" * (i * 53 % 2000)
        assert dict(d.items()) == data
    with KyotoCabinetDict(path) as d:
        assert dict(d.items()) == data and all(d[k] == v for k, v in data.items())


def test_kcx_compacts_and_keeps_order(tmp_path, monkeypatch):
    """Once dead lines outnumber live ones the log is rewritten; contents and order survive."""
    monkeypatch.setattr(TextEngine, "compact_after", 50)
    path = tmp_path / "t.kcx"
    with KyotoCabinetDict(str(path), ((f"k{i}", i) for i in range(40))) as d:
        for round_ in range(30):
            for i in range(0, 40, 2):
                d[f"k{i}"] = round_
        del d["k1"]
        d["k1"] = "last"
        size_lines = path.read_text().count("\n")
        assert size_lines < 200, f"{size_lines} lines: never compacted"
        want = [f"k{i}" for i in range(40) if i != 1] + ["k1"]
        assert list(d) == want and d["k0"] == 29 and d["k3"] == 3
    with KyotoCabinetDict(str(path)) as d:
        assert list(d) == want and d["k38"] == 29
    assert not os.path.exists(str(path) + "-compact")


def test_kcx_does_not_compact_under_a_running_iteration(tmp_path, monkeypatch):
    """Compaction waits for iterations to end (they walk file offsets)."""
    monkeypatch.setattr(TextEngine, "compact_after", 10)
    with KyotoCabinetDict(str(tmp_path / "t.kcx"), ((f"k{i}", i) for i in range(100))) as d:
        seen = []
        for key in d:
            seen.append(key)
            for value in range(4):
                d[key] = value
        assert seen == [f"k{i}" for i in range(100)]
        assert d._engine.lines > 4 * len(d)  # dead lines piled up meanwhile
        d["x"] = 1  # the next write compacts
        assert d._engine.lines == len(d) and d["k5"] == 3


def test_kcx_recovers_from_torn_writes(tmp_path):
    """A log ending in half a line, or in an update cut short, reopens without it."""
    path = tmp_path / "t.kcx"
    with KyotoCabinetDict(str(path), a=1, b=2) as d:
        d["c"] = 3
    good = path.read_bytes()
    path.write_bytes(good + b'+"d"\t\t4')  # half a line
    with KyotoCabinetDict(str(path)) as d:
        assert dict(d.items()) == {"a": 1, "b": 2, "c": 3}
        d["e"] = 5
    path.write_bytes(good + b'{\n+"x"\t\t1\n+"y"\t\t2\n')  # an update without its closing line
    with KyotoCabinetDict(str(path)) as d:
        assert dict(d.items()) == {"a": 1, "b": 2, "c": 3}


def test_kcx_finishes_an_interrupted_compaction(tmp_path):
    """A complete -compact copy left by a crash is copied over the log; an incomplete one is dropped."""
    path = tmp_path / "t.kcx"
    with KyotoCabinetDict(str(path), a=1):
        pass
    Path(str(path) + "-compact").write_bytes(b'+"a"\t\t1\n+"b"\t\t2\n.\n')
    path.write_bytes(b"")  # the crash came after truncating the log
    with KyotoCabinetDict(str(path)) as d:
        assert dict(d.items()) == {"a": 1, "b": 2}
    assert not os.path.exists(str(path) + "-compact")
    Path(str(path) + "-compact").write_bytes(b'+"zzz"\t\t1\n')  # the crash came while copying out
    with KyotoCabinetDict(str(path)) as d:
        assert dict(d.items()) == {"a": 1, "b": 2}
    assert not os.path.exists(str(path) + "-compact")


def test_kcx_is_a_readable_log(tmp_path):
    """The .kcx file is plain text: one line per change, values as JSON."""
    path = tmp_path / "t.kcx"
    with KyotoCabinetDict(str(path)) as d:
        d["a"] = [1, "x"]
        d[True] = None
        d["a"] = 2
        del d[1]
    assert path.read_text() == '+"a"\t\t[1,"x"]\n+1\ttrue\tnull\n="a"\t2\n-1\n'


# -- validation and cutting back ---------------------------------------------------------------

GOOD = b'+"a"\t\t1\n+"b"\t\t2\n="a"\t3\n'


@pytest.mark.parametrize(
    ("tail", "offset", "reason"),
    [
        (b'+"c"\t\t12+"d"\t\t5\n', len(GOOD), "not a valid record"),  # a torn line completed by the next append
        (b'+"c"\t\t\x00\x00\x00\n', len(GOOD), "not a valid record"),  # a hole a failed write left
        (b"+1.0\t\t5\n", len(GOOD), "do not belong to one key|not how the store spells"),  # a key spelled another way
        (b'+"a"\t\t5\n', len(GOOD), "already there"),  # a second insert
        (b'="zz"\t5\n', len(GOOD), "not there"),  # an overwrite of nothing
        (b'-"zz"\n', len(GOOD), "not there"),
        (b'+"c\t\t5\n', len(GOOD), "not a valid record"),  # an undecodable key
        (b"hello\n", len(GOOD), "not a record"),
        (b"\n", len(GOOD), "not a record"),
        (b'{\n{\n+"c"\t\t1\n}\n}\n', len(GOOD) + 2, "inside another"),
        (b'}\n', len(GOOD), "never opened"),
        (b'{\n+"c"\t\tnope\n}\n', len(GOOD) + 2, "not a valid record"),  # a bad line inside an update
    ],
    ids=["glued", "hole", "spelling", "insert-twice", "overwrite-missing", "delete-missing",
         "bad-key", "junk", "empty", "nested-update", "stray-close", "bad-in-update"],
)
def test_kcx_bad_line_is_an_error_naming_file_and_offset(tmp_path, tail, offset, reason):
    """A torn or crafted line anywhere but a cut-off end is CorruptStoreError naming the file
    and the byte offset, never a phantom key; the file is left as it was."""
    path = tmp_path / "t.kcx"
    path.write_bytes(GOOD + tail + b'+"z"\t\t9\n')
    with pytest.raises(CorruptStoreError, match=reason) as info:
        KyotoCabinetDict(str(path))
    assert info.value.filename == str(path) and f"at byte {offset}" in str(info.value)
    assert path.read_bytes() == GOOD + tail + b'+"z"\t\t9\n'


def test_kcx_cut_off_end_is_dropped_and_the_next_write_kept(tmp_path):
    """An incomplete last line (a killed append) is cut off at open, so the next acknowledged
    write is a line of its own and survives a reopen."""
    path = tmp_path / "t.kcx"
    path.write_bytes(GOOD + b'+"c"\t\t12')
    with KyotoCabinetDict(str(path)) as d:
        assert dict(d.items()) == {"a": 3, "b": 2}
        d["d"] = 4
    assert path.read_bytes() == GOOD + b'+"d"\t\t4\n'
    with KyotoCabinetDict(str(path)) as d:
        assert dict(d.items()) == {"a": 3, "b": 2, "d": 4}


def test_kcx_failed_append_is_cut_back(tmp_path, monkeypatch):
    """An append that fails part-way leaves nothing behind: the file is cut back to where it began."""
    path = tmp_path / "t.kcx"
    with KyotoCabinetDict(str(path), a=1) as d:
        engine = d._engine
        real_db = engine.db

        class Torn:
            """Writes half the line and fails, as a write on a full disk does."""

            def __getattr__(self, name):
                return getattr(real_db, name)

            def set(self, key, value):
                with open(path, "ab") as f:
                    f.write(value.encode()[: len(value) // 2] + b"\0\0\0")
                return False

        monkeypatch.setattr(engine, "db", Torn())
        with pytest.raises(OSError):
            d["b"] = "x" * 100
        assert isinstance(engine, TextEngine) and engine.db is not real_db  # reopened
        assert path.read_bytes() == b'+"a"\t\t1\n'
        d["c"] = 3
    with KyotoCabinetDict(str(path)) as d:
        assert dict(d.items()) == {"a": 1, "c": 3}
