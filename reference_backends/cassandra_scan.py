"""CassandraDict's scans of its table: whole-table paging, and popitem's scan
from a remembered token (see :class:`TableScans`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cassandra.query import SimpleStatement


class TableScans:
    """Paged scans of the store's table, each page one read at the store's
    consistency level (mixed into CassandraDict, which provides ``_run``,
    ``_qualified``, ``_writes``, ``_scans``, ``_popped_token``, ``fetch_size``
    and ``consistency_level``)."""

    _scans: dict[str, Any]
    _popped_token: int | None
    fetch_size: int
    consistency_level: Any

    def _scan(self, columns: str, fetch_size: int) -> Iterator[Any]:
        statement = self._scans.get(columns)
        if statement is None:
            statement = SimpleStatement(
                f"SELECT {columns} FROM {self._qualified()}",
                fetch_size=fetch_size, consistency_level=self.consistency_level, is_idempotent=True,
            )
            self._scans[columns] = statement
        paging_state = None
        while True:  # page by page, each page one read (retried on its own)
            page = self._run(statement, None, "scan", read=True, paging_state=paging_state)
            yield from page.current_rows
            if not page.has_more_pages:
                return
            paging_state = page.paging_state

    def _candidates(self) -> Iterator[tuple[str, str | None, str]]:
        """Live rows for popitem: from just past the token of the last row this
        store popped round to it again (a hint: any row will do), so draining a
        store does not scan again the dead rows its earlier pops left (linearizable
        mode keeps them for TAKEN_TTL) or the tombstones of fast mode's deletes."""
        select, live = f"SELECT key, spelling, value, token(key) AS t FROM {self._qualified()}", self._writes.live
        after = self._popped_token
        parts: list[tuple[str, Any]] = (
            [(select, None)] if after is None
            else [(select + " WHERE token(key) > %s", (after,)), (select + " WHERE token(key) <= %s", (after,))]
        )
        for cql, params in parts:
            statement = self._scans.get(cql)
            if statement is None:
                statement = self._scans[cql] = SimpleStatement(
                    cql, fetch_size=self.fetch_size, consistency_level=self.consistency_level, is_idempotent=True)
            paging_state = None
            while True:
                page = self._run(statement, params, "popitem scan", read=True, paging_state=paging_state)
                for r in page.current_rows:
                    if live(r.spelling):
                        self._popped_token = r.t
                        yield r.key, r.spelling or None, r.value
                if not page.has_more_pages:
                    break
                paging_state = page.paging_state

