"""KyotoCabinetDict's own contract beyond the kit: opening, sharing, closing, processes, the .kcx log."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import pytest

# A missing binding fails this module with the backend's ImportError, which says how
# to install it; it never skips.
from reference_backends.kyotocabinet import FORMATS, KyotoCabinetDict, tree_order_key  # noqa: E402
from reference_backends.errors import CorruptStoreError, StoreBusyError, StoreClosedError  # noqa: E402

import kyotocabinet as kc  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXTENSIONS = list(FORMATS)
TREES = [".kct", ".kcf"]
HASHES = [".kch", ".kcd"]


@pytest.fixture(params=EXTENSIONS)
def ext(request) -> str:
    return request.param


@pytest.fixture
def path(tmp_path, ext) -> str:
    return str(tmp_path / f"store{ext}")


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter of this environment; its stdout."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return done.stdout


# -- arguments and opening errors ------------------------------------------------


def test_arguments_fill_the_store(path):
    """KyotoCabinetDict(path, *args, **kwargs) fills the store as dict() does."""
    with KyotoCabinetDict(path, [("a", 1), ("b", 2)], c=3) as d:
        assert dict(d.items()) == {"a": 1, "b": 2, "c": 3}


def test_mapping_as_path_is_a_clear_typeerror():
    """Passing the initial contents where the path goes is a TypeError naming the signature."""
    with pytest.raises(TypeError, match="path must be a str"):
        KyotoCabinetDict({"a": 1})


@pytest.mark.parametrize("name", ["store", "store.db", "store.KCH", "store.kch.bak", "store.txt", ".kch/"])
def test_unknown_extension_lists_the_valid_ones(tmp_path, name):
    """Any other extension is a ValueError listing the five valid ones; nothing is created."""
    with pytest.raises(ValueError) as info:
        KyotoCabinetDict(str(tmp_path / name))
    for ext in EXTENSIONS:
        assert ext in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_hash_sign_in_path_is_refused(tmp_path):
    """Kyoto Cabinet reads tuning parameters after '#': such a path is a ValueError."""
    with pytest.raises(ValueError, match="#"):
        KyotoCabinetDict(str(tmp_path / "a#b.kch"))


def test_missing_folder_names_the_path(tmp_path, ext):
    """A path in a folder that does not exist: FileNotFoundError naming the path and the folder."""
    target = str(tmp_path / "no" / "such" / f"x{ext}")
    with pytest.raises(FileNotFoundError) as info:
        KyotoCabinetDict(target)
    assert info.value.filename == target and "no folder" in str(info.value)
    assert not (tmp_path / "no").exists()


def test_parent_that_is_a_file_is_reported(tmp_path, ext):
    """A path under a regular file: NotADirectoryError naming the path."""
    (tmp_path / "file").write_text("x")
    target = str(tmp_path / "file" / f"x{ext}")
    with pytest.raises(NotADirectoryError) as info:
        KyotoCabinetDict(target)
    assert info.value.filename == target


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process may not create files in (root ignores modes: use sysfs)."""
    if os.geteuid() == 0:
        probe = Path("/sys/pdict-probe.kch")
        try:
            os.close(os.open(probe, os.O_RDWR | os.O_CREAT))
        except PermissionError:
            return Path("/sys")
        except OSError:
            pass
        else:
            probe.unlink()
        pytest.skip("running as root and /sys refuses no file creation here")
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def test_no_permission_names_the_path(tmp_path, ext):
    """A folder the process may not write in: PermissionError naming the path."""
    target = str(_unwritable_folder(tmp_path) / f"pdict-test{ext}")
    with pytest.raises(PermissionError) as info:
        KyotoCabinetDict(target)
    assert info.value.filename == target and "cannot open Kyoto Cabinet" in str(info.value)


@pytest.mark.parametrize("ext", [".kch", ".kct", ".kcx"])
def test_a_text_file_is_not_a_database(tmp_path, ext):
    """A file of another format: CorruptStoreError naming the path and the type wanted."""
    target = tmp_path / f"notes{ext}"
    target.write_text("just some notes\nnot a database\n")
    with pytest.raises(CorruptStoreError) as info:
        KyotoCabinetDict(str(target))
    assert info.value.filename == str(target) and FORMATS[ext].title in str(info.value)
    assert target.read_text() == "just some notes\nnot a database\n"


