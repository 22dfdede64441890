"""SqliteDict shared by processes and threads, across os.fork(), and killed with
SIGKILL mid-write: every acknowledged write is kept, nothing is lost or
duplicated, and what cannot work (an in-memory store in a fork child) says so.

Every check is bounded: a few processes, a few hundred operations, ten kills.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from forking import run_in_fork
from reference_backends import SqliteDict
from reference_backends.errors import StoreForkedError

REPO = Path(__file__).resolve().parent.parent
SPAWN = multiprocessing.get_context("spawn")


# -- fork -------------------------------------------------------------------------

def test_file_store_works_in_a_forked_child(tmp_path):
    """A child forked with the store open uses its own connection; the parent's keeps working."""
    with SqliteDict(str(tmp_path / "a.db"), "dict", "DEFERRED", a=1) as d:
        def child() -> None:
            d["child"] = d["a"] + 1
            assert len(d) == 2

        assert run_in_fork(child) == ""
        assert d["child"] == 2
        d["parent"] = 3
        assert len(d) == 3


FORK_AND_EXIT = """
import os, sqlite3, sys
from reference_backends import SqliteDict
d = SqliteDict(sys.argv[1], "dict", "DEFERRED", a=1)
for round in range(5):
    pid = os.fork()
    if pid == 0:  # a child that ends through the interpreter's full shutdown
        d[f"child{round}"] = round
        sys.exit(0)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    d[f"parent{round}"] = round
assert len(d) == 11 and len(list(d)) == 11
d.close()
check = sqlite3.connect(sys.argv[1])
print(check.execute("PRAGMA integrity_check").fetchone()[0])
"""


def test_children_exiting_normally_leave_the_parents_store_intact(tmp_path):
    """Children that exit through interpreter shutdown never close the parent's
    connection: the parent keeps writing and the file checks clean."""
    result = subprocess.run([sys.executable, "-c", FORK_AND_EXIT, str(tmp_path / "a.db")],
                            capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_in_memory_store_in_a_forked_child_raises(tmp_path):
    """The child never sees a silently empty (or diverging) copy: every use raises."""
    with SqliteDict(":memory:", "dict", "DEFERRED", a=1) as d:
        def child() -> None:
            for use in (lambda: d["a"], lambda: len(d), lambda: list(d), lambda: d.__setitem__("b", 2), d.clear):
                try:
                    use()
                except StoreForkedError as exc:
                    assert "fork" in str(exc) and ":memory:" in str(exc)
                else:
                    raise AssertionError("an in-memory store worked in a fork child")

        assert run_in_fork(child) == ""
        assert dict(d.items()) == {"a": 1}  # the parent's store is untouched


def test_relative_path_then_chdir_in_the_child_uses_the_same_file(tmp_path, monkeypatch):
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    with SqliteDict("a.db") as d:
        def child() -> None:
            os.chdir(tmp_path / "elsewhere")
            d["from-child"] = 1

        assert run_in_fork(child) == ""
        assert d["from-child"] == 1
    assert not (tmp_path / "elsewhere" / "a.db").exists()


def test_failed_reconnect_in_the_child_raises_and_never_uses_the_parents_connection(tmp_path):
    """With no file descriptor left the child cannot reconnect: each use raises
    StoreForkedError with the cause, and nothing goes through the parent's connection."""
    with SqliteDict(str(tmp_path / "a.db"), "dict", "DEFERRED", a=1) as d:
        def child() -> None:
            highest = max(int(fd) for fd in os.listdir("/proc/self/fd"))
            resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 1, highest + 1))
            try:
                while True:  # take every descriptor left
                    os.open(os.devnull, os.O_RDONLY)
            except OSError:
                pass
            for _ in range(2):
                try:
                    d["child"] = 2
                except StoreForkedError as exc:
                    assert "reconnect" in str(exc) and exc.__cause__ is not None
                else:
                    raise AssertionError("the write succeeded without a connection of the child's own")

        assert run_in_fork(child) == ""
        assert "child" not in d and len(d) == 1


# -- processes ----------------------------------------------------------------------

def _writer(path: str, start: int, count: int) -> None:
    with SqliteDict(path) as d:
        for i in range(start, start + count):
            d[f"k{i}"] = i


