"""Counting what Postgres receives from a use case: asyncpg's query loggers see transaction control and the
statements sent on the driver itself; SQLAlchemy's events see its own (prepared) statements, which
asyncpg's loggers miss. A plain executemany counts once per parameter set (Postgres runs it that many
times); an "insertmanyvalues" batch, one statement with many rows, once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event

from domain.db import make_engine

DRIVER_CACHE_FILLS = ("typeinfo_tree", "current_setting('jit')", "set_config('jit'")


class Statements:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self._many: set[str] = set()

    def logged(self, record: Any) -> None:
        # SQLAlchemy runs an executemany through asyncpg's, which logs it too: counted in executed().
        if record.query not in self._many and not any(m in record.query for m in DRIVER_CACHE_FILLS):
            # A query without parameters may hold several statements (BEGIN with the tenant's settings,
            # in one round trip): each counts.
            parts = [p for p in record.query.split(";") if p.strip()] if not record.args else [record.query]
            self.seen.extend(parts)

    def executed(self, _c: Any, _cur: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if many and context.execute_style.name == "EXECUTEMANY":
            self._many.add(statement)
            self.seen.extend([statement] * len(parameters))
        else:
            self.seen.append(statement)

    def __len__(self) -> int:
        return len(self.seen)

    def attach(self, engine: Any) -> None:
        """On a fresh engine: every connection it opens gets the asyncpg logger."""
        sync = engine.sync_engine
        event.listen(
            sync, "connect", lambda dbapi, _rec: dbapi.driver_connection.add_query_logger(self.logged)
        )
        event.listen(sync, "before_cursor_execute", self.executed)


@asynccontextmanager
async def counted_engine(database_url: str) -> AsyncIterator[tuple[Any, Statements]]:
    """An engine of one connection whose every statement is counted in the Statements."""
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    statements = Statements()
    statements.attach(engine)
    try:
        yield engine, statements
    finally:
        await engine.dispose()
