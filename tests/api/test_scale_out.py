"""Scale-out on one Postgres: three `baton serve` replicas and a `baton worker`, all through one
PgBouncer in transaction pooling mode (Debian's package), LISTEN, the workers and migrations straight
to Postgres (BATON_DATABASE_DIRECT_URL). A burst of orders spread over the replicas: no errors, no
oversell, every order created once, the events reach a subscriber on another replica, and Postgres
never holds more of Baton's connections than the budget says."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.api.conftest import open_shop
from tests.api.documents import ORDER_CREATE, order_input, set_stock, stock_of
from tests.api.live import EVENTS, Socket
from tests.api.pgbouncer import pgbouncer
from tests.api.processes import Process, baton_serve
from tests.conftest import APP_ROLE, ROOT

pytestmark = pytest.mark.integration

REPLICAS = 3
BUDGET = 10  # BATON_DB_CONNECTIONS of each replica: LISTEN 1, rate limits 1, then 4 writes and 4 reads
DIRECT = 2  # of those, straight to Postgres (LISTEN, rate limits); the rest through PgBouncer
WORKER = 6  # `baton worker`: one straight connection per loop (relay, pruning, webhooks, sales rollup,
# forecasts) and one for the use cases of overdue approvals and reordering
POOL = 8  # PgBouncer's server connections for the database, shared by 3 x 8 client connections
STEADY = POOL + REPLICAS * DIRECT + WORKER  # what Postgres may hold of Baton's, serving: 20
ORDERS, STOCK = 200, 150


@pytest.fixture
async def role(db, superuser_url: str) -> AsyncIterator[str]:
    """A role of Baton's own for this test, so that pg_stat_activity tells its connections from the
    tests'; with the test role's rights. Its CONNECTION LIMIT is a guard rail: the steady budget and
    a start-up connection per process (the role check, then migrations, one at a time)."""
    name = f"baton_scale_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(superuser_url)
    try:
        limit = STEADY + REPLICAS + 1
        await admin.execute(f"CREATE ROLE {name} LOGIN CONNECTION LIMIT {limit} IN ROLE {APP_ROLE}")
        yield name
    finally:
        await admin.execute(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{name}'"
        )
        await admin.execute(f"DROP ROLE IF EXISTS {name}")
        await admin.close()


@contextlib.asynccontextmanager
async def baton_worker(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        "worker",
        cwd=ROOT,
        env={**os.environ, "BATON_LOG_LEVEL": "warning", **env},
    )
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.wait(), 10) == 0


class Sampler:
    """The most connections Postgres held for `role` at once, sampled every 20 ms."""

    def __init__(self, superuser_url: str, role: str) -> None:
        self.url, self.role, self.most = superuser_url, role, 0

    async def run(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            while True:
                found = await conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE usename = $1", self.role
                )
                self.most = max(self.most, found)
                await asyncio.sleep(0.02)
        finally:
            await conn.close()


async def test_three_replicas_and_a_worker_through_pgbouncer_take_a_burst_of_orders_within_budget(
    role, superuser_url, database_url, tenant
):
    direct = make_url(database_url).set(username=role).render_as_string(hide_password=False)
    async with pgbouncer(direct, [role], POOL) as pooled:
        env = {
            "BATON_DATABASE_DIRECT_URL": direct,
            "BATON_PGBOUNCER": "1",
            "BATON_DB_CONNECTIONS": str(BUDGET),
            "BATON_WORKERS_IN_SERVE": "0",
        }
        async with contextlib.AsyncExitStack() as stack:
            replicas: list[Process] = list(
                await asyncio.gather(
                    *(stack.enter_async_context(baton_serve(pooled, **env)) for _ in range(REPLICAS))
                )
            )
            await stack.enter_async_context(baton_worker({**env, "DATABASE_URL": pooled}))
            first, last = replicas[0], replicas[-1]
            shop = await open_shop(first.api, tenant)
            await set_stock(first.api, shop.admin, "TEE", shop.location_id, STOCK)

            sampler = Sampler(superuser_url, role)
            sampling = asyncio.create_task(sampler.run())
            async with Socket.open(last.ws_url, shop.admin) as sock:
                op = await sock.subscribe(EVENTS, types=["ORDER_CREATED"])
                await asyncio.sleep(0.3)

                async def place(i: int) -> dict:
                    replica = replicas[i % REPLICAS]
                    line = order_input([("TEE", 1)], idempotencyKey=f"burst-{i}")
                    return await replica.api(shop.admin, ORDER_CREATE, input=line)

                answers = await asyncio.gather(*(place(i) for i in range(ORDERS)))
                assert [a for a in answers if "errors" in a] == []
                payloads = [a["data"]["orderCreate"] for a in answers]
                created = [p["order"] for p in payloads if p["order"] is not None]
                refused = [p["userErrors"] for p in payloads if p["order"] is None]
                assert len(created) == STOCK, refused[:3]
                assert all(
                    codes and {e["code"] for e in codes} == {"INSUFFICIENT_STOCK"} for codes in refused
                )
                assert sorted(int(o["number"][1:]) for o in created) == list(range(1001, 1001 + STOCK))

                seen: set[str] = set()
                while len(seen) < STOCK:
                    seen.add((await sock.next(op, wait=20))["events"]["aggregateId"])
                assert seen == {o["id"] for o in created}
            sampling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampling

            stock = await stock_of(last.api, shop.admin, "TEE")
            assert (stock["onHand"], stock["committed"], stock["available"]) == (STOCK, STOCK, 0)
            first_created = next(i for i, p in enumerate(payloads) if p["order"] is not None)
            again = await last.api(
                shop.admin,
                ORDER_CREATE,
                input=order_input([("TEE", 1)], idempotencyKey=f"burst-{first_created}"),
            )
            assert again["data"]["orderCreate"]["order"]["id"] == payloads[first_created]["order"]["id"]
            print(f"Postgres held at most {sampler.most} of Baton's connections (budget {STEADY})")
            assert 0 < sampler.most <= STEADY, sampler.most
