"""Stock through the API: inventorySet, inventoryAdjust, per-location levels and the movement ledger."""

from __future__ import annotations

from tests.api.documents import (
    INVENTORY_ADJUST,
    INVENTORY_MOVEMENTS,
    INVENTORY_SET,
    ORDER_CANCEL,
    ORDER_CREATE,
    PRODUCT,
    create_location,
    create_product,
    global_id,
    ok,
    order_input,
    place_order,
    set_stock,
    stock_of,
)

SET_MORE = """
mutation($sku: String!, $locationId: ID!, $onHand: Int!) {
  inventorySet(input: {sku: $sku, locationId: $locationId, onHand: $onHand, safetyStock: 2,
                       reorderPoint: 5, incoming: 20}) {
    inventoryLevel { sku onHand committed available incoming safetyStock reorderPoint needsReorder location { id } }
    userErrors { field message code }
  }
}
"""


def errors_of(payload):
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def level(api, shop, sku="TEE"):
    stock = await stock_of(api, shop.admin, sku)
    return stock["onHand"], stock["committed"], stock["available"]


async def test_setting_stock_reports_the_new_level(api, shop):
    body = await api(shop.admin, INVENTORY_SET, sku="TEE", locationId=shop.location_id, onHand=25)

    assert ok(body, "inventorySet")["inventoryLevel"] == {"onHand": 25, "committed": 0, "available": 25}
    assert await level(api, shop) == (25, 0, 25)


async def test_setting_stock_with_safety_stock_reorder_point_and_incoming(api, shop):
    body = await api(shop.admin, SET_MORE, sku="TEE", locationId=shop.location_id, onHand=6)

    assert ok(body, "inventorySet")["inventoryLevel"] == {
        "sku": "TEE",
        "onHand": 6,
        "committed": 0,
        "available": 4,
        "incoming": 20,
        "safetyStock": 2,
        "reorderPoint": 5,
        "needsReorder": True,
        "location": {"id": shop.location_id},
    }
    stock = await stock_of(api, shop.admin, "TEE")
    assert (stock["onHand"], stock["available"], stock["incoming"]) == (6, 4, 20)


async def test_setting_stock_with_a_matching_compare_value_succeeds(api, shop):
    body = await api(
        shop.admin, INVENTORY_SET, sku="TEE", locationId=shop.location_id, onHand=12, compareOnHand=10
    )
    assert ok(body, "inventorySet")["inventoryLevel"]["onHand"] == 12


async def test_setting_stock_with_a_stale_compare_value_is_refused_and_changes_nothing(api, shop):
    body = await api(
        shop.admin, INVENTORY_SET, sku="TEE", locationId=shop.location_id, onHand=12, compareOnHand=7
    )

    payload = body["data"]["inventorySet"]
    assert payload["inventoryLevel"] is None
    assert errors_of(payload) == [("COMPARE_FAILED", ["compareOnHand"])]
    assert "10" in payload["userErrors"][0]["message"]
    assert await level(api, shop) == (10, 0, 10)


async def test_setting_negative_stock_is_refused(api, shop):
    body = await api(shop.admin, INVENTORY_SET, sku="TEE", locationId=shop.location_id, onHand=-1)

    assert errors_of(body["data"]["inventorySet"]) == [("INVALID_QUANTITY", ["onHand"])]
    assert await level(api, shop) == (10, 0, 10)


async def test_setting_stock_of_an_unknown_sku_at_an_unknown_location_reports_both(api, shop):
    body = await api(shop.admin, INVENTORY_SET, sku="NOPE", locationId=global_id("Location"), onHand=1)

    assert errors_of(body["data"]["inventorySet"]) == [
        ("UNKNOWN_SKU", ["sku"]),
        ("NOT_FOUND", ["locationId"]),
    ]


async def test_an_id_of_another_type_is_not_a_location(api, shop):
    body = await api(shop.admin, INVENTORY_SET, sku="TEE", locationId=shop.tee_id, onHand=1)
    assert errors_of(body["data"]["inventorySet"]) == [("NOT_FOUND", ["locationId"])]
    body = await api(shop.admin, INVENTORY_SET, sku="TEE", locationId="garbage", onHand=1)
    assert errors_of(body["data"]["inventorySet"]) == [("NOT_FOUND", ["locationId"])]


