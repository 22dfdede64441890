"""The state machine's rules, in small groups, each honouring the declaration.

A rule is a method marked with :func:`~.core.op`: the names of its argument
strategies (see ``Strategies`` in :mod:`.dict_model`) and how its step reads in
a falsifying example.  Each one does its operation on a store handle and on
the model, checks the store's answer, and leaves the model as the store should
now be.  Where the store's answer differs but its effect is known (it popped
another item, it refused a write), the model follows the store, so that the
example can go on exploring soundly.
"""

from __future__ import annotations

from collections.abc import KeysView
from typing import Any

from hypothesis.stateful import precondition

from ..compare import same
from .core import MachineCore, ModelMapping, Outcome, check, op
from .journal import Divergence

#: What ``update()`` is given in place of a pair, and what dict raises for it.
BAD_ITEMS: dict[str, tuple[Any, type[Exception]]] = {
    "short": (("k",), ValueError),
    "long": (("k", 0, 0), ValueError),
    "scalar": (0, TypeError),
}

#: The exceptions a store may raise when it refuses a forbidden key.
REFUSALS = (ValueError, TypeError, KeyError)


def bad_update(new: list[tuple[Any, Any]], bad: str, at: int) -> list[Any]:
    """``new`` with the bad item ``bad`` inserted at position ``at``."""
    pos = min(at, len(new))
    return [*new[:pos], BAD_ITEMS[bad][0], *new[pos:]]


