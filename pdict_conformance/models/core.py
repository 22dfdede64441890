"""The state machine's core: stores and model side by side, checks, the invariant.

Every rule (see :mod:`.rules`) does one operation on a store handle and on the
:class:`~.reference.ReferenceModel`, and checks the store's answer.  A check
that fails raises :class:`~.journal.Divergence`; the rule's wrapper records it
(the first of its kind in the example) and the example goes on, because the
rule has left the model in the state the store should be in.  After every step
the invariant compares the whole contents: size, keys, order and every value
by ``len``, iteration and ``items()``, and reads back with ``in`` and ``[]``
the keys written since the last step (every key of a handle not yet read
whole).  At the end of the example every key of every handle is read back.
Once the contents differ, going on would only repeat that difference, so the
example stops there, and it fails at the end listing every divergence it met.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

from hypothesis.stateful import RuleBasedStateMachine, invariant

from ..capabilities import Capabilities
from ..compare import keyerror_carries, same
from ..harness import StoreHarness
from .journal import Call, Divergence, Journal, ModelDiverged
from .reference import ReferenceModel

_RAISED = object()

#: What a rule's step looks like in the falsifying example: a format string over
#: the rule's arguments plus ``s`` (the handle's name), or a function of them.
Say = str | Callable[..., str | None]


class Outcome:
    """What an operation returned, or which exception it raised."""

    __slots__ = ("value", "error")

    def __init__(self, fn: Callable[[], Any]):
        try:
            self.value = fn()
            self.error: BaseException | None = None
        except Exception as exc:  # compared by the caller, never swallowed silently
            self.value = _RAISED
            self.error = exc

    def describe(self) -> str:
        if self.error is not None:
            return f"raised {type(self.error).__name__}({_args(self.error)})"
        return f"returned {self.value!r}"


def _args(error: BaseException) -> str:
    return ", ".join(repr(a) for a in error.args)


def check(condition: bool, message: Callable[[], str]) -> None:
    """Raise Divergence(message()) unless ``condition`` (the message is built only then)."""
    if not condition:
        raise Divergence(message())


def op(say: Say, **args: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Mark a method as a rule: ``args`` name the strategy of each argument
    (see ``Strategies``), ``say`` how the step reads in an example."""

    def mark(fn: Callable[..., None]) -> Callable[..., None]:
        fn.pdict_step = (say, args)  # type: ignore[attr-defined]
        return fn

    return mark


def as_step(fn: Callable[..., None], say: Say) -> Callable[..., None]:
    """``fn`` as a machine step: logged, with its divergences recorded."""

    @functools.wraps(fn)
    def step(self: "MachineCore", **kwargs: Any) -> None:
        self.journal.tick()
        name = self.handle_name(kwargs.get("h", 0))
        text = say(name, **kwargs) if callable(say) else say.format(s=name, **kwargs)
        if text:
            self.steps.append(text)
        self.calls.append((fn.__name__, kwargs))
        try:
            fn(self, **kwargs)
        except Exception as exc:
            message = str(exc) if isinstance(exc, Divergence) else f"{text} raised {type(exc).__name__}: {exc}"
            self.diverged(fn.__name__, message)

    return step


