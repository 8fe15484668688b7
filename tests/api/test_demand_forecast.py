"""demandForecast over GraphQL: the stored forecast with its intervals, method and backtest errors;
null before the worker has forecast a SKU; refused to keys without analytics:read; another shop's
forecasts never show. The history is copies of an order placed through the API (tests/forecast_history.py)
and the forecast is computed by the worker's own function, in this process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from domain.db import SYSTEM_SESSION
from domain.forecasting import engine, leadtime, methods, refresh
from domain.forecasting.series import Forecast, Series
from domain.reading import Reader
from domain.tenancy.models import Role
from resolvers.ids import parse_global
from tests.api.conftest import Api, Shop
from tests.api.documents import error_codes, place_order
from tests.forecast_history import copy_order

pytestmark = [pytest.mark.api, pytest.mark.integration]

FORECAST = """
query($sku: String!, $locationId: ID, $days: Int) {
  demandForecast(sku: $sku, locationId: $locationId, days: $days) {
    sku locationId method intermittent historyDays historyEnd returnedUnits
    backtest { mase wape naiveMase naiveWape }
    points { date mean lower80 upper80 lower95 upper95 }
  }
}"""

TODAY = datetime.now(UTC).date()


async def _compute(series: Sequence[Series], horizon: int) -> list[Forecast]:
    return await asyncio.to_thread(engine.forecast, series, horizon)


def _uuid(gid: str) -> uuid.UUID:
    parsed = parse_global(gid)
    assert parsed is not None
    return parsed[1]


async def _forecast_shop(api: Api, shop: Shop, database_url: str, days: int = 90) -> None:
    """`days` days of TEE orders (one a weekday, three on Saturdays and Sundays), then a forecast run."""
    order = await place_order(api, shop.admin, [("TEE", 1)])
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2, server_settings=SYSTEM_SESSION)
    try:
        history = [TODAY - timedelta(days=days - i) for i in range(days)]
        async with pool.acquire() as conn:
            await conn.execute(
                "UPDATE inventory_levels SET on_hand = 100000 WHERE tenant_id = $1", shop.tenant.id
            )
            await copy_order(conn, _uuid(order["id"]), history, [1 + 2 * (d.weekday() >= 5) for d in history])
        assert await refresh.refresh_tenant(pool.acquire, shop.tenant.id, _compute) == 2
    finally:
        await pool.close()


async def test_a_forecast_has_points_with_intervals_from_today_and_its_backtest(api, shop, database_url):
    await _forecast_shop(api, shop, database_url)
    body = await api(shop.admin, FORECAST, sku="TEE", days=14)
    assert "errors" not in body, body
    found = body["data"]["demandForecast"]
    assert found["sku"] == "TEE" and found["locationId"] is None
    assert found["method"] in methods.SMOOTH and not found["intermittent"]
    assert found["historyDays"] == 90 and found["historyEnd"] == (TODAY - timedelta(days=1)).isoformat()
    assert found["backtest"]["mase"] <= found["backtest"]["naiveMase"]
    assert 0 <= found["backtest"]["wape"] < 0.2  # a regular weekly pattern is well forecast
    points = found["points"]
    assert len(points) == 14 and points[0]["date"] == TODAY.isoformat()
    for p in points:
        assert 0 <= p["lower95"] <= p["lower80"] <= p["mean"] <= p["upper80"] <= p["upper95"]
        weekend = date.fromisoformat(p["date"]).weekday() >= 5
        assert abs(p["mean"] - (3 if weekend else 1)) < 0.6, p

    at_location = await api(shop.admin, FORECAST, sku="TEE", locationId=shop.location_id, days=3)
    assert at_location["data"]["demandForecast"]["locationId"] == shop.location_id
    assert len(at_location["data"]["demandForecast"]["points"]) == 3


async def test_without_a_stored_forecast_the_answer_is_null(api, shop):
    body = await api(shop.admin, FORECAST, sku="TEE")
    assert "errors" not in body and body["data"] == {"demandForecast": None}
    unknown_location = await api(shop.admin, FORECAST, sku="TEE", locationId="not-an-id")
    assert "errors" not in unknown_location and unknown_location["data"] == {"demandForecast": None}


async def test_days_outside_the_stored_horizon_are_refused(api, shop):
    for days in (0, refresh.HORIZON + 1):
        body = await api(shop.admin, FORECAST, sku="TEE", days=days)
        assert error_codes(body) == ["BAD_USER_INPUT"], body
        assert body["errors"][0]["extensions"]["field"] == ["days"]


async def test_staff_may_read_forecasts_and_storefront_keys_may_not(api, shop):
    staff = await shop.tenant.key(Role.STAFF)
    assert "errors" not in await api(staff, FORECAST, sku="TEE")
    storefront = await shop.tenant.key(Role.STOREFRONT)
    assert error_codes(await api(storefront, FORECAST, sku="TEE")) == ["FORBIDDEN"]


async def test_another_shops_forecast_never_shows(api, shop, other_shop, database_url):
    await _forecast_shop(api, shop, database_url)
    body = await api(other_shop.admin, FORECAST, sku="TEE")
    assert "errors" not in body and body["data"] == {"demandForecast": None}


async def test_lead_time_demand_reads_the_stored_forecast(api, shop, database_url):
    await _forecast_shop(api, shop, database_url)
    conn = await asyncpg.connect(database_url, server_settings=SYSTEM_SESSION)
    try:
        reader = Reader(conn)
        week = await leadtime.for_sku(reader, shop.tenant.id, "TEE", None, 7, TODAY)
        # 5 weekdays x 1 + 2 weekend days x 3; the pattern never varied, so neither does the forecast
        assert week is not None and week.mean == pytest.approx(11, abs=0.5) and 0 <= week.sigma < 1
        located = await leadtime.for_sku(reader, shop.tenant.id, "TEE", _uuid(shop.location_id), 7, TODAY)
        assert located is not None and located.mean == pytest.approx(week.mean, rel=0.2)
        assert await leadtime.for_sku(reader, shop.tenant.id, "MUG", None, 7, TODAY) is None
    finally:
        await conn.close()