class SingleKeyRules(MachineCore):
    """Reads and writes of one key."""

    @op("{s}[{key!r}] = {value!r}", key="key", value="value", h="handle")
    def set_item(self, key: Any, value: Any, h: int) -> None:
        self.write(self.handle(h), key, value, f"{self.handle_name(h)}[{key!r}] = ...")

    @op("{s}[{key!r}]", key="key", h="handle")
    def get_item(self, key: Any, h: int) -> None:
        store, what = self.handle(h), f"{self.handle_name(h)}[{key!r}]"
        got = Outcome(lambda: store[key])
        entry = self.model.find(key)
        if entry is None:
            self.expect_error(what, got, KeyError, key)
        else:
            self.expect_value(what, got, entry.value)

    @op("{s}.get({key!r}, {default!r})", key="key", default="value", h="handle")
    def get(self, key: Any, default: Any, h: int) -> None:
        store, name = self.handle(h), self.handle_name(h)
        got = Outcome(lambda: store.get(key, default))
        entry = self.model.find(key)
        if entry is not None:
            self.expect_value(f"{name}.get({key!r}, d)", got, entry.value)
            return
        check(got.error is None and got.value is default,
              lambda: f"{name}.get({key!r}, d) of a missing key: dict returns the default object itself, "
              f"the store {got.describe()}")
        got = Outcome(lambda: store.get(key))
        check(got.error is None and got.value is None,
              lambda: f"{name}.get({key!r}) of a missing key: dict returns None, the store {got.describe()}")

    @op("del {s}[{key!r}]", key="key", h="handle")
    def del_item(self, key: Any, h: int) -> None:
        store = self.handle(h)
        got = Outcome(lambda: store.__delitem__(key))
        if key in self.model:
            if got.error is None:
                self.model.delete(key)
            check(got.error is None, lambda: f"del {self.handle_name(h)}[{key!r}]: dict deletes it, the store {got.describe()}")
        else:
            self.expect_error(f"del {self.handle_name(h)}[{key!r}]", got, KeyError, key)

    @op("{key!r} in {s}", key="key", h="handle")
    def contains(self, key: Any, h: int) -> None:
        got = Outcome(lambda: key in self.handle(h))
        want = key in self.model
        check(got.error is None and got.value is want,
              lambda: f"{key!r} in {self.handle_name(h)}: dict gives {want}, the store {got.describe()}")

    @op("{s}.pop({key!r})", key="key", h="handle")
    def pop(self, key: Any, h: int) -> None:
        store, what = self.handle(h), f"{self.handle_name(h)}.pop({key!r})"
        got = Outcome(lambda: store.pop(key))
        entry = self.model.find(key)
        if entry is None:
            self.expect_error(what, got, KeyError, key)
            return
        if got.error is None:
            self.model.delete(key)
        self.expect_value(what, got, entry.value)

    @op("{s}.pop({key!r}, {default!r})", key="key", default="value", h="handle")
    def pop_default(self, key: Any, default: Any, h: int) -> None:
        store, what = self.handle(h), f"{self.handle_name(h)}.pop({key!r}, d)"
        got = Outcome(lambda: store.pop(key, default))
        entry = self.model.find(key)
        if entry is None:
            check(got.error is None and got.value is default,
                  lambda: f"{what} of a missing key: dict returns the default object itself, the store {got.describe()}")
            return
        if got.error is None:
            self.model.delete(key)
        self.expect_value(what, got, entry.value)

    @op("{s}.setdefault({key!r}, {default!r})", key="key", default="value", h="handle")
    def setdefault(self, key: Any, default: Any, h: int) -> None:
        store, what = self.handle(h), f"{self.handle_name(h)}.setdefault({key!r}, d)"
        got = Outcome(lambda: store.setdefault(key, default))
        entry = self.model.find(key)
        if entry is not None:
            self.expect_value(what, got, entry.value)
            return
        if got.error is None:
            self.model.set(key, default)
        # dict (and MutableMapping) return the default object itself, whatever the round trip.
        check(got.error is None and same(got.value, default),
              lambda: f"{what} of a missing key: dict returns the default {default!r}, the store {got.describe()}")

    @precondition(lambda self: self.strategies.has_equal_keys)
    @op(lambda s, keys, value, h: "; ".join(f"{s}[{k!r}] = {value!r}" for k in keys), keys="equal_keys", value="value", h="handle")
    def set_equal_keys(self, keys: tuple[Any, ...], value: Any, h: int) -> None:
        """Write keys that are == one another (1, 1.0, True) in turn: one key
        for dict, several where the declaration keeps them distinct."""
        store = self.handle(h)
        for key in keys:
            self.write(store, key, value, f"{self.handle_name(h)}[{key!r}] = ...")

    @op("{s}.popitem()", h="handle")
    def popitem(self, h: int) -> None:
        store, what = self.handle(h), f"{self.handle_name(h)}.popitem()"
        if not len(self.model):
            self.expect_error(what, Outcome(store.popitem), KeyError)
            return
        side = self.caps.popitem
        order = self.model.ordered()
        if order is None and side != "any":  # no declared order: the store's own iteration order
            order = [self.model.find(k) for k in list(store)]
        got = Outcome(store.popitem)
        check(got.error is None and isinstance(got.value, tuple) and len(got.value) == 2,
              lambda: f"{what}: dict returns a (key, value) pair, the store {got.describe()}")
        key, value = got.value
        entry = self.model.find(key)
        check(entry is not None, lambda: f"{what} returned {key!r}, which is not a key")
        self.model.delete(key)  # follow the store: its item is gone
        if side != "any" and order:
            want = order[-1] if side == "last" else order[0]
            check(want is entry, lambda: f"{what} should remove the {side} item {want!r}, removed {key!r}")
        if self.caps.key_type_preserved:
            check(same(key, self.model.spelled(entry.key)), lambda: f"{what}: the key {entry.key!r} came back as {key!r}")
        check(self.matches(value, entry.value), lambda: f"{what}: the value of {key!r} is {entry.value!r}, got {value!r}")

    @precondition(lambda self: bool(self.strategies.forbidden_samples))
    @op("{s}[{key!r}] = {value!r}  # forbidden", key="forbidden", value="value", h="handle")
    def forbidden_key(self, key: Any, value: Any, h: int) -> None:
        store, name = self.handle(h), self.handle_name(h)
        got = Outcome(lambda: store.__setitem__(key, value))
        check(isinstance(got.error, REFUSALS),
              lambda: f"{name}[{key!r}] = ...: the key is declared forbidden, so the store must raise "
              f"ValueError, TypeError or KeyError; it {got.describe()}")
        got = Outcome(lambda: store[key])
        check(isinstance(got.error, KeyError), lambda: f"{name}[{key!r}] of a forbidden key: {got.describe()}")
        got = Outcome(lambda: key in store)
        check(got.value is False, lambda: f"{key!r} in {name} of a forbidden key: {got.describe()}")


