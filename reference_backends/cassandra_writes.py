"""CassandraDict's two write paths: every row of a table is written by one of them only.

Cassandra's lightweight transactions (LWT, ``... IF ...``) take their write
timestamps from Paxos ballots on the server; plain writes take whatever
timestamp the request carries.  Mixing the two on one row lets a clock 20 ms
off silently drop a write, so a table belongs to one path for its whole life
(the mode is written in the table's comment and checked on open):

* :class:`LinearizableWrites`: every mutation is an LWT.  Rows are never
  deleted by a mutation: ``del``/``pop``/``popitem`` turn a row *dead*
  (``value`` and ``spelling`` null, ``taken`` = the operation's UUID, expiring
  after :data:`TAKEN_TTL` seconds), so that a pop whose outcome is unknown
  (timeout) can tell whether it was its own by a SERIAL read.  A live row
  always has a spelling (``''`` for a key whose spelling is its identity).
* :class:`FastWrites`: plain writes with timestamps given by the coordinator
  (never the client's clock), last write wins; read-modify-write operations
  are a read then a write, not atomic.  A live row is any row (plain deletes).

Both receive the store (for its prepared statements and its ``_run``) and
implement StoreBase's mutating primitives.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .cassandra import CassandraDict

#: Attempts of one conditional write before giving up under contention.
LWT_ATTEMPTS = 64
#: Seconds a dead row keeps the UUID of the operation that took it.
TAKEN_TTL = 3600
#: LWTs a linearizable clear() keeps in flight (keys are independent partitions).
CLEAR_CONCURRENCY = 16

Row = tuple[str, str | None, str]


class ContentionError(RuntimeError):
    """A conditional write lost to concurrent writers :data:`LWT_ATTEMPTS` times in a row."""


def _backoff(attempt: int) -> None:
    if attempt:
        time.sleep(min(0.05, 0.001 * attempt))


class LinearizableWrites:
    """Every mutation through a lightweight transaction (see the module)."""

    mode = "linearizable"

    def __init__(self, store: "CassandraDict") -> None:
        self.s = store

    # A row is live when its spelling is not null; '' stands for "same as the identity".
    @staticmethod
    def live(spelling: str | None) -> bool:
        return spelling is not None

    def statements(self, t: str) -> dict[str, tuple[str, bool]]:
        """name -> (CQL, is a lightweight transaction)."""
        return {
            "set_new": (f"UPDATE {t} SET value = ?, spelling = ? WHERE key = ? IF spelling IN (null, ?)", True),
            "set_keep": (f"UPDATE {t} SET value = ? WHERE key = ? IF spelling = ?", True),
            "set_absent": (f"UPDATE {t} SET value = ?, spelling = ? WHERE key = ? IF value = null", True),
            "take": (
                f"UPDATE {t} USING TTL {TAKEN_TTL} SET value = null, spelling = null, taken = ? "
                "WHERE key = ? IF value = ?", True,
            ),
            "has": (f"SELECT spelling FROM {t} WHERE key = ?", False),
            "serial_get": (f"SELECT value, spelling, taken FROM {t} WHERE key = ?", False),
        }

    # -- primitives ---------------------------------------------------------
    def store(self, identity: str, spelling: str | None, text: str) -> None:
        mine = spelling or ""
        result = self.s._lwt("set_new", (text, mine, identity, mine), identity,
                             resolve=lambda row: row is not None and row.value == text)
        for attempt in range(LWT_ATTEMPTS):
            if result is True or result.was_applied:
                return
            _backoff(attempt)
            current = result.one().spelling
            if current is None:  # the row died meanwhile: it is a new key again
                result = self.s._lwt("set_new", (text, mine, identity, mine), identity,
                                     resolve=lambda row: row is not None and row.value == text)
            else:  # an existing key keeps the spelling it was first inserted with
                result = self.s._lwt("set_keep", (text, identity, current), identity,
                                     resolve=lambda row: row is not None and row.value == text)
        raise ContentionError(f"{self.s._describe()}: writing {identity} lost to concurrent writers")

    def store_absent(self, identity: str, spelling: str | None, text: str) -> str | None:
        """None when this call stored ``text``, else the value stored already.
        After a timeout the SERIAL read decides; a stored value equal to ``text``
        is then taken as this call's (the two cannot be told apart)."""
        for attempt in range(LWT_ATTEMPTS):
            _backoff(attempt)
            result = self.s._lwt("set_absent", (text, spelling or "", identity), identity,
                                 resolve=lambda row: row is not None and row.value is not None)
            if result is True:  # resolved after a timeout: whatever is stored now answers
                row = self.s._serial_row(identity)
                if row is not None and row.value is not None:
                    return None if row.value == text else row.value
                continue
            if result.was_applied:
                return None
            current = result.one().value
            if current is not None:
                return current
        raise ContentionError(f"{self.s._describe()}: setdefault on {identity} lost to concurrent writers")

    def take(self, identity: str, text: str | None = None) -> str | None:
        """Kill the row and return the value it held (None if absent).
        ``text``: the value already read, if any."""
        if text is None:
            text = self.s._load(identity)
        for attempt in range(LWT_ATTEMPTS):
            if text is None:
                return None
            _backoff(attempt)
            mark = uuid.uuid4()
            result = self.s._lwt("take", (mark, identity, text), identity,
                                 resolve=lambda row: row is not None and row.taken == mark)
            if result is True or result.was_applied:
                return text
            text = result.one().value
        raise ContentionError(f"{self.s._describe()}: pop of {identity} lost to concurrent writers")

    def remove(self, identity: str) -> bool:
        return self.take(identity) is not None

    def take_item(self) -> Row | None:
        for attempt in range(LWT_ATTEMPTS):
            _backoff(attempt)
            row = next(self.s._candidates(), None)
            if row is None:
                return None
            identity, spelling, text = row
            if self.take(identity, text) == text:
                return identity, spelling, text
        raise ContentionError(f"{self.s._describe()}: popitem() lost to concurrent writers")

    def take_all(self, rows: Iterable[tuple[str, str | None, str | None]]) -> None:
        """Take every row of ``rows`` (a scan), :data:`CLEAR_CONCURRENCY` at a
        time; the first error raises once the batch in flight is done."""
        rows = iter(rows)
        with ThreadPoolExecutor(CLEAR_CONCURRENCY, thread_name_prefix="pdict-clear") as pool:
            while chunk := list(itertools.islice(rows, CLEAR_CONCURRENCY * 8)):
                # list(): wait for the chunk and raise its first error
                list(pool.map(lambda row: self.take(row[0], row[2]), chunk))

    def update(self, rows: Iterable[tuple[str, str | None, str]]) -> None:
        """One LWT per key, in order (LWT batches are limited to one partition)."""
        for identity, spelling, text in rows:
            self.store(identity, spelling, text)


