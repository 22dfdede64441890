"""A hypothesis state machine that runs a store side by side with a dict.

Every rule does one operation on the store (through one of its open handles)
and on a plain dict, the model, and checks that both give the same result or
raise the same exception type.  After every step the invariant compares the
whole contents: length, membership, iteration (in the declared order, keys
compared strictly by type), values (strictly, after the declared round trip).

Rules that need a capability (reopen, a second handle, ``|``, reversed,
popitem order) run only when the backend declares it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ..capabilities import Capabilities
from ..domain import expected, key_strategy, same, value_strategy
from ..harness import StoreHarness

_RAISED = object()


class _Unequal:
    """A value equal to nothing but itself."""

    def __eq__(self, other: object) -> bool:
        return other is self

    __hash__ = object.__hash__


class _Outcome:
    """What an operation returned, or which exception it raised."""

    def __init__(self, fn: Callable[[], Any]):
        try:
            self.value = fn()
            self.error: BaseException | None = None
        except Exception as exc:  # compared below, never swallowed silently
            self.value = _RAISED
            self.error = exc

    def describe(self) -> str:
        return f"raised {type(self.error).__name__}: {self.error}" if self.error else f"returned {self.value!r}"


def dict_model_machine(harness: StoreHarness) -> type[RuleBasedStateMachine]:
    """A state machine class bound to ``harness`` (its spec and capabilities)."""
    caps = harness.caps
    keys = key_strategy(caps)
    values = value_strategy(caps)
    pairs = st.lists(st.tuples(keys, values), max_size=5)
    kwargs = st.dictionaries(st.text(max_size=4), values, max_size=3) if "str" in caps.key_types else st.just({})

    class DictModel(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.caps: Capabilities = caps
            self.sub = StoreHarness(harness.spec, caps, harness.scratch)
            self.handles = [self.sub.new()]
            self.model: dict[Any, Any] = {}

        def teardown(self) -> None:
            self.sub.cleanup()

        # -- helpers -----------------------------------------------------
        def handle(self, index: int) -> Any:
            return self.handles[index % len(self.handles)]

        def want(self, value: Any) -> Any:
            return expected(value, self.caps)

        def check_same(self, what: str, got: _Outcome, want: _Outcome, compare_value: bool = True) -> None:
            if want.error is not None:
                assert got.error is not None and isinstance(got.error, type(want.error)), (
                    f"{what}: dict raised {type(want.error).__name__}: {want.error}, store {got.describe()}"
                )
                if isinstance(want.error, KeyError) and want.error.args and "popitem" not in str(want.error):
                    assert keyerror_carries(got.error, want.error.args[0]), (
                        f"{what}: KeyError should carry the key {want.error.args[0]!r}, got {got.error!r}"
                    )
                return
            assert got.error is None, f"{what}: dict returned {want.value!r}, store {got.describe()}"
            if compare_value:
                assert same(got.value, self.want(want.value)), (
                    f"{what}: dict gives {self.want(want.value)!r}, store {got.value!r}"
                )

        # -- single keys -------------------------------------------------
        @rule(key=keys, value=values, h=st.integers(0, 1))
        def set_item(self, key: Any, value: Any, h: int) -> None:
            self.handle(h)[key] = value
            self.model[key] = value

        @rule(key=keys, h=st.integers(0, 1))
        def get_item(self, key: Any, h: int) -> None:
            store = self.handle(h)
            self.check_same(f"store[{key!r}]", _Outcome(lambda: store[key]), _Outcome(lambda: self.model[key]))

        @rule(key=keys, default=values, h=st.integers(0, 1))
        def get(self, key: Any, default: Any, h: int) -> None:
            store = self.handle(h)
            got = store.get(key, default)
            if key in self.model:
                assert same(got, self.want(self.model[key])), f"get({key!r}): want {self.model[key]!r}, got {got!r}"
            else:
                assert got is default, f"get({key!r}, default) must return the default object itself, got {got!r}"
            if key not in self.model:
                assert store.get(key) is None, f"get({key!r}) of a missing key must be None"

        @rule(key=keys, h=st.integers(0, 1))
        def del_item(self, key: Any, h: int) -> None:
            store = self.handle(h)

            def delete(m: Any) -> None:
                del m[key]

            self.check_same(f"del store[{key!r}]", _Outcome(lambda: delete(store)), _Outcome(lambda: delete(self.model)))

        @rule(key=keys, h=st.integers(0, 1))
        def contains(self, key: Any, h: int) -> None:
            assert (key in self.handle(h)) == (key in self.model), f"{key!r} in store disagrees with dict"

        @rule(key=keys, h=st.integers(0, 1))
        def pop(self, key: Any, h: int) -> None:
            store = self.handle(h)
            self.check_same(f"pop({key!r})", _Outcome(lambda: store.pop(key)), _Outcome(lambda: self.model.pop(key)))

        @rule(key=keys, default=values, h=st.integers(0, 1))
        def pop_default(self, key: Any, default: Any, h: int) -> None:
            present = key in self.model
            got = self.handle(h).pop(key, default)
            want = self.model.pop(key, default)
            if present:
                assert same(got, self.want(want)), f"pop({key!r}, d): want {want!r}, got {got!r}"
            else:
                assert got is default, f"pop({key!r}, default) of a missing key must return the default itself"

        @rule(key=keys, default=values, h=st.integers(0, 1))
        def setdefault(self, key: Any, default: Any, h: int) -> None:
            store = self.handle(h)
            self.check_same(
                f"setdefault({key!r}, ...)",
                _Outcome(lambda: store.setdefault(key, default)),
                _Outcome(lambda: self.model.setdefault(key, default)),
            )

        @rule(h=st.integers(0, 1))
        def popitem(self, h: int) -> None:
            store = self.handle(h)
            if not self.model:
                got = _Outcome(store.popitem)
                assert isinstance(got.error, KeyError), f"popitem() on an empty store {got.describe()}"
                return
            key, value = store.popitem()
            order = self.caps.popitem
            if order == "any":
                assert key in self.model, f"popitem() returned a key not in the store: {key!r}"
                want_key = next(k for k in self.model if k == key)
            else:
                ordered = self.ordered_model_keys()
                want_key = ordered[-1] if order == "last" else ordered[0]
                assert same_key(key, want_key), f"popitem() should remove {want_key!r} ({order}), removed {key!r}"
            assert same(value, self.want(self.model.pop(want_key))), f"popitem() value for {key!r}: {value!r}"

        # -- whole-store operations -----------------------------------------
        @rule(new=pairs, h=st.integers(0, 1))
        def update_mapping(self, new: list[tuple[Any, Any]], h: int) -> None:
            other = dict(new)
            self.handle(h).update(other)
            self.model.update(other)

        @rule(new=pairs, h=st.integers(0, 1))
        def update_pairs(self, new: list[tuple[Any, Any]], h: int) -> None:
            self.handle(h).update(new)
            self.model.update(new)

        @rule(new=kwargs, h=st.integers(0, 1))
        def update_keywords(self, new: dict[str, Any], h: int) -> None:
            self.handle(h).update(**new)
            self.model.update(**new)

        @precondition(lambda self: len(self.model) < 40)
        @rule(h=st.integers(0, 1), n=st.integers(0, 9))
        def clear(self, h: int, n: int) -> None:
            if n == 0:  # rarely: clearing ends every interesting state
                self.handle(h).clear()
                self.model.clear()

        @precondition(lambda self: self.caps.copy != "none")
        @rule(h=st.integers(0, 1), key=keys, value=values)
        def copy(self, h: int, key: Any, value: Any) -> None:
            store = self.handle(h)
            snapshot = store.copy()
            try:
                if self.caps.copy == "same_type":
                    assert type(snapshot) is type(store), f"copy() returned {type(snapshot).__name__}"
                else:
                    assert type(snapshot) is dict, f"copy() should return a dict, not {type(snapshot).__name__}"
                self.assert_matches(snapshot, "copy()")
                frozen = {k: self.want(v) for k, v in self.model.items()}
                store[key] = value
                self.model[key] = value
                assert _dict_same(dict(snapshot.items()), frozen), "copy() changed when the original did"
            finally:
                if snapshot is not store and self.caps.copy == "same_type":
                    self.sub.spec.close(snapshot)

        @precondition(lambda self: self.caps.operators)
        @rule(new=pairs, h=st.integers(0, 1))
        def or_operator(self, new: list[tuple[Any, Any]], h: int) -> None:
            store = self.handle(h)
            other = dict(new)
            merged = store | other
            want = {k: self.want(v) for k, v in self.model.items()} | other
            assert list_same(merged.items(), want.items()) or self.caps.ordering != "insertion", "store | dict"
            assert _dict_same(dict(merged), want), f"store | {other!r}: want {want!r}, got {dict(merged)!r}"
            rmerged = other | store
            rwant = other | {k: self.want(v) for k, v in self.model.items()}
            assert _dict_same(dict(rmerged), rwant), f"{other!r} | store: want {rwant!r}, got {dict(rmerged)!r}"
            for result in (merged, rmerged):
                if result is not store and hasattr(result, "close") and not isinstance(result, dict):
                    self.sub.spec.close(result)
            self.assert_matches(store, "the store after |")

        @precondition(lambda self: self.caps.operators)
        @rule(new=pairs, h=st.integers(0, 1))
        def ior_operator(self, new: list[tuple[Any, Any]], h: int) -> None:
            store = self.handle(h)
            other = dict(new)
            before = store
            store |= other
            assert store is before, "store |= other must return the store itself"
            self.model |= other

        @rule(other_keys=st.lists(keys, max_size=4), h=st.integers(0, 1))
        def keys_view_set_operations(self, other_keys: list[Any], h: int) -> None:
            view = self.handle(h).keys()
            mview = self.model.keys()
            other = set(other_keys)
            for name, op in (("&", lambda a: a & other), ("|", lambda a: a | other),
                             ("-", lambda a: a - other), ("^", lambda a: a ^ other)):
                got, want = op(view), op(mview)
                assert got == want, f"keys() {name} {other!r}: dict gives {want!r}, store {got!r}"
            assert view.isdisjoint(other) == mview.isdisjoint(other), "keys().isdisjoint"
            assert len(view) == len(mview), "len(keys())"

        @rule(key=keys, h=st.integers(0, 1))
        def items_view_membership(self, key: Any, h: int) -> None:
            view = self.handle(h).items()
            if key in self.model:
                assert (key, self.want(self.model[key])) in view, f"({key!r}, value) in items()"
                assert (key, _Unequal()) not in view, f"({key!r}, another value) in items() is True"
            else:
                assert (key, None) not in view, f"({key!r}, None) in items() for a missing key"

        @rule(h=st.integers(0, 1))
        def values_and_equality(self, h: int) -> None:
            store = self.handle(h)
            got_values = list(store.values())
            want_values = [self.want(self.model[k]) for k in self.ordered_model_keys()]
            if self.caps.ordering == "none":
                assert len(got_values) == len(want_values), "len(values())"
            else:
                assert list_same(got_values, want_values), f"values(): want {want_values!r}, got {got_values!r}"
            wanted = {k: self.want(v) for k, v in self.model.items()}
            assert store == wanted, "store == dict with the same items must be True"
            assert not (store != wanted), "store != dict with the same items must be False"
            assert store != {**wanted, "pdict-absent-key": 0}, "store == dict with an extra key must be False"
            for key in list(wanted)[:1]:
                other = {**wanted, key: _Unequal()}
                assert store != other, "store == dict with the same keys but another value must be False"

        @precondition(lambda self: self.caps.reversed and self.caps.ordering != "none")
        @rule(h=st.integers(0, 1))
        def reversed_iteration(self, h: int) -> None:
            got = list(reversed(self.handle(h)))
            want = list(reversed(self.ordered_model_keys()))
            assert list_same(got, want) if self.caps.key_type_preserved else got == want, (
                f"reversed(): want {want!r}, got {got!r}"
            )

        # -- persistence ---------------------------------------------------
        @precondition(lambda self: self.caps.persistent)
        @rule()
        def reopen(self) -> None:
            for extra in self.handles[1:]:
                self.sub.close(extra)
            self.handles = [self.sub.reopen(self.handles[0])]

        @precondition(lambda self: self.caps.shared_handles and len(self.handles) == 1)
        @rule()
        def open_second_handle(self) -> None:
            self.handles.append(self.sub.second_handle(self.handles[0]))

        # -- the invariant ---------------------------------------------------
        def ordered_model_keys(self) -> list[Any]:
            if self.caps.ordering == "sorted":
                return sorted(self.model, key=self.sub.spec.order_key)
            return list(self.model)

        def assert_matches(self, mapping: Any, what: str) -> None:
            assert len(mapping) == len(self.model), f"len({what}) is {len(mapping)}, dict has {len(self.model)}"
            got_keys = list(mapping)
            assert len(got_keys) == len(self.model), (
                f"iterating {what} gave {len(got_keys)} keys, len is {len(self.model)}: {got_keys!r}"
            )
            stored_key = {k: k for k in self.model}
            for k in got_keys:
                assert k in stored_key, f"iterating {what} gave {k!r}, which is not a key"
                if self.caps.key_type_preserved:
                    assert same_key(k, stored_key[k]), f"key {stored_key[k]!r} came back as {k!r}"
            assert len(set(got_keys)) == len(got_keys), f"iterating {what} gave a key twice: {got_keys!r}"
            if self.caps.ordering != "none":
                want = self.ordered_model_keys()
                assert got_keys == want, f"order of {what}: want {want!r}, got {got_keys!r}"
            for k, v in self.model.items():
                assert k in mapping, f"{k!r} in {what} is False"
                assert same(mapping[k], self.want(v)), f"{what}[{k!r}]: want {self.want(v)!r}, got {mapping[k]!r}"
            items = list(mapping.items())
            assert len(items) == len(self.model), f"items() of {what} has {len(items)} items"
            for k, v in items:
                assert same(v, self.want(self.model[k])), f"items() of {what}: {k!r} -> {v!r}"

        @invariant()
        def matches_dict(self) -> None:
            for i, handle in enumerate(self.handles):
                self.assert_matches(handle, "the store" if i == 0 else "the second handle")

    return DictModel


def keyerror_carries(error: BaseException, key: Any) -> bool:
    """Whether ``error`` names ``key`` as dict's KeyError(key) does.

    Also accepted: the args that ``PyErr_SetObject(PyExc_KeyError, key)``
    makes, which is what ``OrderedDict.pop`` raises (``KeyError()`` for None,
    ``KeyError(1, 2)`` for the key ``(1, 2)``): a CPython quirk, not a store's.
    """
    args = error.args
    if len(args) == 1 and same_key(args[0], key):
        return True
    if key is None:
        return args == ()
    return type(key) is tuple and len(args) == len(key) and same_key(args, key)


def same_key(a: Any, b: Any) -> bool:
    """Keys equal and of the same type all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same_key(x, y) for x, y in zip(a, b))
    return a == b


def list_same(a: Any, b: Any) -> bool:
    a, b = list(a), list(b)
    return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))


def _dict_same(a: dict, b: dict) -> bool:
    return len(a) == len(b) and all(k in b and same(v, b[k]) for k, v in a.items())
