"""The query-cost buckets shared through Redis (BATON_REDIS_URL) instead of Postgres: a real
redis-server, started by the test on a port of its own."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as redis

from domain.limits.budgets import Budgets
from domain.limits.redis_levels import RedisLevels, key_name
from domain.reading import plain_dsn
from server.throttle import sync_budgets
from tests.api.conftest import Api
from tests.api.live import free_port
from tests.api.test_rate_limits import assert_one_budget, spend_across_instances
from tests.api.test_rate_limits import sync as postgres_sync
from tests.db_helpers import system_connection

SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(SERVER is None, reason="redis-server is not installed on this machine")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    port = free_port()
    assert SERVER is not None
    process = subprocess.Popen(
        [SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"

    async def ready() -> None:
        client = redis.from_url(url)
        try:
            for _ in range(200):
                with contextlib.suppress(redis.ConnectionError):
                    if await client.ping():
                        return
                await asyncio.sleep(0.025)
            raise AssertionError("redis-server did not start")
        finally:
            await client.aclose()

    try:
        asyncio.run(ready())
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.Redis]:
    connection = redis.from_url(redis_url)
    await connection.flushdb()
    yield connection
    await connection.aclose()


async def sync(api: Api, client: redis.Redis) -> None:
    await api.app.state.budgets.sync(RedisLevels(client))


async def test_two_app_instances_share_one_keys_budget_through_redis(
    db, database_url, app_settings, tenant, client
):
    async def reconcile(api: Api) -> None:
        await sync(api, client)

    async for shared in spend_across_instances(database_url, app_settings, tenant.admin, reconcile):
        rows = await _rate_bucket_rows(database_url)
        await postgres_sync(shared.first, database_url)  # for contrast: the Postgres way writes the key's row
        rows_after_postgres_sync = await _rate_bucket_rows(database_url)
        assert_one_budget(shared)
        assert (rows, rows_after_postgres_sync) == (0, 1)  # nothing went through Postgres


async def test_a_shared_level_drains_at_the_restore_rate_and_never_passes_its_cap(client):
    levels = RedisLevels(client)
    key, tenant = uuid.uuid4(), uuid.uuid4()

    first = await levels.add([(key, tenant, 150.0)], 200.0, 100.0)
    await asyncio.sleep(0.5)  # drains about 50
    drained = await levels.add([(key, tenant, 0.0)], 200.0, 100.0)
    capped = await levels.add([(key, tenant, 1_000.0)], 200.0, 100.0)
    ttl = await client.ttl(key_name(tenant, key))

    assert first == {key: 150.0}
    assert 40.0 <= 150.0 - drained[key] <= 150.0  # at least the half second's worth
    assert capped == {key: 200.0}
    assert 0 < ttl <= 2 + 60  # gone once drained (200 at 100 a second), with a minute to spare


async def test_the_background_sync_uses_redis_when_a_url_is_set(redis_url, client):
    budgets = Budgets(100, 1)
    key, tenant = uuid.uuid4(), uuid.uuid4()
    assert budgets.charge(key, tenant, 30).allowed
    # no database at this address: were it used, the sync would fail and write nothing to Redis
    syncing = asyncio.create_task(
        sync_budgets(budgets, "postgresql://nobody@127.0.0.1:9/none", 0.02, redis_url)
    )
    try:
        for _ in range(200):
            if await client.exists(key_name(tenant, key)):
                break
            await asyncio.sleep(0.025)
    finally:
        syncing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await syncing

    used = float(await client.hget(key_name(tenant, key), "used") or 0)
    assert 29.0 <= used <= 30.0


async def _rate_bucket_rows(database_url: str) -> int:
    conn = await system_connection(plain_dsn(database_url))  # every tenant's rows
    try:
        return await conn.fetchval("SELECT count(*) FROM rate_buckets")
    finally:
        await conn.close()
