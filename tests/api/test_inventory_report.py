"""inventoryReport on a ledger whose times are set by hand, so every figure is known: a SKU that sold out
for two days and was restocked, a SKU that shipped, and another shop's stockout that must never count."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest

from resolvers.ids import parse_global
from tests.api.conftest import Api, Shop
from tests.api.documents import INVENTORY_ADJUST, ORDER_CONFIRM, error_codes, ok, place_order
from tests.api.fulfillment_documents import fulfillment_of, ship
from tests.db_helpers import system_connection

pytestmark = [pytest.mark.api, pytest.mark.integration]

REPORT = """
query($from: DateTime!, $to: DateTime!) {
  inventoryReport(from: $from, to: $to) {
    outOfStock deadStock
    rows {
      sku name onHand available incoming unitsOrdered unitsShipped demandPerDay daysOfCover
      stockoutDays averageOnHand turnover deadStock
    }
  }
}"""
PERIOD = {"from": "2026-11-01T00:00:00Z", "to": "2026-11-11T00:00:00Z"}  # ten days, all in the past


def _uuid(global_id: str) -> uuid.UUID:
    parsed = parse_global(global_id)
    assert parsed is not None
    return parsed[1]


async def _move(database_url: str, statements: list[tuple[str, Any]]) -> None:
    conn = await system_connection(database_url)
    try:
        for sql, args in statements:
            await conn.execute(sql, *args)
    finally:
        await conn.close()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+00:00")


async def test_cover_stockouts_turnover_and_dead_stock_from_the_ledger(
    api: Api, shop: Shop, other_shop: Shop, database_url: str
) -> None:
    admin = shop.admin
    mugs = await place_order(api, admin, [("MUG", 5)])  # all five: sold out
    ok(
        await api(
            admin, INVENTORY_ADJUST, sku="MUG", locationId=shop.location_id, delta=5, reason="RECEIVED"
        ),
        "inventoryAdjust",
    )
    tees = await place_order(api, admin, [("TEE", 2)])
    ok(await api(admin, ORDER_CONFIRM, id=tees["id"]), "orderConfirm")
    fo = (await fulfillment_of(api, admin, tees["id"]))["fulfillmentOrders"][0]
    await ship(api, admin, fo["id"], "inv-1")
    theirs = await place_order(api, other_shop.admin, [("MUG", 5)])  # Globex sells out too
    mug_order, tee_order, their_order = (_uuid(o["id"]) for o in (mugs, tees, theirs))
    movement = "UPDATE inventory_movements SET created_at = $1 WHERE "
    await _move(
        database_url,
        [
            ("UPDATE products SET created_at = $1", (_at("2026-10-01T00:00:00"),)),
            (movement + "kind = 'SET'", (_at("2026-10-01T00:00:00"),)),
            (movement + "order_id = $2 AND kind = 'RESERVED'", (_at("2026-11-03T00:00:00"), mug_order)),
            (movement + "order_id = $2 AND kind = 'RESERVED'", (_at("2026-11-03T00:00:00"), their_order)),
            (movement + "kind = 'RECEIVED'", (_at("2026-11-05T00:00:00"),)),
            (movement + "order_id = $2 AND kind = 'RESERVED'", (_at("2026-11-06T00:00:00"), tee_order)),
            (movement + "order_id = $2 AND kind = 'SHIPPED'", (_at("2026-11-07T00:00:00"), tee_order)),
            ("UPDATE orders SET created_at = $1 WHERE id = $2", (_at("2026-11-03T00:00:00"), mug_order)),
            ("UPDATE orders SET created_at = $1 WHERE id = $2", (_at("2026-11-03T00:00:00"), their_order)),
            ("UPDATE orders SET created_at = $1 WHERE id = $2", (_at("2026-11-06T00:00:00"), tee_order)),
        ],
    )
    body = await api(admin, REPORT, **PERIOD)
    assert "errors" not in body, body
    report = body["data"]["inventoryReport"]
    assert report["rows"] == [
        {
            # 5 on hand until the 5th (4 days), then 10 (6 days): 8 on average; out of stock from the
            # 3rd, when the order took all five, to the 5th, when five came in
            "sku": "MUG", "name": "Product MUG", "onHand": 10, "available": 5, "incoming": 0,
            "unitsOrdered": 5, "unitsShipped": 0, "demandPerDay": 0.5, "daysOfCover": 10.0,
            "stockoutDays": 2.0, "averageOnHand": 8.0, "turnover": 0.0, "deadStock": False,
        },
        {
            # 10 on hand until the 7th (6 days), then 8 (4 days): 9.2 on average; 2 shipped
            "sku": "TEE", "name": "Product TEE", "onHand": 8, "available": 8, "incoming": 0,
            "unitsOrdered": 2, "unitsShipped": 2, "demandPerDay": 0.2, "daysOfCover": 40.0,
            "stockoutDays": 0.0, "averageOnHand": 9.2, "turnover": round(2 / 9.2, 4), "deadStock": False,
        },
    ]  # fmt: skip
    assert (report["outOfStock"], report["deadStock"]) == (0, 0)

    # Over October nothing was ordered: both SKUs are dead stock; nothing was out of stock
    october = await api(admin, REPORT, **{"from": "2026-10-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"})
    rows = october["data"]["inventoryReport"]["rows"]
    assert [(r["sku"], r["deadStock"], r["stockoutDays"], r["daysOfCover"]) for r in rows] == [
        ("MUG", True, 0.0, None),
        ("TEE", True, 0.0, None),
    ]
    assert october["data"]["inventoryReport"]["deadStock"] == 2

    # Globex sees its own MUG sold out since the 3rd: 8 of its 10 days, and nothing of Acme's
    theirs_body = await api(other_shop.admin, REPORT, **PERIOD)
    their_rows = theirs_body["data"]["inventoryReport"]["rows"]
    assert [(r["sku"], r["available"], r["stockoutDays"]) for r in their_rows] == [
        ("MUG", 0, 8.0),
        ("TEE", 10, 0.0),
    ]
    assert theirs_body["data"]["inventoryReport"]["outOfStock"] == 1


async def test_inventory_report_periods_are_checked(api: Api, shop: Shop) -> None:
    backwards = {"from": PERIOD["to"], "to": PERIOD["from"]}
    body = await api(shop.admin, REPORT, **backwards)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == ["to"]
    too_long = {"from": "2020-01-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"}
    assert error_codes(await api(shop.admin, REPORT, **too_long)) == ["BAD_USER_INPUT"]
    # The first instant there is (which the driver sends as -infinity): an empty period, not an error
    first = {"from": "0001-01-01T00:00:00Z", "to": "0001-01-01T00:00:00Z"}
    body = await api(shop.admin, REPORT, **first)
    assert "errors" not in body, body
    assert [
        (r["sku"], r["unitsOrdered"], r["stockoutDays"]) for r in body["data"]["inventoryReport"]["rows"]
    ] == [
        ("MUG", 0, 0.0),
        ("TEE", 0, 0.0),
    ]