@pytest.mark.parametrize(("made", "opened"), [(".kct", ".kch"), (".kch", ".kct"), (".kcf", ".kcd"), (".kcd", ".kcf")])
def test_a_database_of_another_type_is_refused(tmp_path, made, opened):
    """A hash file renamed .kct (or a B+ tree renamed .kch, ...) is refused, naming what it holds."""
    with KyotoCabinetDict(str(tmp_path / f"a{made}"), a=1):
        pass
    os.rename(tmp_path / f"a{made}", tmp_path / f"a{opened}")
    with pytest.raises(CorruptStoreError, match="database") as info:
        KyotoCabinetDict(str(tmp_path / f"a{opened}"))
    assert info.value.filename == str(tmp_path / f"a{opened}")
    with KyotoCabinetDict(str(tmp_path / f"b{made}")) as d:  # the type intended still opens
        d["k"] = 1


@pytest.mark.parametrize(("ext", "error"), [(".kch", IsADirectoryError), (".kcd", NotADirectoryError)])
def test_file_and_folder_mixups_are_reported(tmp_path, ext, error):
    """A folder where a file database belongs, or a file where a folder database belongs."""
    target = tmp_path / f"x{ext}"
    if error is IsADirectoryError:
        target.mkdir()
    else:
        target.write_text("x")
    with pytest.raises(error) as info:
        KyotoCabinetDict(str(target))
    assert info.value.filename == str(target)


def test_missing_binding_says_how_to_install():
    """Without the binding, importing KyotoCabinetDict raises ImportError naming the install script
    (the format table, which the specs read, needs no binding)."""
    for statement in ("from reference_backends.kyotocabinet import KyotoCabinetDict",
                      "from reference_backends import KyotoCabinetDict"):
        code = (
            "import sys; sys.modules['kyotocabinet'] = None\n"
            "from reference_backends.kyotocabinet import FORMATS\n"
            "try:\n"
            f"    {statement}\n"
            "except ImportError as exc:\n"
            "    print(exc)\n"
        )
        out = run_python(code)
        assert "python3-kyotocabinet" in out and "scripts/install-kyotocabinet.sh" in out


def test_fromkeys_takes_dicts_arguments_then_the_path(path):
    """fromkeys(keys, value, path): dict's arguments first, the path as the one option;
    the keys join what is stored; anything more than a path is a TypeError."""
    with KyotoCabinetDict(path, old=1):
        pass
    with KyotoCabinetDict.fromkeys(["a", 2], "v", path) as d:
        assert dict(d.items()) == {"old": 1, "a": "v", 2: "v"}
    with KyotoCabinetDict.fromkeys(["b"], path=path) as d:
        assert d["b"] is None and len(d) == 4
    for bad in [lambda: KyotoCabinetDict.fromkeys(["a"], 1, path, "extra"),
                lambda: KyotoCabinetDict.fromkeys(["a"], 1),
                lambda: KyotoCabinetDict.fromkeys(["a"], 1, path, table="x")]:
        with pytest.raises(TypeError, match="path"):
            bad()


# -- keys, values, missing keys ------------------------------------------------------


def test_missing_key_is_a_keyerror_not_none(path):
    """Kyoto Cabinet answers None for a missing record; the store raises KeyError (and keeps null values)."""
    with KyotoCabinetDict(path, none=None) as d:
        assert d["none"] is None and d.get("none", 5) is None
        for op in (lambda: d["missing"], lambda: d.__delitem__("missing"), lambda: d.pop("missing")):
            with pytest.raises(KeyError):
                op()
        assert d.get("missing", 5) == 5 and d.pop("missing", 6) == 6


