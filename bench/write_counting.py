"""The statements Postgres receives, counted in-process with warm caches (the API key cached, the
connections' statement caches filled by a first run), with the counter the tests use
(tests/integration/statement_counting.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.statement_counting import Statements


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
    counter = Statements()
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
    counter = Statements()
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