class BulkRules(MachineCore):
    """update() in its three forms and with a bad item, clear(), ``|=``."""

    def update(self, new: list[tuple[Any, Any]]) -> None:
        for key, value in new:
            self.model.set(key, value)

    def call_update(self, h: int, what: str, /, *args: Any, **kwargs: Any) -> None:
        got = Outcome(lambda: self.handle(h).update(*args, **kwargs))
        if got.error is None:
            self.update(_update_pairs(*args, **kwargs))
        check(got.error is None, lambda: f"{what}: dict updates, the store {got.describe()}")

    @op(lambda s, new, h: f"{s}.update({dict(new)!r})", new="pairs", h="handle")
    def update_mapping(self, new: list[tuple[Any, Any]], h: int) -> None:
        self.call_update(h, f"{self.handle_name(h)}.update(a dict)", dict(new))

    @op("{s}.update({new!r})", new="pairs", h="handle")
    def update_pairs(self, new: list[tuple[Any, Any]], h: int) -> None:
        self.call_update(h, f"{self.handle_name(h)}.update(pairs)", new)

    @op("{s}.update(**{new!r})", new="kwargs", h="handle")
    def update_keywords(self, new: dict[str, Any], h: int) -> None:
        self.call_update(h, f"{self.handle_name(h)}.update(**kwargs)", **new)

    @op(lambda s, new, bad, at, h: f"{s}.update({bad_update(new, bad, at)!r})", new="pairs", bad="bad", at="position", h="handle")
    def update_with_bad_item(self, new: list[tuple[Any, Any]], bad: str, at: int, h: int) -> None:
        """dict applies the pairs before the bad item; a store may apply them or
        none (``update_atomic``: none)."""
        store, what = self.handle(h), f"{self.handle_name(h)}.update(pairs with a bad item at #{min(at, len(new))})"
        got = Outcome(lambda: store.update(bad_update(new, bad, at)))
        error = BAD_ITEMS[bad][1]
        before = self.model.snapshot()
        applied = self.model.snapshot()
        for key, value in new[: min(at, len(new))]:
            applied.set(key, value)
        if self.caps.update_atomic:
            outcomes = {"none of its pairs": before}
        else:
            outcomes = {"the pairs before the bad one": applied, "none of its pairs": before}
        mismatch = ""
        for label, model in outcomes.items():
            try:
                self.assert_matches(store, model, "the store")
            except Divergence as exc:
                mismatch = mismatch or str(exc)
                continue
            self.model = model
            break
        else:
            self.model = applied
            check(False, lambda: f"{what} must leave {' or '.join(outcomes)} applied, and none after it; "
                                 f"against the first: {mismatch}")
        self.expect_error(what, got, error)

    @precondition(lambda self: len(self.model) < 40)
    @op(lambda s, h, n: f"{s}.clear()" if n == 0 else None, h="handle", n="one_in_ten")
    def clear(self, h: int, n: int) -> None:
        if n == 0:  # rarely: clearing ends every interesting state
            got = Outcome(self.handle(h).clear)
            if got.error is None:
                self.model.clear()
            check(got.error is None, lambda: f"{self.handle_name(h)}.clear() {got.describe()}")

    @precondition(lambda self: self.caps.operators)
    @op(lambda s, new, h: f"{s} |= {dict(new)!r}", new="pairs", h="handle")
    def ior_operator(self, new: list[tuple[Any, Any]], h: int) -> None:
        store, other = self.handle(h), dict(new)

        def ior() -> Any:
            result = store
            result |= other
            return result

        got = Outcome(ior)
        if got.error is None:
            self.update(list(other.items()))
            if got.value is not store:
                self.release(got.value)
        check(got.error is None and got.value is store,
              lambda: f"{self.handle_name(h)} |= dict: dict returns itself, the store {got.describe()}")


