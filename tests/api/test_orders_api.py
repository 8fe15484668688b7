"""Orders through the API: placing, confirming, paying, cancelling, and every expected refusal."""

from __future__ import annotations

from tests.api.documents import (
    CUSTOMERS,
    ORDER,
    ORDER_BY_NUMBER,
    ORDER_CANCEL,
    ORDER_CONFIRM,
    ORDER_CREATE,
    ORDER_CREATE_LITERAL,
    ORDER_DETAIL,
    ORDER_MARK_PAID,
    ORDERS,
    address,
    codes,
    ok,
    order_input,
    place_order,
    stock_of,
)

CREATED = """
mutation($input: OrderCreateInput!) {
  orderCreate(input: $input) { created order { id number status } userErrors { field message code } }
}
"""


async def test_placing_an_order_numbers_it_prices_it_from_the_catalog_and_reserves_its_stock(api, shop):
    body = await api(shop.admin, ORDER_CREATE, input=order_input([("TEE", 2), ("MUG", 1)]))

    order = ok(body, "orderCreate")["order"]
    assert order["number"] == "#1001"
    assert order["status"] == "PENDING"
    found = (await api(shop.admin, ORDER, id=order["id"]))["data"]["order"]
    # 2 x 19.99 + 8.50 = 48.48; tax 10 % per line (4.00 + 0.85) and on 5.00 shipping (0.50)
    assert found == {
        "id": order["id"],
        "number": "#1001",
        "status": "PENDING",
        "total": {"amount": "58.83", "currencyCode": "USD"},
        "lines": [{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}],
    }
    tee = await stock_of(api, shop.admin, "TEE")
    assert (tee["onHand"], tee["committed"], tee["available"]) == (10, 2, 8)


async def test_an_order_written_with_literal_enums_in_the_document_is_placed(api, shop):
    body = await api(shop.admin, ORDER_CREATE_LITERAL, email="ada@example.com", sku="MUG", quantity=3)

    order = ok(body, "orderCreate")["order"]
    assert order["status"] == "PENDING"
    detail = (await api(shop.admin, ORDER_DETAIL, id=order["id"]))["data"]["order"]
    assert detail["email"] == "ada@example.com"
    assert detail["customer"]["firstName"] == "Ada"
    assert detail["customer"]["phone"] == "+1 555 0100"


async def test_an_order_is_found_by_its_number_with_or_without_the_hash(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])

    for number in ("#1001", "1001", " #1001 "):
        found = (await api(shop.admin, ORDER_BY_NUMBER, number=number))["data"]["orderByNumber"]
        assert found["id"] == order["id"], number
        assert found["lines"] == [{"sku": "TEE", "quantity": 1}]
    for number in ("#1002", "abc", "#", ""):
        assert (await api(shop.admin, ORDER_BY_NUMBER, number=number))["data"]["orderByNumber"] is None


async def test_an_unknown_order_id_is_null_not_an_error(api, shop):
    body = await api(shop.admin, ORDER, id="not-an-id")
    assert body["data"] == {"order": None} and "errors" not in body


async def test_repeating_an_order_with_its_idempotency_key_returns_the_first_order(api, shop):
    request = order_input([("TEE", 1)], idempotencyKey="checkout-42")

    first = ok(await api(shop.admin, CREATED, input=request), "orderCreate")
    again = ok(await api(shop.admin, CREATED, input=request), "orderCreate")

    assert first["created"] is True
    assert again["created"] is False
    assert again["order"] == first["order"]
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 1


async def test_repeating_an_order_with_its_channels_external_id_returns_the_first_order(api, shop):
    first = ok(
        await api(shop.admin, CREATED, input=order_input([("TEE", 1)], externalId="shop-77")), "orderCreate"
    )
    again = ok(
        await api(shop.admin, CREATED, input=order_input([("TEE", 1)], externalId="shop-77")), "orderCreate"
    )
    other_channel = ok(
        await api(shop.admin, CREATED, input=order_input([("TEE", 1)], externalId="shop-77", channel="POS")),
        "orderCreate",
    )

    assert (first["created"], again["created"], other_channel["created"]) == (True, False, True)
    assert again["order"] == first["order"]
    assert other_channel["order"]["number"] == "#1002"
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 2


async def test_reusing_an_idempotency_key_for_another_request_is_refused(api, shop):
    await place_order(api, shop.admin, [("TEE", 1)], idempotencyKey="checkout-42")

    body = await api(shop.admin, CREATED, input=order_input([("TEE", 2)], idempotencyKey="checkout-42"))

    payload = body["data"]["orderCreate"]
    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["idempotencyKey"])
    ]
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 1


