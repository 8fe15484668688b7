"""From a confirmed order to the customer's door, through the API."""

from __future__ import annotations

from domain.tenancy.models import Role
from tests.api.documents import (
    INVENTORY_MOVEMENTS,
    ORDER_CONFIRM,
    codes,
    create_location,
    global_id,
    ok,
    place_order,
    set_stock,
)
from tests.api.fulfillment_documents import (
    FO_HOLD,
    FO_MOVE,
    FO_PACK,
    FO_RELEASE,
    FO_START,
    QUEUE,
    SET_PRIORITY,
    SET_TIER,
    fulfillment_of,
    ship,
    track,
)


async def _split(api, shop):
    """TEE ships from the main warehouse, MUG from a store: one order, two fulfillment orders."""
    store = await create_location(api, shop.admin, "Store", priority=2)
    await set_stock(api, shop.admin, "MUG", shop.location_id, 0)
    await set_stock(api, shop.admin, "MUG", store, 5)
    order = await place_order(api, shop.admin, [("TEE", 2), ("MUG", 3)])
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    found = await fulfillment_of(api, shop.admin, order["id"])
    main = next(fo for fo in found["fulfillmentOrders"] if fo["location"]["id"] == shop.location_id)
    other = next(fo for fo in found["fulfillmentOrders"] if fo["location"]["id"] == store)
    return order, main, other, store


async def test_an_order_split_across_two_locations_is_shipped_in_parts_and_tracked_to_delivery(api, shop):
    order, main, store_fo, _ = await _split(api, shop)
    key = await shop.tenant.key(Role.PARTNER)  # a 3PL picks, packs, ships and tracks
    (tee_line,) = main["lines"]

    ok(await api(key, FO_START, id=main["id"]), "fulfillmentOrderStartPicking")
    first = await ship(api, key, main["id"], "1Z-A", [(tee_line["id"], 1)])
    partly = await fulfillment_of(api, shop.admin, order["id"])
    assert (partly["status"], partly["fulfillmentStatus"]) == ("PARTIALLY_SHIPPED", "PARTIALLY_FULFILLED")
    assert {line["sku"]: line["quantityShipped"] for line in partly["lines"]} == {"TEE": 1, "MUG": 0}

    packed = await api(key, FO_PACK, id=main["id"], packages=[{"weightGrams": 800, "lengthMm": 300}])
    assert ok(packed, "fulfillmentOrderMarkPacked")["fulfillmentOrder"]["packages"] == [
        {"weightGrams": 800, "lengthMm": 300}
    ]
    second = await ship(api, key, main["id"], "1Z-B")
    third = await ship(api, key, store_fo["id"], "1Z-C")
    shipped = await fulfillment_of(api, shop.admin, order["id"])
    assert (shipped["status"], shipped["fulfillmentStatus"]) == ("SHIPPED", "FULFILLED")
    assert {fo["status"] for fo in shipped["fulfillmentOrders"]} == {"CLOSED"}

    for shipment in (first, second):
        await track(api, key, shipment["id"], "IN_TRANSIT", location="Memphis, TN")
        await track(api, key, shipment["id"], "DELIVERED")
    assert (await fulfillment_of(api, shop.admin, order["id"]))["status"] == "SHIPPED"  # one still on its way
    await track(api, key, third["id"], "out for delivery", description="On the van")
    await track(api, key, third["id"], "DELIVERED")

    done = await fulfillment_of(api, shop.admin, order["id"])
    assert done["status"] == "DELIVERED" and done["deliveredAt"]
    assert [s["status"] for s in done["shipments"]] == ["DELIVERED"] * 3
    third_events = done["shipments"][2]["trackingEvents"]
    assert [(e["status"], e["carrierStatus"]) for e in third_events] == [
        ("OUT_FOR_DELIVERY", "out for delivery"),
        ("DELIVERED", "DELIVERED"),
    ]
    types = [e["type"] for e in done["events"]]
    for step in (
        "FULFILLMENT_ORDER_CREATED",
        "FULFILLMENT_ORDER_STATUS_CHANGED",
        "SHIPMENT_CREATED",
        "SHIPMENT_TRACKING_UPDATED",
    ):
        assert step in types, step
    statuses = [e["data"]["newStatus"] for e in done["events"] if e["type"] == "ORDER_STATUS_CHANGED"]
    assert statuses == ["CONFIRMED", "PARTIALLY_SHIPPED", "SHIPPED", "DELIVERED"]
    ledger = (await api(shop.admin, INVENTORY_MOVEMENTS, sku="TEE"))["data"]["inventoryMovements"]["nodes"]
    assert [(m["kind"], m["onHandDelta"], m["committedDelta"]) for m in ledger[:2]] == [
        ("SHIPPED", -1, -1),
        ("SHIPPED", -1, -1),
    ]