async def test_adjusting_stock_adds_and_removes_units_by_reason(api, shop):
    body = await api(
        shop.admin, INVENTORY_ADJUST, sku="TEE", locationId=shop.location_id, delta=5, reason="RECEIVED"
    )
    assert ok(body, "inventoryAdjust")["inventoryLevel"] == {"onHand": 15, "committed": 0, "available": 15}

    body = await api(
        shop.admin, INVENTORY_ADJUST, sku="TEE", locationId=shop.location_id, delta=-4, reason="DAMAGED"
    )
    assert ok(body, "inventoryAdjust")["inventoryLevel"] == {"onHand": 11, "committed": 0, "available": 11}

    body = await api(
        shop.admin, INVENTORY_ADJUST, sku="TEE", locationId=shop.location_id, delta=-1, reason="CORRECTION"
    )
    assert ok(body, "inventoryAdjust")["inventoryLevel"]["onHand"] == 10


async def test_an_adjustment_against_its_reason_is_refused(api, shop):
    for delta, reason in ((3, "DAMAGED"), (-3, "RECEIVED"), (0, "CORRECTION")):
        body = await api(
            shop.admin, INVENTORY_ADJUST, sku="TEE", locationId=shop.location_id, delta=delta, reason=reason
        )
        payload = body["data"]["inventoryAdjust"]
        assert payload["inventoryLevel"] is None
        assert errors_of(payload) == [("INVALID_QUANTITY", ["delta"])], reason
    assert await level(api, shop) == (10, 0, 10)


async def test_an_adjustment_that_would_make_stock_negative_is_refused(api, shop):
    body = await api(
        shop.admin, INVENTORY_ADJUST, sku="TEE", locationId=shop.location_id, delta=-11, reason="LOST"
    )

    assert errors_of(body["data"]["inventoryAdjust"]) == [("NEGATIVE_STOCK", ["delta"])]
    assert await level(api, shop) == (10, 0, 10)


async def test_an_adjustment_reason_written_literally_works(api, shop):
    document = """mutation($locationId: ID!) {
      inventoryAdjust(input: {sku: "MUG", locationId: $locationId, delta: 2, reason: FOUND}) {
        inventoryLevel { onHand committed available } userErrors { field message code } } }"""

    body = await api(shop.admin, document, locationId=shop.location_id)

    assert ok(body, "inventoryAdjust")["inventoryLevel"] == {"onHand": 7, "committed": 0, "available": 7}


async def test_an_order_commits_stock_and_available_is_what_is_left(api, shop):
    await place_order(api, shop.admin, [("TEE", 4)])

    body = await api(
        shop.admin, INVENTORY_ADJUST, sku="TEE", locationId=shop.location_id, delta=2, reason="RECEIVED"
    )

    assert ok(body, "inventoryAdjust")["inventoryLevel"] == {"onHand": 12, "committed": 4, "available": 8}


async def test_a_product_shows_its_stock_per_location_in_priority_order_and_in_total(api, shop):
    store = await create_location(api, shop.admin, "Corner Store", priority=1)
    await set_stock(api, shop.admin, "TEE", store, 3)
    await place_order(api, shop.admin, [("TEE", 2)])

    body = await api(shop.admin, PRODUCT, sku="TEE")

    assert body["data"]["product"] == {
        "sku": "TEE",
        "inventory": {
            "onHand": 13,
            "committed": 2,
            "available": 11,
            "incoming": 0,
            "levels": [
                {"location": {"id": store}, "onHand": 3, "committed": 2, "available": 1},
                {"location": {"id": shop.location_id}, "onHand": 10, "committed": 0, "available": 10},
            ],
        },
    }


async def test_a_product_without_stock_has_empty_inventory(api, shop):
    await create_product(api, shop.admin, "NEW")

    stock = await stock_of(api, shop.admin, "NEW")

    assert stock == {"onHand": 0, "committed": 0, "available": 0, "incoming": 0, "levels": []}