def test_several_processes_write_one_new_file(tmp_path):
    """Four processes creating one new file and writing 300 keys each at once lose nothing."""
    path = str(tmp_path / "a.db")
    procs = [SPAWN.Process(target=_writer, args=(path, n * 300, 300)) for n in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with SqliteDict(path) as d:
        assert len(d) == 1200 and len(list(d)) == 1200


def _popper(path: str, keys: list[str], results) -> None:
    taken = []
    with SqliteDict(path) as d:
        for key in keys:
            if d.pop(key, None) is not None:
                taken.append(key)
            d.setdefault(f"winner-{key}", os.getpid())
    results.put(taken)


def test_processes_pop_each_key_once_and_agree_on_setdefault(tmp_path):
    """Four processes popping one shared set of 400 keys take each exactly once;
    setdefault on shared keys has one winner that every process then reads."""
    path = str(tmp_path / "a.db")
    keys = [f"k{i}" for i in range(400)]
    SqliteDict(path, "dict", "DEFERRED", ((k, 1) for k in keys)).close()
    results = SPAWN.Queue()
    procs = []
    for n in range(4):
        order = keys[:]
        random.Random(n).shuffle(order)
        procs.append(SPAWN.Process(target=_popper, args=(path, order, results)))
    for p in procs:
        p.start()
    taken = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    flat = [key for part in taken for key in part]
    assert sorted(flat) == sorted(keys)  # each key popped exactly once
    with SqliteDict(path) as d:
        winners = {k: v for k, v in d.items()}
        assert len(d) == len(winners) == 400
        assert set(winners.values()) <= {p.pid for p in procs}


def test_a_write_in_one_process_is_read_by_the_next_read_in_another(tmp_path):
    """No cache: each value written here is what another process reads next."""
    path = str(tmp_path / "a.db")
    code = (
        "import sys\nfrom reference_backends import SqliteDict\nd = SqliteDict(sys.argv[1])\n"
        "for line in sys.stdin:\n    print(repr(d.get('k')), flush=True)\n"
    )
    with SqliteDict(path) as d:
        reader = subprocess.Popen(
            [sys.executable, "-c", code, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
        )
        try:
            for i in range(20):
                d["k"] = i
                reader.stdin.write("read\n")
                reader.stdin.flush()
                assert reader.stdout.readline().strip() == str(i)
        finally:
            reader.stdin.close()
            reader.wait(30)


def test_second_python_process_reads_the_file(tmp_path):
    """Another interpreter opens the file and reads what this one wrote (JSON, no pickle)."""
    path = str(tmp_path / "a.db")
    with SqliteDict(path) as d:
        d[(1, "a")] = {"x": [1.5, None]}
    code = "from reference_backends import SqliteDict; d = SqliteDict(%r); print(list(d.items()))" % path
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout
    assert out.strip() == "[((1, 'a'), {'x': [1.5, None]})]"


# -- threads ------------------------------------------------------------------------

def _in_threads(count: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(n: int) -> None:
        start.wait()
        try:
            work(n)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


def test_several_threads_share_one_store(tmp_path):
    """Eight threads on one SqliteDict: every write lands, len is exact."""
    with SqliteDict(str(tmp_path / "a.db")) as d:
        def work(n: int) -> None:
            for i in range(200):
                d[f"{n}-{i}"] = i
                d.get(f"{n}-{i // 2}")

        _in_threads(8, work)
        assert len(d) == 1600


def test_threads_setdefault_pop_and_popitem_are_atomic(tmp_path):
    """Four threads on one handle: one setdefault winner per key, each key popped
    once, no item returned twice by popitem, while iterating alongside."""
    with SqliteDict(str(tmp_path / "a.db"), "dict", "DEFERRED", ((f"p{i}", i) for i in range(300))) as d:
        won: dict[int, list[str]] = {n: [] for n in range(4)}
        popped: dict[int, list[str]] = {n: [] for n in range(4)}

        def work(n: int) -> None:
            for i in range(150):
                if d.setdefault(f"s{i}", n) == n:
                    won[n].append(f"s{i}")
                if d.pop(f"p{i * 2 + n % 2}", None) is not None:
                    popped[n].append(f"p{i * 2 + n % 2}")
                sum(1 for _ in d.items())

        _in_threads(4, work)
        assert sorted(k for v in won.values() for k in v) == sorted(f"s{i}" for i in range(150))
        assert sorted(k for v in popped.values() for k in v) == sorted(f"p{i}" for i in range(300))
        items: list[list] = [[] for _ in range(4)]

        def drain(n: int) -> None:
            while True:
                try:
                    items[n].append(d.popitem())
                except KeyError:
                    return

        _in_threads(4, drain)
        flat = sorted(k for part in items for k, _ in part)
        assert flat == sorted(f"s{i}" for i in range(150)) and len(d) == 0


# -- SIGKILL --------------------------------------------------------------------------

#: The writer's operations, shared with the checker: op(i, d) on a store or a dict.
OPERATIONS = '''
def op(i, d):
    kind = i % 10
    if kind == 3:
        d.pop(f"k{(i * 7) % 40}", None)
    elif kind == 6:
        d.update({f"u{i % 9}-{j}": i for j in range(20)})
    elif kind == 8 and f"k{i % 40}" in d:
        del d[f"k{i % 40}"]
    else:
        d[f"k{i % 40}"] = [i, "x" * (i % 50)]
'''

WRITER = OPERATIONS + '''
import sys
from reference_backends import SqliteDict
d = SqliteDict(sys.argv[1])
i = int(sys.argv[2])
print("open", flush=True)
while True:
    op(i, d)
    print(i, flush=True)
    i += 1
'''


def _applied(state: dict, indexes: range) -> dict:
    namespace: dict = {}
    exec(OPERATIONS, namespace)
    model = dict(state)
    for i in indexes:
        namespace["op"](i, model)
    return model


def test_every_acknowledged_write_survives_sigkill(tmp_path):
    """Ten rounds: a fresh writer process acknowledges each set, delete, pop and
    20-key update on a pipe and is killed at a random moment.  The store reopens;
    it holds exactly the acknowledged operations, or those plus the one in
    flight (an update whole or not at all); len agrees with iteration."""
    path = str(tmp_path / "a.db")
    rng = random.Random(8)
    state: dict = {}
    start = 0
    kills = acknowledged = 0
    for _ in range(10):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, path, str(start)], stdout=subprocess.PIPE, text=True, cwd=REPO,
        )
        assert writer.stdout.readline().strip() == "open"
        time.sleep(rng.uniform(0.02, 0.3))
        writer.send_signal(signal.SIGKILL)
        lines = writer.stdout.read().split()
        assert writer.wait(30) == -signal.SIGKILL
        writer.stdout.close()
        kills += 1
        last = int(lines[-1]) if lines else start - 1
        assert [int(x) for x in lines] == list(range(start, last + 1))
        acknowledged += last + 1 - start
        with SqliteDict(path) as d:
            stored = dict(d.items())
            assert len(d) == len(stored) == len(list(d))
        after_acknowledged = _applied(state, range(start, last + 1))
        with_in_flight = _applied(after_acknowledged, range(last + 1, last + 2))
        assert stored == after_acknowledged or stored == with_in_flight, f"round after op {last}"
        state, start = stored, last + 2
    assert kills == 10 and acknowledged > 100


# -- a full disk -------------------------------------------------------------------------

@pytest.fixture
def small_filesystem(tmp_path):
    """A 512 KiB tmpfs mounted for the test (needs the right to mount)."""
    mountpoint = tmp_path / "small"
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mountpoint)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"not applicable: cannot mount a small file system here ({mounted.stderr.strip()})")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=True)


