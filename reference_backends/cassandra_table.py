"""The table a CassandraDict lives in: its layout, and the check that a table is one.

Layout: ``key text PRIMARY KEY`` (the key's identity), ``spelling text``, ``value
text``, ``taken uuid``; the table's comment names the write mode it was made
for, so that a table keeps one write path for its whole life.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from .cassandra_cql import SCHEMA_ATTEMPTS, schema_retry
from .errors import IncompatibleStoreError

COLUMNS = {"key": "text", "spelling": "text", "value": "text", "taken": "uuid"}
COMMENT = "pdict CassandraDict table, mode={}"


def create_table(session: Any, keyspace: str, table: str, mode: str, replication_text: str, where: str) -> None:
    """Make sure the table is one CassandraDict made, in ``mode``.

    A table the node asked already holds, as :func:`check_table` wants it, costs
    two reads of that node's schema and no schema statement.  Otherwise the
    keyspace and table are created if absent, then :func:`check_table` runs
    (waiting for schema agreement while the node asked has not seen the new
    table)."""
    with contextlib.suppress(IncompatibleStoreError):
        check_table(session, keyspace, table, mode, where)
        return
    columns = ", ".join(f"{name} {kind}" + (" PRIMARY KEY" if name == "key" else "") for name, kind in COLUMNS.items())
    statements = [
        f'CREATE KEYSPACE IF NOT EXISTS "{keyspace}" WITH replication = {replication_text}',
        f'CREATE TABLE IF NOT EXISTS "{keyspace}"."{table}" ({columns}) '
        f"WITH comment = '{COMMENT.format(mode)}'",
    ]
    for cql in statements:
        schema_retry(lambda: session.execute(cql, timeout=60))
    for attempt in range(SCHEMA_ATTEMPTS):
        try:
            check_table(session, keyspace, table, mode, where)
            return
        except IncompatibleStoreError:
            if attempt == SCHEMA_ATTEMPTS - 1:
                raise
            with contextlib.suppress(Exception):
                session.cluster.control_connection.wait_for_schema_agreement(wait_time=5)
            time.sleep(0.5)


def check_table(session: Any, keyspace: str, table: str, mode: str, where: str) -> None:
    """IncompatibleStoreError unless the table is one CassandraDict made, in ``mode``."""
    found = {
        row.column_name: row.type
        for row in session.execute(
            "SELECT column_name, type FROM system_schema.columns WHERE keyspace_name = %s AND table_name = %s",
            (keyspace, table),
        )
    }
    row = session.execute(
        "SELECT comment FROM system_schema.tables WHERE keyspace_name = %s AND table_name = %s",
        (keyspace, table),
    ).one()
    comment = row.comment if row else ""
    if found != COLUMNS or not comment.startswith(COMMENT.format("")):
        raise IncompatibleStoreError(
            f"{where}: the table exists and was not made by CassandraDict (columns {found}, comment {comment!r})"
        )
    made_for = comment[len(COMMENT.format("")):]
    if made_for != mode:
        raise IncompatibleStoreError(
            f"{where}: the table is written in {made_for} mode; open it with mode={made_for!r} "
            "(one write path per table: mixing lightweight transactions and plain writes loses writes)"
        )
