"""Forecasting against real Postgres: demand read from orders (cancelled ones left out, per location
from allocations, returns apart), forecasts stored per SKU and location, and runs that recompute only
SKUs with new orders. Months of history are copies of orders placed through the real use case."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from domain.db import SYSTEM_SESSION
from domain.forecasting import demand, engine, methods, refresh, store
from domain.forecasting.series import Forecast, Series
from domain.workflows.cancelling import cancel_order
from domain.workflows.placing import place_order
from tests.forecast_history import copy_order
from tests.integration.builders import location, order_input, product, uow
from tests.integration.return_builders import (
    approved_return,
    lines_of,
    set_delivered_at,
    shipped_order,
    wanted,
)

pytestmark = pytest.mark.integration

TODAY = datetime.now(UTC).date()
DAYS = 100


class Counting:
    """The engine, in this process, counting the series it is given."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []

    async def __call__(self, series: Sequence[Series], horizon: int) -> list[Forecast]:
        self.seen += [s.key() for s in series]
        return await asyncio.to_thread(engine.forecast, series, horizon)


@pytest.fixture
async def pool(db, database_url: str) -> AsyncIterator[asyncpg.Pool]:
    found = await asyncpg.create_pool(database_url, min_size=1, max_size=2, server_settings=SYSTEM_SESSION)
    yield found
    await found.close()


async def _history(db, tenant_id: uuid.UUID, pool: asyncpg.Pool) -> dict[str, uuid.UUID]:
    """TEE sells daily at A (two a line, more at weekends); MUG every fourth day at B; a cancelled TEE
    order is copied too, and must count nowhere; one TEE unit comes back yesterday."""
    a = await location(db, tenant_id, "A", priority=1)
    b = await location(db, tenant_id, "B", priority=2)
    await product(db, tenant_id, "TEE", stock={a.id: 100_000})
    await product(db, tenant_id, "MUG", stock={b.id: 100_000})
    tee = (await place_order(uow(db, tenant_id), order_input(("TEE", 2)))).order
    mug = (await place_order(uow(db, tenant_id), order_input(("MUG", 1)))).order
    gone = (await place_order(uow(db, tenant_id), order_input(("TEE", 5)))).order
    await cancel_order(uow(db, tenant_id), gone.id, "test")
    days = [TODAY - timedelta(days=DAYS - i) for i in range(DAYS)]
    async with pool.acquire() as conn:
        await copy_order(conn, tee.id, days, [3 + (d.weekday() >= 5) * 2 for d in days])
        await copy_order(conn, mug.id, days[::4], [1] * len(days[::4]))
        await copy_order(conn, gone.id, days, [1] * DAYS)
    shipped = await shipped_order(db, tenant_id, ("TEE", 2))
    await set_delivered_at(db, shipped.id, days_ago=1)
    line = (await lines_of(db, shipped.id))[0]
    ret = await approved_return(db, tenant_id, shipped.id, wanted(line.id, 1))
    async with pool.acquire() as conn:
        yesterday_noon = datetime.combine(TODAY - timedelta(days=1), datetime.min.time(), UTC).replace(
            hour=12
        )
        await conn.execute("UPDATE returns SET created_at = $1 WHERE id = $2", yesterday_noon, ret.id)
    return {"A": a.id, "B": b.id}


async def test_demand_is_order_lines_by_day_and_location_without_cancelled_orders(db, tenant, pool):
    where = await _history(db, tenant.id, pool)
    async with pool.acquire() as conn:
        series, returned = await demand.daily_demand(conn, tenant.id, TODAY - timedelta(days=1), 365)
    found = {s.key(): s for s in series}
    assert set(found) == {("TEE", None), ("TEE", str(where["A"])), ("MUG", None), ("MUG", str(where["B"]))}
    tee = found[("TEE", None)]
    assert tee.start == TODAY - timedelta(days=DAYS) and tee.end == TODAY - timedelta(days=1)
    assert [tee.values[i] for i in range(DAYS)] == [
        2.0 * (3 + ((tee.start + timedelta(days=i)).weekday() >= 5) * 2) for i in range(DAYS)
    ]
    assert found[("TEE", str(where["A"]))].values == tee.values
    mug = found[("MUG", None)]
    assert sum(mug.values) == len(range(0, DAYS, 4)) and methods.is_intermittent(mug.values)
    assert returned == {"TEE": 1}  # the shipped order itself was placed today: not in the history yet


