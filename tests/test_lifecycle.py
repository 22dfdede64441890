"""One lifecycle for every reference backend (StoreBase): close, closed, the
context manager, every operation on a closed handle, and fromkeys.

Parametrised over the backends that run without a server: SqliteDict (file and
in-memory) and KyotoCabinetDict in each of its formats.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reference_backends import SqliteDict
from reference_backends.base import StoreBase
from reference_backends.errors import StoreClosedError

Opener = Callable[[Path], StoreBase]


def _kyoto(ext: str) -> Any:
    def open_kyoto(folder: Path) -> StoreBase:
        from reference_backends import KyotoCabinetDict

        return KyotoCabinetDict(str(folder / f"store{ext}"))

    return pytest.param(open_kyoto, id=f"kyotocabinet{ext}")


BACKENDS = [
    pytest.param(lambda folder: SqliteDict(str(folder / "store.sqlite")), id="sqlite-file"),
    pytest.param(lambda folder: SqliteDict(), id="sqlite-memory"),
    *(_kyoto(ext) for ext in (".kch", ".kct", ".kcd", ".kcf", ".kcx")),
]


@pytest.fixture(params=BACKENDS)
def opener(request) -> Opener:
    return request.param


def _operations(d: StoreBase, keys: Any, values: Any, items: Any) -> dict[str, Callable[[], Any]]:
    """Every public operation, including views made while the store was open."""
    return {
        "d[k]": lambda: d["a"],
        "d[unhashable]": lambda: d[[]],  # the closed check comes before the key
        "d[bad] = bad": lambda: d.__setitem__([], {1}),
        "d.get": lambda: d.get("a"),
        "in": lambda: "a" in d,
        "d[k] = v": lambda: d.__setitem__("b", 2),
        "del": lambda: d.__delitem__("a"),
        "pop": lambda: d.pop("a"),
        "pop default": lambda: d.pop("zz", None),
        "popitem": d.popitem,
        "setdefault": lambda: d.setdefault("c", 3),
        "len": lambda: len(d),
        "iter": lambda: iter(d),
        "reversed": lambda: reversed(d),
        "keys()": d.keys,
        "values()": d.values,
        "items()": d.items,
        "clear": d.clear,
        "update": lambda: d.update(x=1),
        "update empty": d.update,
        "copy": d.copy,
        "==": lambda: d == {"a": 1},
        "|": lambda: d | {},
        "|=": lambda: d.__ior__({}),
        "with": lambda: d.__enter__(),
        "len(keys)": lambda: len(keys),
        "iter(keys)": lambda: iter(keys),
        "iter(values)": lambda: iter(values),
        "iter(items)": lambda: iter(items),
        "k in keys": lambda: "a" in keys,
        "v in values": lambda: 1 in values,
        "kv in items": lambda: ("a", 1) in items,
    }


def test_every_operation_on_a_closed_handle_raises_storeclosederror(opener, tmp_path):
    """The same error, raised at the call (not on a first iteration step), naming
    the store; it is a ValueError as for a closed file."""
    d = opener(tmp_path)
    d["a"] = 1
    operations = _operations(d, d.keys(), d.values(), d.items())
    d.close()
    for name, operation in operations.items():
        with pytest.raises(StoreClosedError, match="closed") as caught:
            operation()
        assert type(d).__name__ in str(caught.value), name
    assert issubclass(StoreClosedError, ValueError)


def test_close_is_idempotent_and_closed_tells(opener, tmp_path):
    d = opener(tmp_path)
    assert d.closed is False
    d.close()
    assert d.closed is True
    d.close()
    assert d.closed is True
    assert "closed" in repr(d)


def test_context_manager_closes_on_exit_and_on_error(opener, tmp_path):
    with opener(tmp_path) as d:
        d["a"] = 1
        assert not d.closed
    assert d.closed
    d = opener(tmp_path)
    with pytest.raises(KeyError):
        with d:
            d["missing"]
    assert d.closed


def test_an_iteration_under_way_stops_at_its_next_step(opener, tmp_path):
    for view in (lambda d: d, StoreBase.keys, StoreBase.values, StoreBase.items, reversed):
        with opener(tmp_path) as d:
            d.clear()
            d.update((f"k{i}", i) for i in range(5))
            try:
                iterator = iter(view(d))
            except TypeError:  # reversed() of a store without order
                continue
            next(iterator)
            d.close()
            with pytest.raises(StoreClosedError):
                next(iterator)


def test_data_stays_after_close(tmp_path):
    path = str(tmp_path / "a.db")
    d = SqliteDict(path, "dict", "DEFERRED", a=1)
    d.close()
    with SqliteDict(path) as again:
        assert dict(again.items()) == {"a": 1}


def test_closing_while_other_threads_work_gives_only_storeclosederror(tmp_path):
    """Threads racing a close() see either a result or StoreClosedError, nothing else."""
    d = SqliteDict(str(tmp_path / "a.db"))
    errors: list[BaseException] = []
    started = threading.Barrier(5)

    def work(n: int) -> None:
        started.wait()
        try:
            for i in range(100_000):
                d[f"{n}-{i}"] = i
                d.get(f"{n}-{i}")
                len(d)
        except StoreClosedError:
            return
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.2)  # let them get going
    d.close()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


# -- fromkeys: dict's arguments first, then the constructor's options ------------

def test_fromkeys_without_options_is_a_new_default_store():
    """SqliteDict.fromkeys(keys[, value]) means what dict.fromkeys means: an in-memory store."""
    d = SqliteDict.fromkeys(["a", "b", "a"])
    assert type(d) is SqliteDict and d.path == ":memory:"
    assert list(d.items()) == [("a", None), ("b", None)]
    assert dict(SqliteDict.fromkeys("xy", 0).items()) == {"x": 0, "y": 0}


def test_fromkeys_takes_the_constructors_options_after_the_value(tmp_path):
    path = str(tmp_path / "a.db")
    with SqliteDict.fromkeys([1, 2], "v", path, "t", "IMMEDIATE") as d:
        assert (d.path, d.table, d.isolation_level) == (path, "t", "IMMEDIATE")
    with SqliteDict.fromkeys([3], None, path=path, table="t") as d:
        assert dict(d.items()) == {1: "v", 2: "v", 3: None}  # joins what the location holds


def test_fromkeys_refuses_contents_as_options(tmp_path):
    """A fourth positional option or an unknown keyword would be initial contents: TypeError."""
    path = str(tmp_path / "a.db")
    with pytest.raises(TypeError, match="at most 3 options"):
        SqliteDict.fromkeys(["a"], 0, path, "t", "DEFERRED", {"x": 1})
    with pytest.raises(TypeError, match="not an option"):
        SqliteDict.fromkeys(["a"], 0, path, extra=1)


def test_fromkeys_with_an_unstorable_value_writes_nothing(tmp_path):
    path = str(tmp_path / "a.db")
    with pytest.raises(TypeError):
        SqliteDict.fromkeys(["a", "b"], {1, 2}, path)
    with SqliteDict(path) as d:
        assert len(d) == 0


def test_fromkeys_is_the_same_classmethod_on_every_backend():
    """One documented fromkeys, on StoreBase: no backend redefines it."""
    from reference_backends import KyotoCabinetDict

    assert SqliteDict.fromkeys.__func__ is StoreBase.fromkeys.__func__
    assert KyotoCabinetDict.fromkeys.__func__ is StoreBase.fromkeys.__func__
    for method in ("close", "__enter__", "__exit__", "__len__", "clear", "update"):
        assert method not in vars(KyotoCabinetDict), method