async def test_several_problems_in_one_order_are_reported_together_and_nothing_is_created(api, shop):
    request = order_input(
        [("TEE", 1), ("MUG", 0)],
        email="not-an-email",
        shippingAddress=address(postalCode="ABCDE"),
    )

    body = await api(shop.admin, ORDER_CREATE, input=request)

    payload = body["data"]["orderCreate"]
    assert payload["order"] is None
    assert sorted((e["code"], tuple(e["field"])) for e in payload["userErrors"]) == [
        ("INVALID_EMAIL", ("customer", "email")),
        ("INVALID_POSTAL_CODE", ("shippingAddress", "postalCode")),
        ("INVALID_QUANTITY", ("lines", "1", "quantity")),
    ]
    assert all(e["message"] for e in payload["userErrors"])
    await _nothing_was_placed(api, shop)


async def test_an_unknown_sku_is_refused_at_its_line(api, shop):
    body = await api(shop.admin, ORDER_CREATE, input=order_input([("TEE", 1), ("NOPE", 1)]))

    payload = body["data"]["orderCreate"]
    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("UNKNOWN_SKU", ["lines", "1", "sku"])
    ]
    await _nothing_was_placed(api, shop)


async def test_an_order_without_lines_is_refused(api, shop):
    payload = (await api(shop.admin, ORDER_CREATE, input=order_input([])))["data"]["orderCreate"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("EMPTY_ORDER", ["lines"])]


async def test_a_short_line_is_refused_with_insufficient_stock_at_its_quantity(api, shop):
    body = await api(shop.admin, ORDER_CREATE, input=order_input([("TEE", 2), ("MUG", 6)]))

    payload = body["data"]["orderCreate"]
    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INSUFFICIENT_STOCK", ["lines", "1", "quantity"])
    ]
    assert "5" in payload["userErrors"][0]["message"]
    await _nothing_was_placed(api, shop)


async def test_every_short_line_gets_its_own_insufficient_stock_error(api, shop):
    body = await api(shop.admin, ORDER_CREATE, input=order_input([("TEE", 11), ("MUG", 6)]))

    payload = body["data"]["orderCreate"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INSUFFICIENT_STOCK", ["lines", "0", "quantity"]),
        ("INSUFFICIENT_STOCK", ["lines", "1", "quantity"]),
    ]
    await _nothing_was_placed(api, shop)


async def test_confirming_a_pending_order_confirms_it_once(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])

    confirmed = ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")["order"]
    assert confirmed["status"] == "CONFIRMED"
    assert confirmed["confirmedAt"]

    again = (await api(shop.admin, ORDER_CONFIRM, id=order["id"]))["data"]["orderConfirm"]
    assert again["order"] is None
    assert [(e["code"], e["field"]) for e in again["userErrors"]] == [("INVALID_TRANSITION", ["id"])]


async def test_marking_an_order_paid_in_two_payments_makes_it_paid(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])  # 19.99 + 5.00 + 2.50 tax = 27.49

    part = ok(
        await api(shop.admin, ORDER_MARK_PAID, id=order["id"], reference="pay-1", amount="10.00"),
        "orderMarkPaid",
    )
    assert part["order"]["paymentStatus"] == "PARTIALLY_PAID"
    assert part["order"]["paid"] == {"amount": "10.00"}
    assert part["order"]["balanceDue"] == {"amount": "17.49"}

    rest = ok(await api(shop.admin, ORDER_MARK_PAID, id=order["id"], reference="pay-2"), "orderMarkPaid")
    assert rest["order"]["paymentStatus"] == "PAID"
    assert rest["order"]["balanceDue"] == {"amount": "0.00"}

    repeat = ok(await api(shop.admin, ORDER_MARK_PAID, id=order["id"], reference="pay-2"), "orderMarkPaid")
    assert repeat["order"]["paid"] == {"amount": "27.49"}

    more = (await api(shop.admin, ORDER_MARK_PAID, id=order["id"], reference="pay-3"))["data"][
        "orderMarkPaid"
    ]
    assert codes(more) == ["ALREADY_PAID"]


async def test_a_payment_above_the_balance_due_is_refused(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])

    body = await api(shop.admin, ORDER_MARK_PAID, id=order["id"], reference="pay-1", amount="100.00")

    payload = body["data"]["orderMarkPaid"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("INVALID_AMOUNT", ["amount"])]
    found = await api(shop.admin, "query($id: ID!) { order(id: $id) { paymentStatus } }", id=order["id"])
    assert found["data"]["order"]["paymentStatus"] == "PENDING"


