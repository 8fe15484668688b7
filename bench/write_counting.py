"""The statements Postgres receives, counted in-process with warm caches (the API key cached, the
connections' statement caches filled by a first run), as the tests count them: asyncpg's query loggers see
transaction control and the statements sent on the driver itself (several in one query text count
each); SQLAlchemy's events see its own
(prepared) statements, which asyncpg's loggers miss. A plain executemany counts once per parameter set
(Postgres runs it that many times); an "insertmanyvalues" batch, one statement with many rows, once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

DRIVER_CACHE_FILLS = ("typeinfo_tree", "current_setting('jit')", "set_config('jit'")


class Counter:
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

    def attach(self, engine: AsyncEngine) -> None:
        """On a fresh engine: every connection it opens gets the asyncpg logger."""
        sync = engine.sync_engine
        event.listen(
            sync, "connect", lambda dbapi, _rec: dbapi.driver_connection.add_query_logger(self.logged)
        )
        event.listen(sync, "before_cursor_execute", self.executed)


def statements_of_request(
    url: str, key: str, document: str, variables: dict[str, Any], warm: dict[str, Any] | None = None
) -> list[str]:
    """Every statement of one GraphQL request over ASGI (the mutation's and the audit log's), after a
    first request (with `warm`, else the same variables) has filled the caches."""
    return asyncio.run(_request(url, key, document, variables, warm or variables))


async def _request(
    url: str, key: str, document: str, variables: dict[str, Any], warm: dict[str, Any]
) -> list[str]:
    import httpx

    from server.app import create_app
    from server.settings import Settings

    settings = Settings(**{**Settings.from_env().__dict__, "database_url": url})
    app = create_app(settings, url)
    counter = Counter()
    counter.attach(app.state.engine)
    app.state.reads.watch(counter.logged)
    body = {"query": document, "variables": variables}
    headers = {"Authorization": f"Bearer {key}"}
    first_body = {"query": document, "variables": warm}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            first = (await client.post("/graphql", json=first_body, headers=headers)).json()
            if "errors" in first:
                raise SystemExit(f"the request failed: {first}")
            await asyncio.sleep(0.05)
            counter.seen.clear()
            await client.post("/graphql", json=body, headers=headers)
            await asyncio.sleep(0.05)  # asyncpg hands records to its loggers on a later loop turn
    finally:
        await app.state.reads.close()
        await app.state.engine.dispose()
    return counter.seen


def statements_of_use_case(url: str, run: Callable[[AsyncEngine], Awaitable[Any]]) -> list[str]:
    """Every statement of one call of a domain use case (its unit of work), the second of two."""
    return asyncio.run(_use_case(url, run))


async def _use_case(url: str, run: Callable[[AsyncEngine], Awaitable[Any]]) -> list[str]:
    from domain.db import make_engine

    engine = make_engine(url, pool_size=1, max_overflow=0)
    counter = Counter()
    counter.attach(engine)
    try:
        await run(engine)
        await asyncio.sleep(0.05)
        counter.seen.clear()
        await run(engine)
        await asyncio.sleep(0.05)
    finally:
        await engine.dispose()
    return counter.seen