def test_equal_keys_are_one_key_and_keep_their_first_spelling(path):
    """1, 1.0 and True are one key; the first-inserted spelling is kept, also after a reopen."""
    with KyotoCabinetDict(path) as d:
        d[True] = "a"
        d[1] = "b"
        d[1.0] = "c"
        d.update({1: "d"})
        d[2.0] = "x"
        d.setdefault(2, "ignored")
        assert len(d) == 2 and d[1] == "d" and d[2] == "x"
        assert sorted(d.items(), key=repr) == [(2.0, "x"), (True, "d")]
    with KyotoCabinetDict(path) as d:
        keys = sorted(d, key=repr)
        assert keys == [2.0, True] and type(keys[0]) is float and keys[1] is True


def test_value_json_cannot_hold_writes_nothing(path):
    """A value JSON cannot hold is a TypeError, and update() then writes nothing at all."""
    with KyotoCabinetDict(path, keep=1) as d:
        with pytest.raises(TypeError):
            d["a"] = b"bytes"
        with pytest.raises(TypeError):
            d.update([("a", 1), (2, 2), ("b", {1, 2}), ("c", 3)])
        with pytest.raises(TypeError):
            d.setdefault("s", object())
        assert dict(d.items()) == {"keep": 1}


def test_update_with_repeated_keys_is_dicts(path):
    """update() with a key given twice (also as 1 and 1.0) keeps the first spelling, the last value."""
    with KyotoCabinetDict(path) as d:
        d.update([("a", 1), (1, "x"), ("a", 2), (1.0, "y")], a=3)
        assert dict(d.items()) == {"a": 3, 1: "y"} and any(type(k) is int for k in d)


# -- close -------------------------------------------------------------------------


def test_closed_store_raises_a_clear_error(path):
    """Every operation on a closed store raises StoreClosedError (a ValueError) saying it is closed."""
    d = KyotoCabinetDict(path, a=1)
    d.close()
    ops = [
        lambda: d["a"], lambda: d.get("a"), lambda: "a" in d, lambda: d.__setitem__("b", 1),
        lambda: d.__delitem__("a"), lambda: len(d), lambda: list(d), lambda: iter(d), lambda: d.pop("a"),
        lambda: d.popitem(), lambda: d.setdefault("a"), lambda: d.update(b=2), d.clear, lambda: d.copy(),
        lambda: list(d.items()), lambda: list(d.values()), lambda: d == {}, lambda: d.__enter__(),
    ]
    for op in ops:
        with pytest.raises(StoreClosedError, match="closed"):
            op()
    d.close()  # closing twice is harmless
    assert d.closed and "closed" in repr(d)


def test_iterator_stops_with_an_error_once_closed(path):
    """An iteration under way raises ValueError at its next step after close()."""
    d = KyotoCabinetDict(path, ((f"k{i}", i) for i in range(10)))
    it = iter(d.items())
    next(it)
    d.close()
    with pytest.raises(ValueError, match="closed"):
        next(it)
    with KyotoCabinetDict(path) as again:  # the database was closed properly
        assert len(again) == 10


def test_context_manager_closes(path):
    with KyotoCabinetDict(path, a=1) as d:
        assert d["a"] == 1
    with pytest.raises(ValueError, match="closed"):
        d["a"]


# -- shared handles ----------------------------------------------------------------


def test_second_handle_shares_the_open_database(tmp_path, ext, path):
    """Other KyotoCabinetDicts on the same file (spelled another way, or through a symlink) share one database."""
    first = KyotoCabinetDict(path)
    link = tmp_path / f"link{ext}"
    os.symlink(path, link)
    second = KyotoCabinetDict(os.path.relpath(path))
    third = KyotoCabinetDict(str(link))
    assert first._engine is second._engine is third._engine and first._engine.refs == 3
    first["a"] = 1
    assert second["a"] == 1 and len(third) == 1
    third["b"] = [2]
    assert first["b"] == [2]
    first.close()
    second.close()
    assert third["a"] == 1 and third._engine.refs == 1  # closing two handles left the third open
    third["c"] = 3
    third.close()
    with KyotoCabinetDict(path) as again:
        assert dict(again.items()) == {"a": 1, "b": [2], "c": 3}


def test_last_handle_closes_the_database(path):
    """When every handle is closed, the database is closed: raw Kyoto Cabinet may open it."""
    a, b = KyotoCabinetDict(path, x=1), KyotoCabinetDict(path)
    a.close()
    b.close()
    db = kc.DB()
    assert db.open(path, kc.DB.OWRITER | kc.DB.OTRYLOCK), db.error()
    db.close()