async def test_shipping_a_held_fulfillment_order_is_refused_until_every_hold_is_released(api, shop):
    _, main, _, _ = await _split(api, shop)

    ok(await api(shop.admin, FO_HOLD, id=main["id"], reason="AWAITING_PAYMENT"), "fulfillmentOrderHold")
    ok(
        await api(shop.admin, FO_HOLD, id=main["id"], reason="INCORRECT_ADDRESS", note="no flat"),
        "fulfillmentOrderHold",
    )
    released = await api(shop.admin, FO_RELEASE, id=main["id"], reason="AWAITING_PAYMENT")
    held = ok(released, "fulfillmentOrderReleaseHold")["fulfillmentOrder"]
    assert held["status"] == "ON_HOLD"
    assert [(h["reason"], h["releasedAt"] is None) for h in held["holds"]] == [
        ("AWAITING_PAYMENT", False),
        ("INCORRECT_ADDRESS", True),
    ]
    body = await api(
        shop.admin,
        """mutation($id: ID!) { shipmentCreate(input: {fulfillmentOrderId: $id, carrier: "generic",
        trackingNumber: "X1"}) { shipment { id } userErrors { field code } } }""",
        id=main["id"],
    )
    assert codes(body["data"]["shipmentCreate"]) == ["FULFILLMENT_ON_HOLD"]
    assert codes(
        (await api(shop.admin, FO_START, id=main["id"]))["data"]["fulfillmentOrderStartPicking"]
    ) == ["FULFILLMENT_ON_HOLD"]


async def test_a_move_without_stock_at_the_destination_is_refused_per_line(api, shop):
    order, main, _, store = await _split(api, shop)

    body = await api(shop.admin, FO_MOVE, id=main["id"], locationId=store)

    payload = body["data"]["fulfillmentOrderMove"]
    assert (payload["fulfillmentOrder"], codes(payload)) == (None, ["INSUFFICIENT_STOCK"])
    assert payload["userErrors"][0]["field"] == ["lines", "0", "quantity"]
    unchanged = await fulfillment_of(api, shop.admin, order["id"])
    assert any(
        fo["id"] == main["id"] and fo["location"]["id"] == shop.location_id
        for fo in unchanged["fulfillmentOrders"]
    )


