"""salesReport, fulfillmentReport and returnsReport on a small set of orders whose times are set by
hand, so every figure is known: day buckets in a time zone west of UTC, a cancelled order, a refund,
two channels, and another shop's order that must never count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.tenancy.models import Role
from resolvers.ids import parse_global
from tests.api.conftest import Api, Shop
from tests.api.documents import (
    INVENTORY_ADJUST,
    ORDER_CANCEL,
    ORDER_CONFIRM,
    ORDER_MARK_PAID,
    create_product,
    error_codes,
    ok,
    place_order,
    set_stock,
)
from tests.api.fulfillment_documents import fulfillment_of, ship
from tests.api.return_documents import deliver, line_id, refund, request_return
from tests.db_helpers import system_connection

pytestmark = [pytest.mark.api, pytest.mark.integration]

SALES = """
query($from: DateTime!, $to: DateTime!, $groupBy: SalesGrouping!, $tz: String!, $channel: [SalesChannel!]) {
  salesReport(from: $from, to: $to, groupBy: $groupBy, timeZone: $tz, channel: $channel) {
    currencyCode
    buckets { ...figures }
    totals { ...figures }
  }
}
fragment figures on SalesBucket {
  key orders cancelledOrders units gross { amount } refunds { amount } net { amount }
  averageOrderValue { amount currencyCode }
}"""

FULFILLMENT = """
query($from: DateTime!, $to: DateTime!, $groupBy: FulfillmentGrouping!) {
  fulfillmentReport(from: $from, to: $to, groupBy: $groupBy) {
    buckets { ...figures }
    totals { ...figures }
  }
}
fragment figures on FulfillmentBucket {
  key shipments delivered shippedOnTime onTimeRate placementToShipP50Hours placementToShipP90Hours
  shipToDeliveryP50Hours shipToDeliveryP90Hours
}"""

RETURNS = """
query($from: DateTime!, $to: DateTime!, $groupBy: ReturnsGrouping!) {
  returnsReport(from: $from, to: $to, groupBy: $groupBy) {
    buckets { key unitsSold unitsReturned returnRate byReason { reason units } }
    totals { key unitsSold unitsReturned returnRate byReason { reason units } }
  }
}"""

NOVEMBER = {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}


async def _set_times(database_url: str, statements: list[tuple[str, Any]]) -> None:
    """Moves rows to known times: the API stamps them with now, and the reports are about time."""
    conn = await system_connection(database_url)
    try:
        for sql, args in statements:
            await conn.execute(sql, *args)
    finally:
        await conn.close()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def _placed_at(database_url: str, order: dict[str, Any], moment: str) -> None:
    sql = "UPDATE orders SET created_at = $1 WHERE id = $2::uuid"
    await _set_times(database_url, [(sql, (_at(moment), _uuid(order["id"])))])


async def _sales_fixture(api: Api, shop: Shop, other_shop: Shop, database_url: str) -> None:
    admin = shop.admin
    # 22:30 on 9 November in New York, 03:30 UTC on the 10th
    late = await place_order(api, admin, [("TEE", 2)], channel="WEB")
    await _placed_at(database_url, late, "2026-11-10T03:30:00+00:00")
    # 00:30 on the 10th in New York
    early = await place_order(api, admin, [("MUG", 1)], channel="MOBILE_APP")
    await _placed_at(database_url, early, "2026-11-10T05:30:00+00:00")
    cancelled = await place_order(api, admin, [("TEE", 1)], channel="WEB")
    ok(await api(admin, ORDER_CANCEL, id=cancelled["id"], reason="test"), "orderCancel")
    await _placed_at(database_url, cancelled, "2026-11-10T15:00:00+00:00")
    refunded = await place_order(api, admin, [("MUG", 2)], channel="WEB")
    ok(await api(admin, ORDER_MARK_PAID, id=refunded["id"], reference="pay-1"), "orderMarkPaid")
    assert (await refund(api, admin, refunded["id"], "goodwill-1", amount="3.00"))["userErrors"] == []
    await _placed_at(database_url, refunded, "2026-11-11T12:00:00+00:00")
    refund_sql = "UPDATE refunds SET created_at = $1 WHERE order_id = $2::uuid"
    await _set_times(database_url, [(refund_sql, (_at("2026-11-12T12:00:00+00:00"), _uuid(refunded["id"])))])
    # Globex's order, in the middle of the period: never in Acme's figures
    theirs = await place_order(api, other_shop.admin, [("TEE", 3)], channel="WEB")
    await _placed_at(database_url, theirs, "2026-11-10T12:00:00+00:00")


def _money(amount: str) -> dict[str, str]:
    return {"amount": amount}


def _sales(key: str | None, orders: int, cancelled: int, units: int, gross: str, refunds: str) -> dict:
    net = f"{float(gross) - float(refunds):.2f}"
    average = f"{float(gross) / orders:.2f}" if orders else "0.00"
    return {
        "key": key,
        "orders": orders,
        "cancelledOrders": cancelled,
        "units": units,
        "gross": _money(gross),
        "refunds": _money(refunds),
        "net": _money(net),
        "averageOrderValue": {"amount": average, "currencyCode": "USD"},
    }


async def test_sales_by_day_in_a_time_zone_count_each_order_on_its_local_day(
    api: Api, shop: Shop, other_shop: Shop, database_url: str
) -> None:
    await _sales_fixture(api, shop, other_shop, database_url)
    body = await api(shop.admin, SALES, **NOVEMBER, groupBy="DAY", tz="America/New_York")
    assert "errors" not in body, body
    # 49.48 = 2 x 19.99 + 5.00 shipping + 10 % tax; 14.85 = 8.50 + 5.00 + tax; 24.20 = 2 x 8.50 + 5.00 + tax
    assert body["data"]["salesReport"] == {
        "currencyCode": "USD",
        "buckets": [
            _sales("2026-11-09", 1, 0, 2, "49.48", "0.00"),
            _sales("2026-11-10", 1, 1, 1, "14.85", "0.00"),  # the cancelled order counts apart
            _sales("2026-11-11", 1, 0, 2, "24.20", "0.00"),
            _sales("2026-11-12", 0, 0, 0, "0.00", "3.00"),  # the refund, on its own day
        ],
        "totals": {**_sales(None, 3, 1, 5, "88.53", "3.00"), "averageOrderValue": _money_usd("29.51")},
    }
    # In UTC the 22:30 order moves to the 10th
    body = await api(shop.admin, SALES, **NOVEMBER, groupBy="DAY", tz="UTC")
    assert [b["key"] for b in body["data"]["salesReport"]["buckets"]] == [
        "2026-11-10",
        "2026-11-11",
        "2026-11-12",
    ]
    assert body["data"]["salesReport"]["buckets"][0]["orders"] == 2


def _money_usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currencyCode": "USD"}


async def test_sales_by_channel_sku_and_month_with_a_channel_filter(
    api: Api, shop: Shop, other_shop: Shop, database_url: str
) -> None:
    await _sales_fixture(api, shop, other_shop, database_url)
    body = await api(shop.admin, SALES, **NOVEMBER, groupBy="CHANNEL", tz="UTC")
    assert body["data"]["salesReport"]["buckets"] == [
        _sales("MOBILE_APP", 1, 0, 1, "14.85", "0.00"),
        {**_sales("WEB", 2, 1, 4, "73.68", "3.00"), "averageOrderValue": _money_usd("36.84")},
    ]
    # By SKU: line subtotals plus their tax, no shipping; the goodwill refund has no lines
    body = await api(shop.admin, SALES, **NOVEMBER, groupBy="SKU", tz="UTC")
    report = body["data"]["salesReport"]
    assert report["buckets"] == [
        {**_sales("MUG", 2, 0, 3, "28.05", "0.00"), "averageOrderValue": _money_usd("14.03")},
        _sales("TEE", 1, 1, 2, "43.98", "0.00"),
    ]
    assert report["totals"]["orders"] == 3 and report["totals"]["gross"] == _money("72.03")
    body = await api(shop.admin, SALES, **NOVEMBER, groupBy="MONTH", tz="UTC", channel=["MOBILE_APP"])
    assert body["data"]["salesReport"]["buckets"] == [_sales("2026-11-01", 1, 0, 1, "14.85", "0.00")]


async def test_another_shop_sees_only_its_own_orders(
    api: Api, shop: Shop, other_shop: Shop, database_url: str
) -> None:
    await _sales_fixture(api, shop, other_shop, database_url)
    body = await api(other_shop.admin, SALES, **NOVEMBER, groupBy="DAY", tz="UTC")
    report = body["data"]["salesReport"]
    assert [(b["key"], b["orders"], b["units"]) for b in report["buckets"]] == [("2026-11-10", 1, 3)]
    assert report["totals"]["refunds"] == _money("0.00")


async def test_a_report_costs_fifty_whatever_its_buckets(api: Api, shop: Shop) -> None:
    body = await api(shop.admin, SALES, **NOVEMBER, groupBy="DAY", tz="UTC")
    assert body["extensions"]["cost"]["requested"] == 50
    assert body["extensions"]["cost"]["actual"] == 50


async def test_an_empty_period_has_no_buckets_and_zero_totals(api: Api, shop: Shop) -> None:
    body = await api(
        shop.admin,
        SALES,
        **{"from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"},
        groupBy="WEEK",
        tz="Europe/Paris",
    )
    assert body["data"]["salesReport"] == {
        "currencyCode": "USD",
        "buckets": [],
        "totals": _sales(None, 0, 0, 0, "0.00", "0.00"),
    }


async def test_reports_are_for_staff_and_admin_keys_only(api: Api, shop: Shop) -> None:
    staff = await shop.tenant.key(Role.STAFF)
    body = await api(staff, SALES, **NOVEMBER, groupBy="DAY", tz="UTC")
    assert "errors" not in body, body
    for role in (Role.STOREFRONT, Role.PARTNER):
        key = await shop.tenant.key(role)
        for query, grouping in ((SALES, "DAY"), (FULFILLMENT, "DAY"), (RETURNS, "SKU")):
            variables = {**NOVEMBER, "groupBy": grouping, **({"tz": "UTC"} if query is SALES else {})}
            body = await api(key, query, **variables)
            assert error_codes(body) == ["FORBIDDEN"], (role, body)


async def test_a_bad_time_zone_or_a_too_long_period_is_refused_with_a_code(api: Api, shop: Shop) -> None:
    body = await api(shop.admin, SALES, **NOVEMBER, groupBy="DAY", tz="Mars/Olympus_Mons")
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == ["timeZone"]
    two_years = {"from": "2025-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}
    body = await api(shop.admin, SALES, **two_years, groupBy="DAY", tz="UTC")
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == ["to"]
    assert "366 days" in body["errors"][0]["message"]
    body = await api(shop.admin, SALES, **two_years, groupBy="MONTH", tz="UTC")
    assert "errors" not in body, body
    backwards = {"from": NOVEMBER["to"], "to": NOVEMBER["from"]}
    body = await api(shop.admin, FULFILLMENT, **backwards, groupBy="DAY")
    assert error_codes(body) == ["BAD_USER_INPUT"]


BACKORDERS = """
query($from: DateTime!, $to: DateTime!, $groupBy: FulfillmentGrouping!) {
  fulfillmentReport(from: $from, to: $to, groupBy: $groupBy) {
    buckets { key shipments backorderedUnitsFilled backorderFillP50Hours backorderFillP90Hours }
    totals { shipments backorderedUnitsFilled backorderFillP50Hours backorderFillP90Hours }
  }
}"""


async def test_backorder_fill_time_from_placement_to_the_receipt_that_reserved_it(
    api: Api, shop: Shop, database_url: str
) -> None:
    admin = shop.admin
    await create_product(api, admin, "PRE", backorder_policy="ALLOW")
    await set_stock(api, admin, "PRE", shop.location_id, 0)
    first = await place_order(api, admin, [("PRE", 2)])
    second = await place_order(api, admin, [("PRE", 3)])
    # Four arrive: the first order's two, and two of the second's three (its last one still waits)
    adjust = {"sku": "PRE", "locationId": shop.location_id, "delta": 4, "reason": "RECEIVED"}
    ok(await api(admin, INVENTORY_ADJUST, **adjust), "inventoryAdjust")
    filled = "UPDATE order_allocations SET filled_at = $1 WHERE order_id = $2::uuid AND filled_at IS NOT NULL"
    placed = "UPDATE orders SET created_at = $1 WHERE id = $2::uuid"
    await _set_times(
        database_url,
        [
            (placed, (_utc("2026-11-10T00:00"), _uuid(first["id"]))),
            (placed, (_utc("2026-11-10T12:00"), _uuid(second["id"]))),
            (filled, (_utc("2026-11-11T00:00"), _uuid(first["id"]))),
            (filled, (_utc("2026-11-11T00:00"), _uuid(second["id"]))),
        ],
    )
    body = await api(admin, BACKORDERS, **NOVEMBER, groupBy="DAY")
    assert "errors" not in body, body
    report = body["data"]["fulfillmentReport"]
    # 24 h and 12 h: the median 18, the 90th percentile 12 + 0.9 x 12
    assert report["totals"] == {
        "shipments": 0,
        "backorderedUnitsFilled": 4,
        "backorderFillP50Hours": 18.0,
        "backorderFillP90Hours": 22.8,
    }
    assert report["buckets"] == [
        {
            "key": "2026-11-11",
            "shipments": 0,
            "backorderedUnitsFilled": 4,
            "backorderFillP50Hours": 18.0,
            "backorderFillP90Hours": 22.8,
        }
    ]


async def test_fulfillment_lead_times_and_on_time_rate(api: Api, shop: Shop, database_url: str) -> None:
    admin = shop.admin
    arrived = await deliver(api, shop, await place_order(api, admin, [("TEE", 1)]))
    waiting = await place_order(api, admin, [("MUG", 1)])
    ok(await api(admin, ORDER_CONFIRM, id=waiting["id"]), "orderConfirm")
    fo = (await fulfillment_of(api, admin, waiting["id"]))["fulfillmentOrders"][0]
    await ship(api, admin, fo["id"], "late-1")
    moves = []
    # Placed at midnight; shipped 10 h later, 2 h before shipBy; delivered 48 h after shipping
    for order, placed, shipped, ship_by, delivered in (
        (arrived, "2026-11-10T00:00", "2026-11-10T10:00", "2026-11-10T12:00", "2026-11-12T10:00"),
        # placed, shipped 44 h later, 20 h after shipBy; not delivered yet
        (waiting, "2026-11-11T00:00", "2026-11-12T20:00", "2026-11-12T00:00", None),
    ):
        order_id = _uuid(order["id"])
        moves += [
            ("UPDATE orders SET created_at = $1 WHERE id = $2::uuid", (_utc(placed), order_id)),
            (
                "UPDATE shipments SET created_at = $1, delivered_at = $2 WHERE order_id = $3::uuid",
                (_utc(shipped), _utc(delivered) if delivered else None, order_id),
            ),
            (
                "UPDATE fulfillment_orders SET ship_by = $1 WHERE order_id = $2::uuid",
                (_utc(ship_by), order_id),
            ),
        ]
    await _set_times(database_url, moves)
    body = await api(admin, FULFILLMENT, **NOVEMBER, groupBy="DAY")
    assert "errors" not in body, body
    report = body["data"]["fulfillmentReport"]
    assert report["totals"] == {
        "key": None,
        "shipments": 2,
        "delivered": 1,
        "shippedOnTime": 1,
        "onTimeRate": 0.5,
        "placementToShipP50Hours": 27.0,  # the median of 10 and 44
        "placementToShipP90Hours": 40.6,  # 10 + 0.9 x (44 - 10)
        "shipToDeliveryP50Hours": 48.0,
        "shipToDeliveryP90Hours": 48.0,
    }
    assert [(b["key"], b["shipments"], b["shippedOnTime"]) for b in report["buckets"]] == [
        ("2026-11-10", 1, 1),
        ("2026-11-12", 1, 0),
    ]
    body = await api(admin, FULFILLMENT, **NOVEMBER, groupBy="LOCATION")
    buckets = body["data"]["fulfillmentReport"]["buckets"]
    assert len(buckets) == 1 and buckets[0]["shipments"] == 2


async def test_return_rates_by_sku_and_by_reason(api: Api, shop: Shop) -> None:
    admin = shop.admin
    both = await deliver(api, shop, await place_order(api, admin, [("TEE", 2), ("MUG", 1)]))
    mug = await deliver(api, shop, await place_order(api, admin, [("MUG", 1)]))
    cancelled = await place_order(api, admin, [("TEE", 1)])
    ok(await api(admin, ORDER_CANCEL, id=cancelled["id"], reason="test"), "orderCancel")
    await request_return(
        api, admin, both, [{"orderLineId": line_id(both, "TEE"), "quantity": 1, "reason": "DEFECTIVE"}]
    )
    await request_return(
        api, admin, mug, [{"orderLineId": line_id(mug, "MUG"), "quantity": 1, "reason": "OTHER"}]
    )
    now = datetime.now(UTC)
    period = {"from": (now - timedelta(days=1)).isoformat(), "to": (now + timedelta(days=1)).isoformat()}
    body = await api(admin, RETURNS, **period, groupBy="SKU")
    assert "errors" not in body, body
    assert body["data"]["returnsReport"] == {
        "buckets": [
            {
                "key": "MUG",
                "unitsSold": 2,
                "unitsReturned": 1,
                "returnRate": 0.5,
                "byReason": [{"reason": "OTHER", "units": 1}],
            },
            {
                "key": "TEE",
                "unitsSold": 2,
                "unitsReturned": 1,
                "returnRate": 0.5,
                "byReason": [{"reason": "DEFECTIVE", "units": 1}],
            },
        ],
        "totals": {
            "key": None,
            "unitsSold": 4,
            "unitsReturned": 2,
            "returnRate": 0.5,
            "byReason": [{"reason": "DEFECTIVE", "units": 1}, {"reason": "OTHER", "units": 1}],
        },
    }
    body = await api(admin, RETURNS, **period, groupBy="REASON")
    assert [
        (b["key"], b["unitsSold"], b["unitsReturned"], b["returnRate"])
        for b in body["data"]["returnsReport"]["buckets"]
    ] == [("DEFECTIVE", 4, 1, 0.25), ("OTHER", 4, 1, 0.25)]


def _uuid(global_id: str) -> str:
    parsed = parse_global(global_id)
    assert parsed is not None
    return str(parsed[1])


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