def test_one_real_path_cannot_be_two_types(tmp_path):
    """A symlink giving the same file another extension cannot open it as another type."""
    real = str(tmp_path / "a.kch")
    os.symlink(real, tmp_path / "b.kct")
    with KyotoCabinetDict(real, a=1):
        with pytest.raises(ValueError, match="file hash"):
            KyotoCabinetDict(str(tmp_path / "b.kct"))


def test_forgotten_handle_releases_the_database(path):
    """A handle dropped without close() releases its share when garbage collected."""
    KyotoCabinetDict(path, a=1)  # never closed
    import gc

    gc.collect()
    db = kc.DB()
    assert db.open(path, kc.DB.OWRITER | kc.DB.OTRYLOCK), db.error()
    db.close()


# -- processes -------------------------------------------------------------------


@pytest.mark.parametrize("close", [True, False], ids=["closed", "left-open"])
def test_second_process_reads_what_an_exited_one_wrote(path, close):
    """A process writes (closing the store, or just exiting) and ends; another reads it all."""
    code = (
        "from reference_backends import KyotoCabinetDict\n"
        f"d = KyotoCabinetDict({path!r}, {{'a': [1, 2]}}, b=None)\n"
        "d[(1, 'x')] = {'y': 1.5}\n"
        "d[True] = 'yes'\n"
        "d.update((f'k{i}', i) for i in range(500))\n"
        "del d['k7']\n"
        + ("d.close()\n" if close else "")
    )
    run_python(code)
    out = run_python(
        "from reference_backends import KyotoCabinetDict\n"
        f"d = KyotoCabinetDict({path!r})\n"
        "print(len(d), d['a'], d['b'], d[(1, 'x')], d[1], [k for k in d if k is True], 'k7' in d, d['k499'])\n"
    )
    assert out.split() == "503 [1, 2] None {'y': 1.5} yes [True] False 499".split()
    with KyotoCabinetDict(path) as d:
        assert len(d) == 503 and d["k0"] == 0