async def test_cancelling_an_order_releases_its_stock(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 3)])

    body = await api(shop.admin, ORDER_CANCEL, id=order["id"], reason="Customer changed their mind")

    cancelled = ok(body, "orderCancel")["order"]
    assert cancelled == {"id": order["id"], "status": "CANCELLED"}
    tee = await stock_of(api, shop.admin, "TEE")
    assert (tee["onHand"], tee["committed"], tee["available"]) == (10, 0, 10)
    detail = (await api(shop.admin, ORDER_DETAIL, id=order["id"]))["data"]["order"]
    assert detail["cancelReason"] == "Customer changed their mind"
    assert [a["status"] for a in detail["lines"][0]["allocations"]] == ["RELEASED"]


async def test_cancelling_a_cancelled_order_is_refused_and_changes_nothing(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 3)])
    ok(await api(shop.admin, ORDER_CANCEL, id=order["id"]), "orderCancel")
    before = (await api(shop.admin, ORDER_DETAIL, id=order["id"]))["data"]["order"]

    body = await api(shop.admin, ORDER_CANCEL, id=order["id"], reason="again")

    payload = body["data"]["orderCancel"]
    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("ORDER_NOT_CANCELLABLE", ["id"])]
    assert (await api(shop.admin, ORDER_DETAIL, id=order["id"]))["data"]["order"] == before
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 0


async def test_an_orders_timeline_lists_what_happened_oldest_first(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 2)])
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    ok(await api(shop.admin, ORDER_CANCEL, id=order["id"], reason="fraud"), "orderCancel")

    events = (await api(shop.admin, ORDER_DETAIL, id=order["id"]))["data"]["order"]["events"]

    assert [e["type"] for e in events] == [
        "ORDER_CREATED",
        "ORDER_STOCK_RESERVED",
        "ORDER_RISK_ASSESSED",
        "ORDER_STATUS_CHANGED",
        "FULFILLMENT_ORDER_CREATED",
        "ORDER_STATUS_CHANGED",
        "FULFILLMENT_ORDER_STATUS_CHANGED",
        "ORDER_STOCK_RELEASED",
    ]
    assert events[0]["message"] == "Order #1001 was placed via WEB"
    assert events[5]["message"] == "Status changed from CONFIRMED to CANCELLED: fraud"
    assert events[5]["data"]["reason"] == "fraud"
    assert events[6]["data"]["newStatus"] == "CANCELLED"
    assert events[7]["data"]["units"] == 2
    assert all(e["actor"] and e["occurredAt"] for e in events)
    assert [e["occurredAt"] for e in events] == sorted(e["occurredAt"] for e in events)


async def test_an_order_shows_its_customer_and_where_each_line_is_allocated(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 2), ("MUG", 1)], email="Grace@Example.com")

    detail = (await api(shop.admin, ORDER_DETAIL, id=order["id"]))["data"]["order"]

    assert detail["email"] == "grace@example.com"
    assert detail["customer"]["email"] == "grace@example.com"
    assert detail["customer"]["firstName"] == "Grace"
    assert [line["product"]["sku"] for line in detail["lines"]] == ["TEE", "MUG"]
    assert [line["allocations"] for line in detail["lines"]] == [
        [{"quantity": 2, "status": "RESERVED", "location": {"id": shop.location_id}}],
        [{"quantity": 1, "status": "RESERVED", "location": {"id": shop.location_id}}],
    ]


async def test_a_repeat_customer_is_one_customer_with_all_their_orders(api, shop):
    await place_order(api, shop.admin, [("TEE", 1)], email="grace@example.com")
    await place_order(api, shop.admin, [("MUG", 1)], email="GRACE@example.com")
    await place_order(api, shop.admin, [("MUG", 1)], email="alan@example.com")

    everyone = (await api(shop.admin, CUSTOMERS))["data"]["customers"]
    assert [c["email"] for c in everyone["nodes"]] == ["alan@example.com", "grace@example.com"]
    grace = (await api(shop.admin, CUSTOMERS, email="grace@example.com"))["data"]["customers"]["nodes"]
    assert len(grace) == 1
    assert [o["number"] for o in grace[0]["orders"]["nodes"]] == ["#1002", "#1001"]


async def _nothing_was_placed(api, shop) -> None:
    """A refused order leaves no order, no customer and no reserved unit behind."""
    orders = (await api(shop.admin, ORDERS))["data"]["orders"]
    assert orders["nodes"] == []
    assert (await api(shop.admin, CUSTOMERS))["data"]["customers"]["nodes"] == []
    for sku, on_hand in (("TEE", 10), ("MUG", 5)):
        stock = await stock_of(api, shop.admin, sku)
        assert (stock["onHand"], stock["committed"], stock["available"]) == (on_hand, 0, on_hand)