class FastWrites:
    """Plain writes, coordinator timestamps, last write wins (see the module)."""

    mode = "fast"

    def __init__(self, store: "CassandraDict") -> None:
        self.s = store

    @staticmethod
    def live(spelling: str | None) -> bool:
        return True

    def statements(self, t: str) -> dict[str, tuple[str, bool]]:
        return {
            "set": (f"UPDATE {t} SET value = ? WHERE key = ?", False),
            "set_spelled": (f"UPDATE {t} SET value = ?, spelling = ? WHERE key = ?", False),
            "delete": (f"DELETE FROM {t} WHERE key = ?", False),
            "has": (f"SELECT key FROM {t} WHERE key = ?", False),
        }

    def _write(self, identity: str, spelling: str | None, text: str) -> tuple[str, tuple[Any, ...]]:
        """The statement and parameters that store one row: a key spelled unlike its
        identity takes its spelling only if it is new (read first; not atomic)."""
        if spelling is not None and not self.s._has(identity):
            return "set_spelled", (text, spelling, identity)
        return "set", (text, identity)

    def store(self, identity: str, spelling: str | None, text: str) -> None:
        self.s._run_named(*self._write(identity, spelling, text))

    def store_absent(self, identity: str, spelling: str | None, text: str) -> str | None:
        """A read, then a plain write if absent (not atomic: fast mode declares
        atomic_rmw="none"); None when this call wrote ``text``."""
        current = self.s._load(identity)
        if current is not None:
            return current
        self.s._run_named("set_spelled" if spelling is not None else "set",
                          (text, spelling, identity) if spelling is not None else (text, identity))
        return None

    def take(self, identity: str, text: str | None = None) -> str | None:
        if text is None:
            text = self.s._load(identity)
        if text is not None:
            self.s._run_named("delete", (identity,))
        return text

    def remove(self, identity: str) -> bool:
        if not self.s._has(identity):
            return False
        self.s._run_named("delete", (identity,))
        return True

    def take_item(self) -> Row | None:
        row = next(self.s._candidates(), None)
        if row is None:
            return None
        self.s._run_named("delete", (row[0],))
        return row  # type: ignore[return-value]

    def update(self, rows: Iterable[tuple[str, str | None, str]]) -> None:
        """One logged batch (all or nothing) when the rows fit the server's batch
        limit; otherwise several logged batches in order, each all or nothing."""
        for batch in self.s._batches([self._write(*row) for row in rows]):
            self.s._run_batch(batch)


WRITE_PATHS = {cls.mode: cls for cls in (LinearizableWrites, FastWrites)}