def test_another_process_holding_the_file_is_waited_for_then_reported(path, monkeypatch):
    """While another process has the store open, opening it waits lock_timeout, then names the path."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom reference_backends import KyotoCabinetDict\n"
         f"d = KyotoCabinetDict({path!r}, a=1)\nprint('open', flush=True)\nsys.stdin.read()\nd.close()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        monkeypatch.setattr(KyotoCabinetDict, "lock_timeout", 0.3)
        with pytest.raises(StoreBusyError, match="another process") as info:
            KyotoCabinetDict(path)
        assert info.value.filename == path
    finally:
        holder.communicate("", timeout=60)
    monkeypatch.setattr(KyotoCabinetDict, "lock_timeout", 10.0)
    with KyotoCabinetDict(path) as d:
        assert d["a"] == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_cannot_use_the_parents_database(path):
    """A forked child gets RuntimeError from the parent's handle; the parent's store is unharmed."""
    d = KyotoCabinetDict(path, a=1)
    pid = os.fork()
    if pid == 0:  # the child: never run the parent's cleanup
        try:
            d["a"]
        except RuntimeError:
            os._exit(0)
        except BaseException:
            os._exit(2)
        os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    d["b"] = 2
    d.close()
    with KyotoCabinetDict(path) as again:
        assert dict(again.items()) == {"a": 1, "b": 2}


# -- threads and atomic read-then-write operations ----------------------------------------


def test_threads_popitem_each_item_once(path):
    """Eight threads emptying one store with popitem() get every item exactly once."""
    with KyotoCabinetDict(path, ((f"k{i}", i) for i in range(800))) as d:
        got: list[tuple] = []
        lock = threading.Lock()

        def work() -> None:
            while True:
                try:
                    item = d.popitem()
                except KeyError:
                    return
                with lock:
                    got.append(item)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(got) == sorted((f"k{i}", i) for i in range(800)) and len(d) == 0


def test_threads_setdefault_and_pop_agree(path):
    """Racing setdefault() calls all get the one value that won; racing pop() removes it once."""
    with KyotoCabinetDict(path) as d:
        for round_ in range(20):
            results: list = []
            barrier = threading.Barrier(6)

            def work(n: int) -> None:
                barrier.wait()
                results.append(d.setdefault(round_, n))

            threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert len(set(results)) == 1 and d[round_] == results[0]
        popped: list = []
        threads = [threading.Thread(target=lambda: popped.append(d.pop(3, None))) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(p is not None for p in popped) == 1


def test_threads_write_and_update_together(path):
    """Threads writing single keys and whole updates at once: every write lands."""
    with KyotoCabinetDict(path) as d:
        def work(n: int) -> None:
            for i in range(60):
                d[f"{n}-{i}"] = i
                if i % 10 == 0:
                    d.update({f"{n}-u{i}-{j}": j for j in range(5)}, **{f"n{n}": i})

        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(d) == 6 * 60 + 6 * 6 * 5 + 6


# -- order, popitem, reversed ---------------------------------------------------------


KEYS = ["b", "a", 10, 9, -1, 2.5, None, (1, "x"), "é", "Z", True]


@pytest.mark.parametrize("ext", TREES)
def test_trees_iterate_in_identity_byte_order(tmp_path, ext):
    """B+ trees iterate by the bytes of each key's JSON identity (tree_order_key), popitem takes the last."""
    with KyotoCabinetDict(str(tmp_path / f"t{ext}"), ((k, i) for i, k in enumerate(KEYS))) as d:
        # Identities: "Z" < "\\u00e9" < "a" < "b" (0x5A < 0x5C < 0x61), then -1, 1 (True), 10,
        # 2.5, 9 as text, then [1,"x"], then null.
        want = ["Z", "é", "a", "b", -1, True, 10, 2.5, 9, (1, "x"), None]
        assert sorted(KEYS, key=tree_order_key) == want
        assert list(d) == want and list(reversed(d)) == want[::-1]
        assert list(reversed(d.items())) == [(k, KEYS.index(k)) for k in want[::-1]]
        assert d.popitem() == (None, KEYS.index(None))


def test_text_log_keeps_insertion_order(tmp_path):
    """The .kcx log iterates in insertion order; popitem takes the last inserted."""
    with KyotoCabinetDict(str(tmp_path / "t.kcx"), ((k, i) for i, k in enumerate(KEYS))) as d:
        d["a"] = "again"  # keeps its place
        del d["b"]
        d["b"] = "back"  # goes to the end
        want = KEYS[1:] + ["b"]
        assert list(d) == want and list(reversed(d)) == want[::-1]
        assert d.popitem() == ("b", "back") and d.popitem() == (True, 10)


@pytest.mark.parametrize("ext", HASHES)
def test_hash_popitem_takes_the_first_in_iteration_order(tmp_path, ext):
    """A hash database seizes its first record in iteration order; reversed() is a TypeError."""
    with KyotoCabinetDict(str(tmp_path / f"h{ext}"), ((f"k{i}", i) for i in range(50))) as d:
        while len(d):
            first = next(iter(d))
            assert d.popitem()[0] == first
        with pytest.raises(KeyError):
            d.popitem()
        d["again"] = 1  # an emptied hash database still takes records
        assert d.popitem() == ("again", 1)
        with pytest.raises(TypeError, match="not reversible"):
            reversed(d)
        with pytest.raises(TypeError, match="not reversible"):
            reversed(d.items())


# -- mutation during iteration -----------------------------------------------------------


def _mutating_walk(d: KyotoCabinetDict, rnd: random.Random, keys: list[str], walk) -> tuple[list, set]:
    """Walk ``d`` while inserting, deleting and overwriting; (yielded keys, touched keys)."""
    touched: set = set()
    seen = []
    for n, key in enumerate(walk):
        seen.append(key)
        for _ in range(rnd.randint(0, 3)):
            op = rnd.random()
            target = rnd.choice(keys)
            if op < 0.3:
                d.pop(target, None)
                touched.add(target)
            elif op < 0.6:
                d[f"new{n}-{rnd.random()}"] = 1
            elif op < 0.8:
                d[target] = "y" * rnd.randint(1, 300)
                touched.add(target)
            else:
                d.pop(key, None)
                touched.add(key)
    return seen, touched