async def test_an_order_is_split_over_locations_when_no_one_location_has_everything(api, shop):
    store = await create_location(api, shop.admin, "Corner Store", priority=1)
    await set_stock(api, shop.admin, "TEE", store, 3)

    order = await place_order(api, shop.admin, [("TEE", 12)])

    detail = """query($id: ID!) { order(id: $id) { lines { allocations { quantity location { id } } } } }"""
    lines = (await api(shop.admin, detail, id=order["id"]))["data"]["order"]["lines"]
    assert sorted((a["location"]["id"], a["quantity"]) for a in lines[0]["allocations"]) == sorted(
        [(store, 3), (shop.location_id, 9)]
    )
    assert await level(api, shop) == (13, 12, 1)


async def test_a_backorderable_product_can_be_sold_beyond_stock_and_the_rest_waits_as_a_backorder(api, shop):
    await create_product(api, shop.admin, "PREORDER", "30.00", backorder_policy="ALLOW")
    await set_stock(api, shop.admin, "PREORDER", shop.location_id, 1)

    body = await api(shop.admin, ORDER_CREATE, input=order_input([("PREORDER", 4)]))

    assert ok(body, "orderCreate")["order"]["status"] == "PENDING"
    # One unit is committed from stock; three are promised without stock and commit nothing yet.
    assert await level(api, shop, "PREORDER") == (1, 1, 0)


async def test_the_movement_ledger_lists_every_change_newest_first(api, shop):
    await api(
        shop.admin, INVENTORY_ADJUST, sku="TEE", locationId=shop.location_id, delta=5, reason="RECEIVED"
    )
    await api(shop.admin, INVENTORY_ADJUST, sku="TEE", locationId=shop.location_id, delta=-1, reason="THEFT")
    order = await place_order(api, shop.admin, [("TEE", 3)])
    ok(await api(shop.admin, ORDER_CANCEL, id=order["id"]), "orderCancel")

    body = await api(shop.admin, INVENTORY_MOVEMENTS, sku="TEE")

    moves = body["data"]["inventoryMovements"]["nodes"]
    assert [
        (m["kind"], m["onHandDelta"], m["committedDelta"], m["onHandAfter"], m["committedAfter"])
        for m in moves
    ] == [
        ("RELEASED", 0, -3, 14, 0),
        ("RESERVED", 0, 3, 14, 3),
        ("THEFT", -1, 0, 14, 0),
        ("RECEIVED", 5, 0, 15, 0),
        ("SET", 10, 0, 10, 0),
    ]
    assert [m["orderId"] for m in moves] == [order["id"], order["id"], None, None, None]
    assert {m["location"]["id"] for m in moves} == {shop.location_id}
    assert all(m["actor"].startswith("apikey:") for m in moves)

    oldest = (await api(shop.admin, INVENTORY_MOVEMENTS, sku="TEE", first=2, reverse=True))["data"]
    page = oldest["inventoryMovements"]
    assert [m["kind"] for m in page["nodes"]] == ["SET", "RECEIVED"]
    assert page["pageInfo"]["hasNextPage"] is True


async def test_the_movement_ledger_filters_by_location(api, shop):
    store = await create_location(api, shop.admin, "Corner Store")
    await set_stock(api, shop.admin, "TEE", store, 3)

    at_store = await api(shop.admin, INVENTORY_MOVEMENTS, sku="TEE", locationId=store)
    nowhere = await api(shop.admin, INVENTORY_MOVEMENTS, sku="TEE", locationId=global_id("Location"))

    assert [(m["kind"], m["onHandAfter"]) for m in at_store["data"]["inventoryMovements"]["nodes"]] == [
        ("SET", 3)
    ]
    assert nowhere["data"]["inventoryMovements"]["nodes"] == []


async def test_the_movement_ledger_of_an_unknown_sku_is_null(api, shop):
    body = await api(shop.admin, INVENTORY_MOVEMENTS, sku="NOPE")
    assert body["data"] == {"inventoryMovements": None} and "errors" not in body