class MachineCore(RuleBasedStateMachine):
    """A store and its reference model; the rules come from the rule groups."""

    harness: ClassVar[StoreHarness]
    journal: ClassVar[Journal]
    strategies: ClassVar[Any]  # dict_model.Strategies

    def __init__(self) -> None:
        self.journal.tick()
        super().__init__()
        self.caps: Capabilities = self.harness.caps
        self.bytes_like = self.caps.value_buffer == "bytes_like"
        self.sub = StoreHarness(self.harness.spec, self.caps, self.harness.scratch)
        self.handles = [self.sub.new()]
        self.model = ReferenceModel(self.caps, self.harness.spec.order_key)
        self.steps: list[str] = ["store = <a new store>"]
        self.calls: list[Call] = []
        self.found: dict[str, str] = {}
        self.stopped = False
        #: The handles whose every key has been read back with ``in`` and ``[]``
        #: (after that, a step reads back only the keys it wrote).
        self.read_whole: list[Any] = []

    # -- divergences ---------------------------------------------------------------
    def diverged(self, kind: str, message: str) -> None:
        """Record the first divergence of ``kind`` in this example."""
        if kind not in self.found:
            self.found[kind] = message
            self.journal.record(kind, message, tuple(self.steps), tuple(self.calls))

    def listing(self) -> str:
        return "the store diverged from dict: " + "; ".join(f"{k}: {m}" for k, m in self.found.items())

    def teardown(self) -> None:
        """Read every key back, close and destroy every store; fail the example
        if it diverged."""
        try:
            if not self.stopped:
                self.contents_match(every_key=True)
        finally:
            try:
                self.sub.cleanup()
            except Exception as exc:
                self.diverged("close", f"closing or destroying a store raised {type(exc).__name__}: {exc}")
        if self.found and not self.stopped and not self.journal.spent:
            self.fail_example()

    @invariant()
    def matches_dict(self) -> None:
        if not self.stopped and not self.contents_match(every_key=False):
            self.fail_example()

    def contents_match(self, every_key: bool) -> bool:
        """Whether every handle holds the model (see :meth:`assert_matches`);
        a difference is recorded as the divergence ``contents``.  ``every_key``:
        read back every key of every handle, else only the keys written since
        the last check, and every key of a handle not yet read whole."""
        written = self.model.take_written()
        try:
            for i, handle in enumerate(self.handles):
                whole = every_key or not any(handle is h for h in self.read_whole)
                self.assert_matches(handle, self.model, "the store" if i == 0 else "the second handle",
                                    reads=None if whole else written)
        except Exception as exc:
            message = str(exc) if isinstance(exc, Divergence) else f"{type(exc).__name__}: {exc}"
            when = "at the end, reading every key back" if every_key else f"after `{self.steps[-1]}`"
            self.diverged("contents", f"{when}: {message}")
            return False
        self.read_whole = list(self.handles)
        return True

    def fail_example(self) -> None:
        """End the example as failed, listing its divergences (one place, so
        hypothesis sees one failure and may shrink towards any divergence)."""
        self.stopped = True
        raise ModelDiverged(self.listing())

    # -- handles ---------------------------------------------------------------------
    def handle(self, h: int) -> Any:
        return self.handles[h % len(self.handles)]

    def handle_name(self, h: int) -> str:
        return "store" if h % len(self.handles) == 0 else "second"

    # -- checks ------------------------------------------------------------------------
    def matches(self, got: Any, want: Any) -> bool:
        """Whether ``got`` reads back as ``want`` under the declaration."""
        return same(got, want, bytes_like=self.bytes_like)

    def write(self, store: Any, key: Any, value: Any, what: str) -> None:
        """``store[key] = value`` on both; a store that raises wrote nothing."""
        got = Outcome(lambda: store.__setitem__(key, value))
        if got.error is None:
            self.model.set(key, value)
        check(got.error is None, lambda: f"{what}: dict stores it, the store {got.describe()}")

    def expect_error(self, what: str, got: Outcome, error: type[BaseException], key: Any = _RAISED) -> None:
        """``got`` raised ``error`` (a KeyError carrying ``key`` when given), as dict does."""
        shown = f"KeyError({key!r})" if key is not _RAISED else error.__name__
        check(isinstance(got.error, error), lambda: f"{what}: dict raises {shown}, the store {got.describe()}")
        if key is not _RAISED:
            check(keyerror_carries(got.error, key, self.caps),  # type: ignore[arg-type]
                  lambda: f"{what}: KeyError should carry the key {key!r}, the store {got.describe()}")

    def expect_value(self, what: str, got: Outcome, want: Any) -> None:
        """``got`` returned what reads back as ``want``."""
        check(got.error is None, lambda: f"{what}: dict returns {want!r}, the store {got.describe()}")
        check(self.matches(got.value, want), lambda: f"{what}: dict returns {want!r}, the store {got.describe()}")

    def assert_matches(self, mapping: Any, model: ReferenceModel, what: str, reads: Any = None) -> None:
        """``mapping`` holds exactly ``model``: size, keys (objects and order),
        items, and each key read back with ``in`` and ``[]``: every key, or
        only those whose identity is in ``reads`` when it is given."""
        caps, identity, matches = self.caps, model.identity, self.matches
        if caps.sized:
            size = Outcome(lambda: len(mapping))
            check(size.error is None and size.value == len(model),
                  lambda: f"len({what}) {size.describe()}, dict has {len(model)} keys")
        # Comprehensions, not list(): list() asks len() for a size hint, and
        # len() is a whole scan on some stores (it was checked just above).
        got_keys = [k for k in mapping]
        check(len(got_keys) == len(model),
              lambda: f"iterating {what} gave {len(got_keys)} keys, dict has {len(model)}: {got_keys!r}")
        idents = [identity(k) for k in got_keys]
        check(len(set(idents)) == len(idents), lambda: f"iterating {what} gave a key twice: {got_keys!r}")
        preserved = caps.key_type_preserved
        for k, ident in zip(got_keys, idents):
            entry = model.entry(ident)
            check(entry is not None, lambda: f"iterating {what} gave {k!r}, which is not a key")
            if preserved and k is not entry.key:  # type: ignore[union-attr]
                want_key = model.spelled(entry.key)  # type: ignore[union-attr]
                check(same(k, want_key), lambda: f"the key {want_key!r} came back from {what} as {k!r}")
        order = model.ordered()
        if order is not None:
            check(idents == [identity(e.key) for e in order],
                  lambda: f"order of {what}: dict gives {[model.spelled(e.key) for e in order]!r}, got {got_keys!r}")
        for e in model.entries() if reads is None else model.entries_of(reads):
            key = e.key
            check(key in mapping, lambda: f"{key!r} in {what} is False")
            got = Outcome(lambda: mapping[key])
            if got.error is not None or not matches(got.value, e.value):
                self.expect_value(f"{what}[{key!r}]", got, e.value)
        items = [item for item in mapping.items()]
        check(len(items) == len(model), lambda: f"items() of {what} has {len(items)} items, dict has {len(model)}")
        for k, v in items:
            entry = model.find(k)
            check(entry is not None and matches(v, entry.value),
                  lambda: f"items() of {what} gave {k!r}: {v!r}, dict has {entry!r}")

    def check_plain(self, result: Mapping, plain: dict | None, what: str, ordered: bool) -> None:
        """A plain-dict ``result`` holds ``plain`` (None: a dict cannot hold what it should)."""
        if plain is None:
            return
        check(len(result) == len(plain), lambda: f"{what} has {len(result)} keys, dict has {len(plain)}: {result!r}")
        keys = {k: k for k in result}
        for key, value in plain.items():
            check(key in keys and self.matches(result[key], value), lambda: f"{what}: {key!r} should map to {value!r}: {result!r}")
            if self.caps.key_type_preserved:
                check(same(keys[key], key), lambda: f"{what}: the key {key!r} came back as {keys[key]!r}")
        if ordered:
            check(list(result) == list(plain), lambda: f"order of {what}: dict gives {list(plain)!r}, got {list(result)!r}")

    def check_result(self, result: Any, model: ReferenceModel, what: str, plain: Any = _RAISED) -> None:
        """A mapping the store returned (``|``, ``copy()``) holds ``model``, or,
        if it is a plain dict, ``plain`` (default: the model as a dict)."""
        if type(result) is dict:
            plain = model.python_dict() if plain is _RAISED else plain
            self.check_plain(result, plain, what, ordered=self.caps.ordering == "insertion")
        else:
            self.assert_matches(result, model, what)

    def release(self, result: Any) -> None:
        """Hand a store that an operation returned (``copy()``, ``|``) to ``spec.close``."""
        if isinstance(result, dict) or any(result is h for h in self.handles):
            return
        self.sub.spec.close(result)


class ModelMapping(Mapping):
    """The model as a read-only mapping over spelled keys (for view operations)."""

    def __init__(self, model: ReferenceModel):
        self.model = model

    def __getitem__(self, key: Any) -> Any:
        entry = self.model.find(key)
        if entry is None:
            raise KeyError(key)
        return entry.value

    def __contains__(self, key: object) -> bool:
        return key in self.model

    def __iter__(self) -> Iterator[Any]:
        return (self.model.spelled(e.key) for e in self.model.entries())

    def __len__(self) -> int:
        return len(self.model)