# Not .kch (an overwritten key can come twice: test_kch_overwrite_can_repeat_a_key),
# and reversed only where the format can iterate backwards.
TOLERANT_WALKS = [
    (ext, direction)
    for ext in EXTENSIONS if ext != ".kch"
    for direction in ("forward", "reversed") if direction == "forward" or FORMATS[ext].reversible
]


@pytest.mark.parametrize("ext, direction", TOLERANT_WALKS)
def test_changes_while_iterating_are_tolerated(tmp_path, ext, direction):
    """Every key untouched during an iteration is yielded once and no key twice."""
    path = str(tmp_path / f"store{ext}")
    n = 400 if ext == ".kcd" else 1500
    for seed in range(3):
        rnd = random.Random(seed)
        keys = [f"k{i}" for i in range(n)]
        with KyotoCabinetDict(path, ((k, "v" * rnd.randint(1, 40)) for k in keys)) as d:
            seen, touched = _mutating_walk(d, rnd, keys, iter(d) if direction == "forward" else reversed(d))
            assert len(seen) == len(set(seen)), "a key came twice"
            for key in keys:
                if key not in touched:
                    assert seen.count(key) == 1, key
            d.clear()


def test_kch_overwrite_can_repeat_a_key(tmp_path):
    """Why .kch declares mutation_during_iteration='undefined': an overwrite with a longer value
    moves the record to a free block, which may lie ahead of the cursor, so the key comes again.
    Inserts and deletes alone are harmless."""
    path = str(tmp_path / "h.kch")
    repeats = 0
    with KyotoCabinetDict(path) as d:
        for seed in range(5):
            rnd = random.Random(seed)
            keys = [f"k{i}" for i in range(300)]
            d.clear()
            d.update((k, "v" * rnd.randint(1, 50)) for k in keys)
            seen = []
            for key in d:
                seen.append(key)
                d[rnd.choice(keys)] = "y" * rnd.randint(1, 400)
            repeats += len(seen) - len(set(seen))
        d.clear()
        d.update((f"k{i}", i) for i in range(300))
        seen = []
        for n, key in enumerate(d):
            seen.append(key)
            del d[key]
            d[f"new{n}"] = n
        assert all(seen.count(f"k{i}") == 1 for i in range(300))
    assert repeats > 0, "Kyoto Cabinet no longer repeats moved records: .kch could declare 'tolerated'"


def test_iteration_memory_is_flat(path):
    """Iterating many keys holds one record at a time, not the store."""
    ext = os.path.splitext(path)[1]
    n = 4000 if ext == ".kcd" else 30000
    with KyotoCabinetDict(path, ((f"key-{i:06d}-" + "x" * 40, i) for i in range(n))) as d:
        tracemalloc.start()
        try:
            count = sum(1 for _ in d.items())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert count == n
        # n keys of ~50 characters held at once would be several MB (0.5 MB for .kcd).
        assert peak < (200_000 if ext == ".kcd" else 1_000_000), f"peak {peak} bytes while iterating"


# -- the install script ------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs Debian's dpkg")
def test_install_script_links_only_the_binding(tmp_path):
    """The install script makes `kyotocabinet` importable in a fresh venv, and nothing else of Debian's."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    script = REPO / "scripts" / "install-kyotocabinet.sh"
    for _ in range(2):  # idempotent
        done = subprocess.run(["bash", str(script), str(venv)], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr + done.stdout
    python = venv / "bin" / "python"
    check = (
        "import importlib.util, kyotocabinet, sys\n"
        "print(kyotocabinet.VERSION)\n"
        "print(any('dist-packages' in p for p in sys.path))\n"
    )
    out = subprocess.run([str(python), "-c", check], capture_output=True, text=True, check=True).stdout.split()
    assert out[1] == "False"
    links = [p for p in (venv / "lib").rglob("*") if p.is_symlink() and "site-packages" in str(p)]
    assert [p.name for p in links] == [f"kyotocabinet{_ext_suffix(python)}"]


def _ext_suffix(python: Path) -> str:
    code = "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout.strip()
