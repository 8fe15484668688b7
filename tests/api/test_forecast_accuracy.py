"""forecastAccuracyReport over stored forecasts as the worker writes them (domain/forecasting/store.py):
per SKU the chosen method's backtest errors beside the naive's, the worst first, and the totals; another
shop's forecasts never show, and a public key may not ask."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.forecasting import methods, store
from domain.forecasting.series import Accuracy, Forecast, Point
from domain.tenancy.models import Role
from tests.api.conftest import Api, Shop
from tests.api.documents import error_codes
from tests.db_helpers import system_connection

pytestmark = [pytest.mark.api, pytest.mark.integration]

REPORT = """{ forecastAccuracyReport {
  backtested beatingNaive meanMase meanNaiveMase
  rows { sku method intermittent historyDays mase wape naiveMase naiveWape beatsNaive }
} }"""


def _forecast(sku: str, method: str, errors: dict[str, Accuracy], days: int = 120) -> Forecast:
    today = datetime.now(UTC).date()
    points = tuple(Point(today + timedelta(days=n), 1.0, 0.5, 1.5, 0.0, 2.0) for n in range(28))
    return Forecast(sku, None, method, method in methods.INTERMITTENT, days, points, errors)


async def _store(database_url: str, tenant_id, forecasts: list[Forecast]) -> None:
    conn = await system_connection(database_url)
    try:
        await store.save(conn, tenant_id, forecasts, datetime.now(UTC).date(), {})
    finally:
        await conn.close()


async def test_backtest_errors_per_sku_worst_first_with_totals(
    api: Api, shop: Shop, other_shop: Shop, database_url: str
) -> None:
    naive = methods.SEASONAL_NAIVE
    await _store(
        database_url,
        shop.tenant.id,
        [
            _forecast("TEE", methods.THETA, {methods.THETA: Accuracy(0.8, 0.2), naive: Accuracy(1.1, 0.3)}),
            _forecast("MUG", methods.TSB, {methods.TSB: Accuracy(1.2, 1.5), naive: Accuracy(1.0, 1.4)}),
            _forecast("CAP", naive, {}, days=20),  # too short to backtest
        ],
    )
    await _store(database_url, other_shop.tenant.id, [_forecast("TEE", naive, {naive: Accuracy(9.0, 9.0)})])

    body = await api(await shop.tenant.key(Role.STAFF), REPORT)
    assert "errors" not in body, body
    report = body["data"]["forecastAccuracyReport"]
    assert [(r["sku"], r["method"], r["mase"], r["naiveMase"], r["beatsNaive"]) for r in report["rows"]] == [
        ("MUG", "TSB", 1.2, 1.0, False),
        ("TEE", "THETA", 0.8, 1.1, True),
        ("CAP", "SEASONAL_NAIVE", None, None, None),
    ]
    assert report["rows"][0]["intermittent"] is True and report["rows"][2]["historyDays"] == 20
    assert (report["backtested"], report["beatingNaive"]) == (2, 1)
    assert (report["meanMase"], report["meanNaiveMase"]) == (1.0, 1.05)

    refused = await api(await shop.tenant.key(Role.STOREFRONT), REPORT)
    assert error_codes(refused) == ["FORBIDDEN"]
