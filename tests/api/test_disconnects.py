"""A client that hangs up stops its read in the database, and leaves no transaction open; a write it
started still happens. Real uvicorn, a real socket that closes, and pg_stat_activity to see the rest."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from server.app import create_app
from server.settings import Settings
from tests.api.live import serving

ORDERS = "{ orders(first: 5) { nodes { id number } } }"
LOCATION = 'mutation { locationCreate(input: {name: "Annex"}) { location { id } userErrors { code } } }'


def _requests_only(settings: Settings) -> Settings:
    """The app without its background loops: some read orders (the sales rollup, approval deadlines,
    reordering) and would wait on the table these tests lock too, where only requests are watched."""
    return Settings(**{**settings.__dict__, "workers_in_serve": False})


async def _until(check: Callable[[], Awaitable[object]], seconds: float = 10) -> bool:
    async def poll() -> None:
        while not await check():  # noqa: ASYNC110 - polling Postgres, which offers no event
            await asyncio.sleep(0.05)

    try:
        await asyncio.wait_for(poll(), seconds)
    except TimeoutError:
        return False
    return True


async def _post_and_hang_up_later(port: int, key: str, query: str) -> asyncio.StreamWriter:
    """Sends the whole request on a raw socket and returns its writer, to close when the test says."""
    body = json.dumps({"query": query}).encode()
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {key}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + body)
    await writer.drain()
    return writer


async def _blocked_on(observer: asyncpg.Connection, database: str, table: str) -> int:
    """How many of the app's statements against `table` wait for the lock the test holds."""
    return await observer.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' "
        "AND query ILIKE $2",
        database,
        f"%{table}%",
    )


async def _idle_in_transaction(observer: asyncpg.Connection, database: str, but: int) -> int:
    """Connections left idle inside a transaction, but the test's own (`but`, holding the lock)."""
    return await observer.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%' "
        "AND pid <> $2",
        database,
        but,
    )


@dataclass
class Locked:
    """A table held in ACCESS EXCLUSIVE mode by one superuser connection, and another to watch with."""

    locker: asyncpg.Connection
    observer: asyncpg.Connection
    holding: Any

    async def release(self) -> None:
        await self.holding.rollback()


@contextlib.asynccontextmanager
async def locked(superuser_url: str, table: str) -> AsyncIterator[Locked]:
    locker = await asyncpg.connect(superuser_url)
    observer = await asyncpg.connect(superuser_url)
    try:
        holding = locker.transaction()
        await holding.start()
        await locker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield Locked(locker, observer, holding)
    finally:
        await locker.close()
        await observer.close()


async def test_a_read_whose_client_hangs_up_stops_in_the_database(
    db, database_url, superuser_url, app_settings, tenant
):
    database = make_url(database_url).database or ""
    async with serving(create_app(_requests_only(app_settings), database_url)) as server:
        # Far below the 15 s statement timeout, the read can only end by being cancelled.
        async with locked(superuser_url, "orders") as lock:
            writer = await _post_and_hang_up_later(server.port, tenant.admin, ORDERS)
            waiting = await _until(lambda: _blocked(lock.observer, database))
            writer.close()
            stopped = await _until(lambda: _none_blocked(lock.observer, database), seconds=5)
            idle = await _idle_in_transaction(lock.observer, database, but=lock.locker.get_server_pid())
            await lock.release()
        after = await server.api(tenant.admin, ORDERS)

    assert waiting, "the read never reached the database"
    assert stopped, "the read went on waiting after its client had gone"
    assert idle == 0
    assert after["data"]["orders"]["nodes"] == []  # the connection went back to the pool fit to use


async def test_a_write_whose_client_hangs_up_still_commits(
    db, database_url, superuser_url, app_settings, tenant
):
    database = make_url(database_url).database or ""
    async with serving(create_app(_requests_only(app_settings), database_url)) as server:
        async with locked(superuser_url, "locations") as lock:
            writer = await _post_and_hang_up_later(server.port, tenant.admin, LOCATION)
            waiting = await _until(lambda: _blocked_on_locations(lock.observer, database))
            writer.close()
            await asyncio.sleep(0.5)  # time enough for a cancellation, were there one
            still_waiting = await _blocked_on_locations(lock.observer, database)
            await lock.release()
            listed = await _until(lambda: _annex_exists(lock.observer))

    assert waiting, "the write never reached the database"
    assert still_waiting == 1
    assert listed, "the write was dropped with its client"


async def _blocked(observer: asyncpg.Connection, database: str) -> bool:
    return await _blocked_on(observer, database, "orders") >= 1


async def _none_blocked(observer: asyncpg.Connection, database: str) -> bool:
    return await _blocked_on(observer, database, "orders") == 0


async def _blocked_on_locations(observer: asyncpg.Connection, database: str) -> int:
    return await _blocked_on(observer, database, "locations")


async def _annex_exists(observer: asyncpg.Connection) -> bool:
    return bool(await observer.fetchval("SELECT count(*) FROM locations WHERE name = 'Annex'"))
