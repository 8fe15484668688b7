"""Counting the SQL statements a request sends, for the tests that hold reads to a fixed number."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

DRIVER_CACHE_FILLS = ("typeinfo_tree", "current_setting('jit')", "set_config('jit'")


class Statements:
    """What Postgres receives: the read path's statements and transaction control as asyncpg logs
    them, plus SQLAlchemy's own statements (it runs them as prepared statements, which asyncpg's
    query logger does not see)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, record) -> None:
        # asyncpg looks up a type's codec the first time each connection meets it (with JIT off
        # around it): a per-connection cache fill, not work a request does again.
        if not any(marker in record.query for marker in DRIVER_CACHE_FILLS):
            self.seen.append(record.query)

    def sqlalchemy(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seen.append(statement)

    def __len__(self) -> int:
        return len(self.seen)


@contextmanager
def counting(api) -> Iterator[Statements]:
    """Counts every statement sent on the app's connections while the block runs."""
    statements = Statements()
    reads = api.app.state.reads
    reads.watch(statements)
    event.listen(api.engine.sync_engine, "before_cursor_execute", statements.sqlalchemy)
    try:
        yield statements
    finally:
        reads.unwatch(statements)
        event.remove(api.engine.sync_engine, "before_cursor_execute", statements.sqlalchemy)


async def statements_for(api, key, document, **variables) -> int:
    """Statements for one request, once the connection's statement and type caches are warm."""
    await api(key, document, **variables)
    with counting(api) as statements:
        body = await api(key, document, **variables)
        await asyncio.sleep(0)  # asyncpg hands records to its loggers on the next loop turn
    assert "errors" not in body, body
    assert len(statements) > 0, "nothing was counted: the counter is not watching the app's connections"
    return len(statements)
