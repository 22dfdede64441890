"""CQL plumbing for CassandraDict: names, consistency levels, replication maps,
the server's size limits, and waiting for schema changes to reach every node."""

from __future__ import annotations

import dataclasses
import re
import time
import weakref
from collections.abc import Mapping
from typing import Any

from cassandra import ConsistencyLevel, InvalidRequest
from cassandra.connection import ConnectionException
from cassandra.policies import RetryPolicy

from .errors import InvalidNameError

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,47}\Z")
#: Room kept in a mutation for the key, column names and framing.
MUTATION_MARGIN = 128 * 1024
#: Attempts (half a second apart) while a node does not know a new keyspace or table yet.
SCHEMA_ATTEMPTS = 40


class NoResendAfterConnectionError(RetryPolicy):
    """The driver's default retry policy, except after a connection error: a
    statement that is not idempotent is then never sent again, the error is
    raised instead.

    The default policy sends any statement to the next node when a connection
    breaks after the statement was sent.  A lightweight transaction that the
    lost coordinator had already applied then runs a second time, finds its own
    change and reports "not applied": a ``pop`` whose row it had just taken
    answered KeyError (a node killed mid-workload on the three-node cluster).
    CassandraDict resolves such an unknown outcome itself, by a SERIAL read."""

    def on_request_error(self, query: Any, consistency: Any, error: Any, retry_num: int) -> tuple[int, Any]:
        if isinstance(error, ConnectionException) and not getattr(query, "is_idempotent", False):
            return self.RETHROW, None
        return super().on_request_error(query, consistency, error, retry_num)


def identifier(kind: str, name: Any) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise InvalidNameError(
            f"invalid {kind} name {name!r}: a CQL identifier is a letter followed by letters, "
            "digits or underscores, at most 48 characters"
        )
    return name


def consistency(level: Any) -> int:
    if isinstance(level, str):
        try:
            return getattr(ConsistencyLevel, level.upper())
        except AttributeError:
            raise ValueError(f"unknown consistency level {level!r}") from None
    if level not in ConsistencyLevel.value_to_name:
        raise ValueError(f"unknown consistency level {level!r}")
    return level


def replication_cql(replication: Mapping[str, Any]) -> str:
    parts = []
    for name, value in replication.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.]+", name):
            raise ValueError(f"invalid replication option name {name!r}")
        text = str(value)
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", text):
            raise ValueError(f"invalid replication option value {value!r} for {name!r}")
        parts.append(f"'{name}': '{text}'")
    return "{" + ", ".join(parts) + "}"


@dataclasses.dataclass(frozen=True)
class ServerLimits:
    """Sizes the server refuses, in bytes (from ``system_views.settings`` when it exists)."""

    max_mutation: int = 16 * 1024 * 1024
    max_message: int = 16 * 1024 * 1024
    batch_fail: int = 50 * 1024

    @property
    def max_row(self) -> int:
        """The most bytes of key, spelling and value one row may hold."""
        return min(self.max_mutation, self.max_message) - MUTATION_MARGIN


_SIZE = re.compile(r"(\d+)\s*([KMG]?i?B)?\Z")
_UNITS = {None: 1, "B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "KB": 1024, "MB": 1024**2}


def _bytes(text: str) -> int | None:
    match = _SIZE.match(text.strip())
    if not match or match.group(2) not in _UNITS:
        return None
    return int(match.group(1)) * _UNITS[match.group(2)]


#: Per session: the server's limits and the prepared statements, shared by its stores.
_SESSION_CACHE: "weakref.WeakKeyDictionary[Any, dict[Any, Any]]" = weakref.WeakKeyDictionary()


def session_cache(session: Any) -> dict[Any, Any]:
    try:
        return _SESSION_CACHE.setdefault(session, {})
    except TypeError:  # not weak-referenceable (a test double): no sharing
        return {}


def read_limits(session: Any) -> ServerLimits:
    values = {}
    try:
        rows = session.execute(
            "SELECT name, value FROM system_views.settings "
            "WHERE name IN ('max_mutation_size', 'native_transport_max_message_size', 'batch_size_fail_threshold')"
        )
        values = {row.name: _bytes(row.value or "") for row in rows}
    except Exception:  # Cassandra before 4.0 has no settings table: the defaults
        pass
    defaults = ServerLimits()
    return ServerLimits(
        max_mutation=values.get("max_mutation_size") or defaults.max_mutation,
        max_message=values.get("native_transport_max_message_size") or defaults.max_message,
        batch_fail=values.get("batch_size_fail_threshold") or defaults.batch_fail,
    )


def schema_retry(call: Any) -> Any:
    """``call()``, again while a node answers that the keyspace or table does not
    exist yet (a schema change reaches the nodes one by one)."""
    for attempt in range(SCHEMA_ATTEMPTS):
        try:
            return call()
        except InvalidRequest as exc:
            if "exist" not in str(exc) or attempt == SCHEMA_ATTEMPTS - 1:
                raise
            time.sleep(0.5)


#: Cassandra's partition key limit (an unsigned short length).
MAX_KEY_BYTES = 65535
#: Bytes counted per row of a logged batch beyond its values, and rows per batch at most.
BATCH_ROW_OVERHEAD = 128
BATCH_MAX_ROWS = 1000


def check_sizes(limits: ServerLimits, identity: str, spelling: str | None, text: str, where: str) -> None:
    """ValueError, before anything is written, for a key or row the server would refuse."""
    key_bytes = len(identity.encode())
    if key_bytes > MAX_KEY_BYTES:
        raise ValueError(
            f"{where}: key {identity[:60]}... is {key_bytes} bytes as JSON; "
            f"Cassandra's limit is {MAX_KEY_BYTES} (nothing was written)"
        )
    size = key_bytes + len(text.encode()) + (len(spelling.encode()) if spelling else 0)
    if size > limits.max_row:
        raise ValueError(
            f"{where}: the value of key {identity[:60]} is {size} bytes as JSON; this server "
            f"takes at most {limits.max_row} per key and value (max_mutation_size "
            f"{limits.max_mutation}, native_transport_max_message_size {limits.max_message}, "
            f"less {MUTATION_MARGIN}; nothing was written)"
        )


Write = tuple[str, tuple[Any, ...]]


def batches(limits: ServerLimits, writes: list[Write]) -> list[list[Write]]:
    """``writes`` cut, in order, into groups that each fit one logged batch: the
    server refuses a batch over ``batch_size_fail_threshold`` (counted with
    per-row overhead, hence the margin and :data:`BATCH_ROW_OVERHEAD`)."""
    budget = limits.batch_fail // 2
    groups: list[list[Write]] = [[]]
    used = 0
    for write in writes:
        size = BATCH_ROW_OVERHEAD + sum(len(str(p).encode()) for p in write[1])
        if groups[-1] and (used + size > budget or len(groups[-1]) >= BATCH_MAX_ROWS):
            groups.append([])
            used = 0
        groups[-1].append(write)
        used += size
    return groups
