"""salesReport from the hourly rollup gives the figures salesReport from the orders gives: before the
rollup is built, after, with partial hours at both ends, in several time zones and groupings, and right
after a change the worker has not rolled up yet. And it does read the rollup where it can."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from domain.analytics import periods, rollup, sales, sales_hours
from domain.analytics.periods import Grouping
from domain.ids import parse_global
from tests.api.conftest import Api, Shop, publish
from tests.api.documents import ORDER_CANCEL, ORDER_MARK_PAID, ok, place_order
from tests.api.return_documents import refund
from tests.db_helpers import system_connection

pytestmark = [pytest.mark.api, pytest.mark.integration]

ASKED = [
    ("2026-11-01T00:00:00", "2026-12-01T00:00:00", Grouping.DAY, "UTC"),
    ("2026-11-10T05:20:00", "2026-11-12T12:30:00", Grouping.DAY, "America/New_York"),
    ("2026-11-01T00:00:00", "2026-12-01T00:00:00", Grouping.WEEK, "Europe/Paris"),
    ("2026-10-01T00:00:00", "2027-01-01T00:00:00", Grouping.MONTH, "UTC"),
    ("2026-11-10T04:00:00", "2026-11-11T13:00:00", Grouping.CHANNEL, "UTC"),
    ("2026-11-10T05:15:00", "2026-11-10T05:45:00", Grouping.DAY, "UTC"),  # inside one hour
    ("2026-11-01T00:00:00", "2026-12-01T00:00:00", Grouping.DAY, "Asia/Kolkata"),  # +05:30: from the orders
    ("2026-11-01T00:00:00", "2026-12-01T00:00:00", Grouping.SKU, "UTC"),  # by SKU: from the orders
]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _uuid(global_id: str) -> uuid.UUID:
    parsed = parse_global(global_id)
    assert parsed is not None
    return parsed[1]


async def _both(api: Api, tenant_id: uuid.UUID) -> list[tuple[sales.SalesReport, sales.SalesReport]]:
    """Each period asked for, from the rollup (where it answers) and from the orders."""
    answers = []
    async with api.app.state.reads.tenant(tenant_id) as reader:
        for start, end, grouping, zone in ASKED:
            period = periods.period(_at(start), _at(end), grouping, zone)
            for channels in (None, ["WEB"]):
                hourly = await sales.report(reader, tenant_id, period, channels, None)
                plain = await sales.report(reader, tenant_id, period, channels, None, hourly=False)
                answers.append((hourly, plain))
    return answers


async def _refresh(database_url: str) -> None:
    conn = await system_connection(database_url)
    try:
        while await rollup.refresh_all(conn):
            pass
    finally:
        await conn.close()


async def test_the_rollup_gives_the_orders_figures_and_is_read(
    api: Api, shop: Shop, other_shop: Shop, database_url: str
) -> None:
    admin, tenant_id = shop.admin, shop.tenant.id
    placed = {}
    for name, lines, channel, at in (
        ("early", [("TEE", 2)], "WEB", "2026-11-10T03:30:00"),
        ("edge", [("MUG", 1)], "MOBILE_APP", "2026-11-10T05:10:00"),
        ("same-hour", [("TEE", 1), ("MUG", 1)], "WEB", "2026-11-10T05:50:00"),
        ("cancelled", [("TEE", 1)], "WEB", "2026-11-10T15:00:00"),
        ("refunded", [("MUG", 2)], "WEB", "2026-11-11T12:00:00"),
        ("later", [("TEE", 1)], "PHONE", "2026-11-20T23:59:00"),
    ):
        placed[name] = await place_order(api, admin, lines, channel=channel)
        placed[name]["at"] = at
    await place_order(api, other_shop.admin, [("TEE", 3)], channel="WEB")  # never in Acme's figures
    ok(await api(admin, ORDER_CANCEL, id=placed["cancelled"]["id"], reason="test"), "orderCancel")
    ok(await api(admin, ORDER_MARK_PAID, id=placed["refunded"]["id"], reference="pay-1"), "orderMarkPaid")
    assert (await refund(api, admin, placed["refunded"]["id"], "r-1", amount="3.00"))["userErrors"] == []
    conn = await system_connection(database_url)
    try:
        for order in placed.values():
            await conn.execute(
                "UPDATE orders SET created_at = $1 WHERE id = $2", _at(order["at"]), _uuid(order["id"])
            )
        refund_at = _at("2026-11-12T12:00:00")
        await conn.execute("UPDATE refunds SET created_at = $1 WHERE tenant_id = $2", refund_at, tenant_id)
    finally:
        await conn.close()
    await publish(database_url)

    # No rollup yet: everything from the orders
    for hourly, plain in await _both(api, tenant_id):
        assert hourly == plain
    await _refresh(database_url)
    check = await system_connection(database_url)
    try:
        rows = await check.fetch(
            "SELECT hour, channel, orders, cancelled, units, gross, refunds FROM sales_hours "
            "WHERE tenant_id = $1 ORDER BY hour, channel",
            tenant_id,
        )
        assert [(r["hour"], r["channel"], r["orders"], r["cancelled"], r["refunds"]) for r in rows] == [
            (_at("2026-11-10T03:00:00"), "WEB", 1, 0, 0),
            (_at("2026-11-10T05:00:00"), "MOBILE_APP", 1, 0, 0),
            (_at("2026-11-10T05:00:00"), "WEB", 1, 0, 0),
            (_at("2026-11-10T15:00:00"), "WEB", 0, 1, 0),
            (_at("2026-11-11T12:00:00"), "WEB", 1, 0, 0),
            (_at("2026-11-12T12:00:00"), "WEB", 0, 0, 300),
            (_at("2026-11-20T23:00:00"), "PHONE", 1, 0, 0),
        ]
        # Built: the same figures ...
        answers = await _both(api, tenant_id)
        for hourly, plain in answers:
            assert hourly == plain
        assert answers[0][0].totals.orders == 5 and answers[0][0].totals.refunds == 300
        # ... and read from the rollup: a figure changed there shows in the hourly report only
        await check.execute(
            "UPDATE sales_hours SET gross = gross + 100 WHERE hour = $1", _at("2026-11-10T03:00:00")
        )
        hourly, plain = (await _both(api, tenant_id))[0]
        assert hourly.totals.gross == plain.totals.gross + 100
        await check.execute(
            "UPDATE sales_hours SET gross = gross - 100 WHERE hour = $1", _at("2026-11-10T03:00:00")
        )

        # A change the worker has not rolled up (its event not even published): its hours come from
        # the orders at once
        ok(await api(admin, ORDER_CANCEL, id=placed["same-hour"]["id"], reason="late"), "orderCancel")
        for hourly, plain in await _both(api, tenant_id):
            assert hourly == plain
        assert (await _both(api, tenant_id))[0][0].totals.cancelled == 2
        await publish(database_url)
        for hourly, plain in await _both(api, tenant_id):
            assert hourly == plain
        await _refresh(database_url)
        cancelled = await check.fetchval(
            "SELECT cancelled FROM sales_hours WHERE tenant_id = $1 AND hour = $2 AND channel = 'WEB'",
            tenant_id,
            _at("2026-11-10T05:00:00"),
        )
        assert cancelled == 1
        mark, head = await check.fetchrow(
            "SELECT m.position, h.position FROM sales_hours_marks m JOIN event_log_heads h USING (tenant_id) "
            "WHERE tenant_id = $1",
            tenant_id,
        )
        assert mark == head
    finally:
        await check.close()
    for hourly, plain in await _both(api, tenant_id):
        assert hourly == plain


def test_zones_with_half_hour_offsets_are_read_from_the_orders() -> None:
    start, end = _at("2026-01-01T00:00:00"), _at("2026-12-31T00:00:00")
    assert sales_hours.whole_hours("Europe/Paris", start, end)
    assert sales_hours.whole_hours("America/New_York", start, end)
    assert not sales_hours.whole_hours("Asia/Kolkata", start, end)
    assert not sales_hours.whole_hours("Australia/Lord_Howe", start, end)  # +10:30, +11 in summer
    within_an_hour = periods.Period(
        _at("2026-07-01T00:20:00"), _at("2026-07-01T00:50:00"), Grouping.DAY, "UTC"
    )
    assert sales_hours.hour_bounds(within_an_hour) == (_at("2026-07-01T00:20:00"), _at("2026-07-01T00:20:00"))
    period = periods.Period(_at("2026-07-01T00:20:00"), _at("2026-07-01T05:00:00"), Grouping.DAY, "UTC")
    assert sales_hours.hour_bounds(period) == (_at("2026-07-01T01:00:00"), _at("2026-07-01T05:00:00"))