async def test_bad_fulfillment_requests_are_typed_user_errors(api, shop):
    _, main, _, _ = await _split(api, shop)
    (line,) = main["lines"]

    too_many = await api(
        shop.admin,
        """mutation($id: ID!, $line: ID!) { shipmentCreate(input: {fulfillmentOrderId: $id,
        carrier: "generic", trackingNumber: "X", lines: [{id: $line, quantity: 3}]}) { userErrors { field code } } }""",
        id=main["id"],
        line=line["id"],
    )
    unknown_carrier = await api(
        shop.admin,
        """mutation($id: ID!) { shipmentCreate(input: {fulfillmentOrderId: $id, carrier: "pigeon",
        trackingNumber: "X"}) { userErrors { field code } } }""",
        id=main["id"],
    )
    missing = await api(shop.admin, FO_START, id=global_id("FulfillmentOrder"))
    no_packages = await api(shop.admin, FO_PACK, id=main["id"], packages=[])

    assert too_many["data"]["shipmentCreate"]["userErrors"] == [
        {"field": ["lines", "0", "quantity"], "code": "EXCEEDS_UNSHIPPED"}
    ]
    assert codes(unknown_carrier["data"]["shipmentCreate"]) == ["UNKNOWN_CARRIER"]
    assert codes(missing["data"]["fulfillmentOrderStartPicking"]) == ["NOT_FOUND"]
    assert codes(no_packages["data"]["fulfillmentOrderMarkPacked"]) == ["REQUIRED"]