async def test_a_run_stores_a_backtested_forecast_per_sku_and_location(db, tenant, other_tenant, pool):
    where = await _history(db, tenant.id, pool)
    compute = Counting()
    assert await refresh.refresh_tenant(pool.acquire, tenant.id, compute) == 4
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM demand_forecasts ORDER BY sku, location_id NULLS FIRST")
    assert [(r["tenant_id"], r["sku"], r["location_id"]) for r in rows] == [
        (tenant.id, "MUG", None),
        (tenant.id, "MUG", where["B"]),
        (tenant.id, "TEE", None),
        (tenant.id, "TEE", where["A"]),
    ]
    mug, tee = rows[0], rows[2]
    assert tee["method"] in methods.SMOOTH and not tee["intermittent"]
    assert mug["method"] in methods.INTERMITTENT and mug["intermittent"]
    assert tee["history_days"] == DAYS and tee["history_end"] == TODAY - timedelta(days=1)
    assert tee["mase"] is not None and tee["naive_mase"] is not None and tee["mase"] <= tee["naive_mase"]
    assert tee["returned_units"] == 1 and rows[3]["returned_units"] == 0
    points = json.loads(tee["points"])
    assert len(points) == refresh.HORIZON and points[0]["day"] == TODAY.isoformat()
    saturday = next(p for p in points if date.fromisoformat(p["day"]).weekday() == 5)
    tuesday = next(p for p in points if date.fromisoformat(p["day"]).weekday() == 1)
    assert saturday["mean"] > tuesday["mean"] + 2  # ten a Saturday, six a Tuesday
    assert all(p["lo95"] <= p["lo80"] <= p["mean"] <= p["hi80"] <= p["hi95"] for p in points)
    async with pool.acquire() as conn:  # the other shop has no orders: nothing to forecast
        assert await refresh.tenants_with_orders(conn) == [tenant.id]


async def test_the_next_run_recomputes_only_skus_with_new_or_cancelled_orders(db, tenant, pool):
    await _history(db, tenant.id, pool)
    assert await refresh.refresh_tenant(pool.acquire, tenant.id, Counting()) == 4
    # A run looks a few minutes back (orders committed late); the orders placed just now would count
    # again, so the watermark is moved on as if those minutes had passed.
    await _pass_overlap(pool, tenant.id)
    again = Counting()
    assert await refresh.refresh_tenant(pool.acquire, tenant.id, again) == 0
    assert again.seen == []

    await _pass_overlap(pool, tenant.id)
    mug = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order
    after_order = Counting()
    assert await refresh.refresh_tenant(pool.acquire, tenant.id, after_order) == 2
    assert {sku for sku, _ in after_order.seen} == {"MUG"}

    await _pass_overlap(pool, tenant.id)
    await cancel_order(uow(db, tenant.id), mug.id, "test")
    after_cancel = Counting()
    assert await refresh.refresh_tenant(pool.acquire, tenant.id, after_cancel) == 2
    assert {sku for sku, _ in after_cancel.seen} == {"MUG"}

    tomorrow = Counting()  # a new day: everything again, since a day without sales is news too
    assert await refresh.refresh_tenant(pool.acquire, tenant.id, tomorrow, TODAY + timedelta(days=1)) == 4


async def _pass_overlap(pool: asyncpg.Pool, tenant_id: uuid.UUID) -> None:
    async with pool.acquire() as conn:
        await conn.execute("UPDATE forecast_runs SET watermark = now() WHERE tenant_id = $1", tenant_id)


async def test_a_tenant_leased_by_another_worker_is_left_alone(db, tenant, pool):
    await _history(db, tenant.id, pool)
    async with pool.acquire() as conn:
        assert await store.claim(conn, tenant.id) is not None
    compute = Counting()
    assert await refresh.refresh_tenant(pool.acquire, tenant.id, compute) is None
    assert compute.seen == []


async def test_a_failed_computation_releases_the_lease(db, tenant, pool):
    await _history(db, tenant.id, pool)

    async def broken(series: Sequence[Series], horizon: int) -> list[Forecast]:
        raise RuntimeError("the engine failed")

    with pytest.raises(RuntimeError):
        await refresh.refresh_tenant(pool.acquire, tenant.id, broken)
    assert await refresh.refresh_tenant(pool.acquire, tenant.id, Counting()) == 4


async def test_the_worker_computes_in_a_child_process_as_in_this_one():
    from server.forecasts import ForecastProcess

    history = [Series("S", None, date(2026, 1, 1), tuple(float(3 + i % 7) for i in range(80)))]
    child = ForecastProcess()
    try:
        there = await child(history, 7)
    finally:
        child.close()
    assert there == engine.forecast(history, 7)


async def test_the_forecast_loop_fills_the_table_on_its_schedule(db, tenant, pool):
    from server.forecasts import forecast_loop
    from server.settings import Settings

    await _history(db, tenant.id, pool)
    settings = Settings(**{**Settings.from_env().__dict__, "forecast_interval": 0.2})
    loop = asyncio.create_task(forecast_loop(pool, settings))
    try:
        async with asyncio.timeout(60):
            while True:
                async with pool.acquire() as conn:
                    stored = await conn.fetchval("SELECT count(*) FROM demand_forecasts")
                if stored == 4:
                    break
                await asyncio.sleep(0.2)
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