class SnapshotRules(MachineCore):
    """Operations that make a new mapping or keep a reference: copy(), ``|``, mutable values."""

    @precondition(lambda self: self.caps.copy != "none")
    @op("c = {s}.copy(); {s}[{key!r}] = {value!r}", key="key", value="value", h="handle")
    def copy(self, key: Any, value: Any, h: int) -> None:
        store, name = self.handle(h), self.handle_name(h)
        got = Outcome(store.copy)
        check(got.error is None, lambda: f"{name}.copy() {got.describe()}")
        snapshot, frozen = got.value, self.model.snapshot()
        try:
            want_type = type(store) if self.caps.copy == "same_type" else dict
            check(type(snapshot) is want_type,
                  lambda: f"{name}.copy() should return a {want_type.__name__}, not {type(snapshot).__name__}")
            self.check_result(snapshot, frozen, f"{name}.copy()")
            self.write(store, key, value, f"{name}[{key!r}] = ... after copy()")
            self.check_result(snapshot, frozen, f"{name}.copy() after the original changed")
        finally:
            self.release(snapshot)

    @precondition(lambda self: self.caps.operators)
    @op(lambda s, new, h: f"{s} | {dict(new)!r}; {dict(new)!r} | {s}", new="pairs", h="handle")
    def or_operator(self, new: list[tuple[Any, Any]], h: int) -> None:
        store, name, other = self.handle(h), self.handle_name(h), dict(new)
        # A new store holds other's values as it stores them; a plain dict holds them as they are.
        base = self.model.python_dict()
        want = self.model.snapshot()
        for k, v in other.items():
            want.set(k, v)
        plain = None if base is None else base | other
        self._merged(Outcome(lambda: store | other), want, plain, f"{name} | {other!r}")
        rwant = self.model.snapshot()
        rwant.clear()
        for k, v in other.items():
            rwant.set(k, v)
        for e in self.model.entries():
            rwant.set(e.key, e.value)
        rplain = None if base is None else other | base
        self._merged(Outcome(lambda: other | store), rwant, rplain, f"{other!r} | {name}")

    def _merged(self, got: Outcome, want: Any, plain: dict | None, what: str) -> None:
        check(got.error is None, lambda: f"{what} {got.describe()}")
        try:
            check(not any(got.value is h for h in self.handles), lambda: f"{what} returned the store itself, not a new mapping")
            self.check_result(got.value, want, what, plain)
        finally:
            self.release(got.value)

    @precondition(lambda self: self.strategies.mutable_values)
    @op("v = []; {s}[{key!r}] = v; v.append(x); {s}[{key!r}].append(x)", key="key", h="handle")
    def mutate_value(self, key: Any, h: int) -> None:
        """A stored object mutated afterwards, and a value read and mutated:
        dict shows both, a store of copies neither (``values_are_copies``)."""
        store, name = self.handle(h), self.handle_name(h)
        filler = self.strategies.filler
        value: list[Any] = []
        self.write(store, key, value, f"{name}[{key!r}] = []")
        value.append(filler)
        entry = self.model.find(key)
        self.expect_value(f"{name}[{key!r}] after mutating the stored object", Outcome(lambda: store[key]), entry.value)
        got = Outcome(lambda: store[key])
        if got.error is None and isinstance(got.value, list):
            got.value.append(filler)
            self.expect_value(f"{name}[{key!r}] after mutating a value read", Outcome(lambda: store[key]), entry.value)