async def test_the_queue_lists_open_work_most_urgent_first_with_pick_lists(api, shop):
    await set_stock(api, shop.admin, "TEE", shop.location_id, 10)
    await api(
        shop.admin,
        'mutation($l: ID!) { inventorySet(input: {sku: "TEE", locationId: $l, onHand: 10, binCode: "A-01-3"}) '
        "{ userErrors { code } } }",
        l=shop.location_id,
    )
    placed = [await place_order(api, shop.admin, [("TEE", 1)]) for _ in range(3)]
    for order in placed:
        ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    ok(await api(shop.admin, SET_PRIORITY, id=placed[1]["id"], priority=95, reason="VIP"), "orderSetPriority")

    page = (await api(shop.admin, QUEUE, locationId=shop.location_id, first=2))["data"]["fulfillmentQueue"]
    rest = (
        await api(
            shop.admin, QUEUE, locationId=shop.location_id, first=2, after=page["pageInfo"]["endCursor"]
        )
    )["data"]["fulfillmentQueue"]

    numbers = [fo["order"]["number"] for fo in page["nodes"] + rest["nodes"]]
    assert numbers == [placed[1]["number"], placed[0]["number"], placed[2]["number"]]
    assert page["pageInfo"]["hasNextPage"] and not rest["pageInfo"]["hasNextPage"]
    assert page["nodes"][0]["priority"] == 95
    assert page["nodes"][0]["pickList"] == [
        {
            "sku": "TEE",
            "quantity": 1,
            "binCode": "A-01-3",
            "locationCode": page["nodes"][0]["lines"][0]["locationCode"],
        }
    ]
    bad = await api(shop.admin, QUEUE, locationId=shop.location_id, after="garbage")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_partner_ships_but_may_not_hold_move_or_reprioritize(api, shop):
    order, main, _, store = await _split(api, shop)
    partner = await shop.tenant.key(Role.PARTNER)
    storefront = await shop.tenant.key(Role.STOREFRONT)

    for document, variables in (
        (FO_HOLD, {"id": main["id"], "reason": "OTHER"}),
        (FO_RELEASE, {"id": main["id"], "reason": "OTHER"}),
        (FO_MOVE, {"id": main["id"], "locationId": store}),
        (SET_PRIORITY, {"id": order["id"], "priority": 1}),
    ):
        body = await api(partner, document, **variables)
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await api(storefront, FO_START, id=main["id"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    ok(await api(partner, FO_START, id=main["id"]), "fulfillmentOrderStartPicking")


async def test_another_tenants_fulfillment_orders_are_not_found(api, shop, other_shop):
    _, main, _, _ = await _split(api, shop)

    body = await api(other_shop.admin, FO_HOLD, id=main["id"], reason="OTHER")
    node = await api(other_shop.admin, "query($id: ID!) { node(id: $id) { id } }", id=main["id"])

    assert codes(body["data"]["fulfillmentOrderHold"]) == ["NOT_FOUND"]
    assert node["data"]["node"] is None


async def test_a_vip_customers_next_order_gets_a_higher_priority(api, shop):
    first = await place_order(api, shop.admin, [("TEE", 1)])
    customer = (
        await api(shop.admin, "query($id: ID!) { order(id: $id) { customer { id } } }", id=first["id"])
    )["data"]["order"]["customer"]["id"]

    tiered = ok(await api(shop.admin, SET_TIER, id=customer, tier="VIP"), "customerSetTier")["customer"]
    second = await place_order(api, shop.admin, [("TEE", 1)])

    assert tiered["tier"] == "VIP"
    before = (await fulfillment_of(api, shop.admin, first["id"]))["priority"]
    after = (await fulfillment_of(api, shop.admin, second["id"]))["priority"]
    assert after == before + 30
    cleared = ok(await api(shop.admin, SET_PRIORITY, id=second["id"], priority=None), "orderSetPriority")[
        "order"
    ]
    assert (cleared["priority"], cleared["priorityOverride"]) == (after, None)


async def test_nul_characters_are_user_errors_and_unknown_ids_answer_plainly(api, shop):
    _, main, _, _ = await _split(api, shop)
    shipment = await ship(api, shop.admin, main["id"], "NUL-1")

    service = await api(
        shop.admin,
        """mutation($id: ID!) { shipmentCreate(input: {fulfillmentOrderId: $id, carrier: "generic",
        trackingNumber: "NUL-2", service: "Gro\\u0000und"}) { userErrors { field code } } }""",
        id=main["id"],
    )
    place = await api(
        shop.admin,
        'mutation($id: ID!) { shipmentTrackingEventAdd(input: {shipmentId: $id, status: "IN_TRANSIT", '
        'location: "Mem\\u0000phis"}) { userErrors { field code } } }',
        id=shipment["id"],
    )
    bad_line = await api(
        shop.admin,
        """mutation($id: ID!) { shipmentCreate(input: {fulfillmentOrderId: $id, carrier: "generic",
        trackingNumber: "NUL-3", lines: [{id: "nonsense", quantity: 1}]}) { userErrors { field code } } }""",
        id=main["id"],
    )
    queue = await api(shop.admin, QUEUE, locationId=global_id("Location"))

    assert service["data"]["shipmentCreate"]["userErrors"] == [{"field": ["service"], "code": "INVALID"}]
    assert place["data"]["shipmentTrackingEventAdd"]["userErrors"] == [
        {"field": ["location"], "code": "INVALID"}
    ]
    assert bad_line["data"]["shipmentCreate"]["userErrors"] == [
        {"field": ["lines", "0", "id"], "code": "NOT_FOUND"}
    ]
    assert queue["data"]["fulfillmentQueue"] is None


async def test_a_nul_character_no_check_caught_is_bad_input_not_an_unexpected_error(api, shop):
    read = await api(shop.admin, 'query { product(sku: "TEE\\u0000") { sku } }')
    written = await api(
        shop.admin,
        'mutation { locationCreate(input: {name: "Back\\u0000room"}) { location { id } userErrors { field code } } }',
    )

    assert [e["extensions"]["code"] for e in read["errors"]] == ["BAD_USER_INPUT"]
    assert written["data"]["locationCreate"]["userErrors"] == [{"field": ["name"], "code": "INVALID"}]


async def test_a_tracking_time_sent_without_an_offset_is_read_as_utc(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    (fo,) = (await fulfillment_of(api, shop.admin, order["id"]))["fulfillmentOrders"]
    shipment = await ship(api, shop.admin, fo["id"], "1Z-UTC")

    added = await track(api, shop.admin, shipment["id"], "IN_TRANSIT", occurredAt="2026-01-01T09:30:00")

    assert added["userErrors"] == [] and added["stored"]
    (found,) = (await fulfillment_of(api, shop.admin, order["id"]))["shipments"]
    assert [e["occurredAt"] for e in found["trackingEvents"]] == ["2026-01-01T09:30:00+00:00"]