def test_a_full_disk_raises_storefullerror_and_loses_nothing(small_filesystem):
    """Writes on a full disk raise StoreFullError (never a crash), acknowledged
    keys stay, an update is all or nothing, and once space returns the store
    writes again and reopens intact."""
    from reference_backends.errors import StoreFullError

    filler = small_filesystem / "filler"
    filler.write_bytes(b"\0" * 128 * 1024)
    path = str(small_filesystem / "a.db")
    acknowledged = 0
    with SqliteDict(path) as d:
        with pytest.raises(StoreFullError, match="a.db"):
            for acknowledged in range(10_000):
                d[f"k{acknowledged}"] = "x" * 2000
        with pytest.raises(StoreFullError):
            d.update((f"u{i}", "y" * 2000) for i in range(50))
        assert set(d) == {f"k{i}" for i in range(acknowledged)} and len(d) == acknowledged
        filler.unlink()
        d["after"] = 1
    with SqliteDict(path) as d:
        assert len(d) == acknowledged + 1 and d["after"] == 1 and not any(k.startswith("u") for k in d)


def test_a_lock_held_past_the_timeout_is_storebusyerror(tmp_path):
    """A writer blocked longer than ``timeout`` gets StoreBusyError naming the
    store (not sqlite3's "database is locked"), and the store works afterwards."""
    import sqlite3

    from reference_backends.errors import StoreBusyError

    class Impatient(SqliteDict):
        timeout = 0.2

    path = str(tmp_path / "a.db")
    with Impatient(path, "dict", "DEFERRED", a=1) as d:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(StoreBusyError, match="a.db"):
            d["b"] = 2
        assert time.monotonic() - started < 10
        assert d["a"] == 1  # reads go on under WAL
        holder.execute("ROLLBACK")
        holder.close()
        d["b"] = 2
        assert len(d) == 2