class ViewRules(MachineCore):
    """keys(), values(), items(), ==, reversed()."""

    @op("{s}.keys() & | - ^ {other_keys!r}", other_keys="other_keys", h="handle")
    def keys_view_set_operations(self, other_keys: list[Any], h: int) -> None:
        view, name = self.handle(h).keys(), self.handle_name(h)
        model = self.model
        # Operands the store and a set disagree on by design (1 and 1.0 under
        # distinct keys) prove nothing; keys are given as the store spells them.
        keys = [model.spelled(e.key) for e in model.entries()]
        other = {
            x for x in (model.spelled(k) for k in other_keys)
            if not any(x == k and model.identity(x) != model.identity(k) for k in keys)
        }
        mview = KeysView(ModelMapping(model))
        for sign, fn in (("&", lambda a: a & other), ("|", lambda a: a | other),
                         ("-", lambda a: a - other), ("^", lambda a: a ^ other)):
            got, want = Outcome(lambda: fn(view)), fn(mview)
            check(got.error is None and got.value == want,
                  lambda: f"{name}.keys() {sign} {other!r}: dict gives {want!r}, the store {got.describe()}")
        got = Outcome(lambda: view.isdisjoint(other))
        check(got.value == mview.isdisjoint(other), lambda: f"{name}.keys().isdisjoint({other!r}) {got.describe()}")
        if self.caps.sized:
            got = Outcome(lambda: len(view))
            check(got.value == len(model), lambda: f"len({name}.keys()) {got.describe()}, dict has {len(model)}")

    @op("({key!r}, v) in {s}.items()", key="key", h="handle")
    def items_view_membership(self, key: Any, h: int) -> None:
        view, name = self.handle(h).items(), self.handle_name(h)
        entry = self.model.find(key)
        if entry is None:
            got = Outcome(lambda: (key, None) in view)
            check(got.value is False, lambda: f"({key!r}, None) in {name}.items() for a missing key {got.describe()}")
            return
        got = Outcome(lambda: (key, entry.value) in view)
        check(got.value is True, lambda: f"({key!r}, {entry.value!r}) in {name}.items() {got.describe()}")
        got = Outcome(lambda: (key, _Unequal()) in view)
        check(got.value is False, lambda: f"({key!r}, another value) in {name}.items() {got.describe()}")

    @op("list({s}.values()); {s} == dict(...)", h="handle")
    def values_and_equality(self, h: int) -> None:
        store, name = self.handle(h), self.handle_name(h)
        got = list(store.values())
        order = self.model.ordered()
        want = [e.value for e in (order if order is not None else self.model.entries())]
        if order is not None:
            check(len(got) == len(want) and all(map(self.matches, got, want)),
                  lambda: f"{name}.values(): dict gives {want!r}, got {got!r}")
        else:
            check(_same_multiset(got, want, self.matches), lambda: f"{name}.values(): dict gives {want!r} in some order, got {got!r}")
        plain = self.model.python_dict()
        if plain is None:  # two keys the store keeps apart are one key to a dict
            return
        check(store == plain, lambda: f"{name} == a dict with the same items is False")
        check(not (store != plain), lambda: f"{name} != a dict with the same items is True")
        check(store != {**plain, "pdict-absent-key": 0}, lambda: f"{name} == a dict with one more key is True")
        for key in list(plain)[:1]:
            check(store != {**plain, key: _Unequal()}, lambda: f"{name} == a dict with another value for {key!r} is True")

    @precondition(lambda self: self.caps.reversed is not False)
    @op("list(reversed({s}))", h="handle")
    def reversed_iteration(self, h: int) -> None:
        store, name, model = self.handle(h), self.handle_name(h), self.model
        order = model.ordered()
        want = [model.spelled(e.key) for e in order] if order is not None else list(store)
        want.reverse()
        got = Outcome(lambda: list(reversed(store)))
        check(got.error is None and [model.identity(k) for k in got.value] == [model.identity(k) for k in want],
              lambda: f"reversed({name}): dict gives {want!r}, the store {got.describe()}")
        if self.caps.key_type_preserved and order is not None:
            check(all(map(same, got.value, want)), lambda: f"reversed({name}): keys {want!r} came back as {got.value!r}")
        if self.caps.reversed is True:
            for view in ("keys", "values", "items"):
                got_view = Outcome(lambda: list(reversed(getattr(store, view)())))
                forward = list(getattr(store, view)())
                check(got_view.error is None and len(got_view.value) == len(forward)
                      and all(map(_same_item, got_view.value, reversed(forward))),
                      lambda: f"reversed({name}.{view}()): want {forward[::-1]!r}, the store {got_view.describe()}")


class HandleRules(MachineCore):
    """Reopening (``persistent``) and a second live handle (``shared_handles``)."""

    @precondition(lambda self: self.caps.persistent)
    @op("store = reopen(store)")
    def reopen(self) -> None:
        for extra in self.handles[1:]:
            self.sub.close(extra)
        self.handles = [self.sub.reopen(self.handles[0])]

    @precondition(lambda self: self.caps.shared_handles and len(self.handles) == 1)
    @op("second = open(the location of store)")
    def open_second_handle(self) -> None:
        if len(self.handles) == 1:  # (a minimised replay may skip the precondition's reopen)
            self.handles.append(self.sub.second_handle(self.handles[0]))


class _Unequal:
    """A value equal to nothing but itself."""

    def __eq__(self, other: object) -> bool:
        return other is self

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "<another value>"


def _same_item(a: Any, b: Any) -> bool:
    return a is b or same(a, b) or bool(a == b)


def _update_pairs(other: Any = (), /, **kwargs: Any) -> list[tuple[Any, Any]]:
    """update()'s arguments as the pairs it applies, in order, without merging keys
    through a dict (which would join keys a declaration keeps apart, e.g. 1 and 1.0)."""
    pairs = [(k, other[k]) for k in other.keys()] if hasattr(other, "keys") else [tuple(p) for p in other]
    return pairs + list(kwargs.items())


def _same_multiset(got: list[Any], want: list[Any], matches: Any) -> bool:
    if len(got) != len(want):
        return False
    left = list(want)
    for g in got:
        for i, w in enumerate(left):
            if matches(g, w):
                del left[i]
                break
        else:
            return False
    return True
