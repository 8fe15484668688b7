"""Returns, exchanges and refunds end to end, through the API."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from domain.tenancy.models import Role
from tests.api.documents import (
    INVENTORY_MOVEMENTS,
    ORDER_CONFIRM,
    ORDER_MARK_PAID,
    codes,
    create_product,
    ok,
    place_order,
    place_order_with_token,
    set_stock,
)
from tests.api.fulfillment_documents import fulfillment_of, ship, track
from tests.api.return_documents import (
    LEVELS,
    RETURN_APPROVE,
    RETURN_CLOSE,
    RETURN_DECLINE,
    RETURN_IN_TRANSIT,
    RETURN_RECEIVE,
    RETURN_REQUEST,
    RETURNS,
    deliver,
    delivered_order,
    line_id,
    order_returns,
    refund,
    request_return,
)
from tests.db_helpers import as_system

SHOP_UPDATE = """
mutation($input: ShopUpdateInput!) {
  shopUpdate(input: $input) { shop { returnWindowDays restockingFee } userErrors { field code } }
}"""


async def _levels(api, key, sku):
    return (await api(key, LEVELS, sku=sku))["data"]["product"]["inventory"]


async def test_a_three_line_order_is_partly_returned_with_one_damaged_unit_and_refunded(api, shop):
    await create_product(api, shop.admin, "CAP", "12.00")
    await set_stock(api, shop.admin, "CAP", shop.location_id, 3)
    ok(await api(shop.admin, SHOP_UPDATE, input={"restockingFee": "10"}), "shopUpdate")
    storefront = await shop.tenant.key(Role.STOREFRONT)
    placed, token = await place_order_with_token(api, storefront, [("TEE", 2), ("MUG", 1), ("CAP", 1)])
    order = await deliver(api, shop, placed)
    assert (order["total"]["amount"], order["paymentStatus"], order["returnStatus"]) == (
        "72.03",
        "PAID",
        "NO_RETURN",
    )
    # The storefront asks on the customer's behalf, with the order's access token.
    customer = api.with_customer_token(token)

    ret = await request_return(
        customer,
        storefront,
        order,
        [
            {"orderLineId": line_id(order, "TEE"), "quantity": 2, "reason": "DEFECTIVE", "note": "seam"},
            {"orderLineId": line_id(order, "MUG"), "quantity": 1, "reason": "NO_LONGER_NEEDED"},
        ],
    )
    assert (ret["rmaNumber"], ret["status"], ret["order"]["returnStatus"]) == (
        "RMA-1001",
        "REQUESTED",
        "RETURN_REQUESTED",
    )
    approved = ok(await api(shop.admin, RETURN_APPROVE, id=ret["id"]), "returnApprove")["return"]
    assert (approved["status"], approved["order"]["returnStatus"]) == ("APPROVED", "IN_PROGRESS")
    sent = await customer(storefront, RETURN_IN_TRANSIT, id=ret["id"], trackingNumber="RET-1")
    assert ok(sent, "returnMarkInTransit")["return"]["trackingNumber"] == "RET-1"

    tee_line, mug_line = ret["lines"]
    receipt = [
        {"returnLineId": tee_line["id"], "quantity": 1, "condition": "RESELLABLE"},
        {"returnLineId": tee_line["id"], "quantity": 1, "condition": "DAMAGED"},
        {"returnLineId": mug_line["id"], "quantity": 1, "condition": "RESELLABLE"},
    ]
    body = await api(shop.admin, RETURN_RECEIVE, id=ret["id"], locationId=shop.location_id, lines=receipt)
    received = ok(body, "returnReceive")["return"]
    assert received["status"] == "RECEIVED"
    assert [(x["resellableQuantity"], x["damagedQuantity"]) for x in received["lines"]] == [(1, 1), (1, 0)]
    assert received["order"]["returnStatus"] == "PARTIALLY_RETURNED"  # the cap stays with the customer

    tee = await _levels(api, shop.admin, "TEE")
    assert (tee["onHand"], tee["committed"], tee["damaged"]) == (9, 0, 1)
    assert (await _levels(api, shop.admin, "MUG"))["onHand"] == 5
    ledger = (await api(shop.admin, INVENTORY_MOVEMENTS, sku="TEE"))["data"]["inventoryMovements"]["nodes"]
    assert [m["kind"] for m in ledger[:2]] == ["RETURNED_DAMAGED", "RETURNED"]

    done = await refund(api, shop.admin, order["id"], "refund-1", returnId=ret["id"])
    assert done["userErrors"] == [] and done["created"]
    # TEE: 2 x 19.99 + 10 % tax = 43.98; MUG: 8.50 + 0.85 = 9.35, less a 10 % restocking fee (0.94).
    assert (done["refund"]["linesAmount"]["amount"], done["refund"]["restockingFee"]["amount"]) == (
        "53.33",
        "0.94",
    )
    assert done["refund"]["amount"] == {"amount": "52.39", "currencyCode": "USD"}
    assert [
        (x["orderLine"]["sku"], x["quantity"], x["amount"]["amount"]) for x in done["refund"]["lines"]
    ] == [
        ("TEE", 2, "43.98"),
        ("MUG", 1, "9.35"),
    ]
    assert (done["order"]["paymentStatus"], done["order"]["refunded"]["amount"]) == (
        "PARTIALLY_REFUNDED",
        "52.39",
    )

    again = await refund(api, shop.admin, order["id"], "refund-2", returnId=ret["id"])
    assert codes(again) == ["NOTHING_TO_REFUND"]  # every received unit is refunded already
    ok(await api(shop.admin, RETURN_CLOSE, id=ret["id"]), "returnClose")

    final = await order_returns(api, shop.admin, order["id"])
    assert final["returns"][0]["status"] == "CLOSED" and final["returnStatus"] == "PARTIALLY_RETURNED"
    types = [e["type"] for e in final["events"]]
    for expected in ("RETURN_REQUESTED", "RETURN_STATUS_CHANGED", "RETURN_UNITS_RECEIVED", "REFUND_ISSUED"):
        assert expected in types
    assert types.count("RETURN_STATUS_CHANGED") == 4  # approved, in transit, received, closed
    assert types.count("ORDER_RETURN_STATUS_CHANGED") == 3


async def test_an_exchange_for_a_dearer_size_leaves_a_balance_due_and_ships_normally(api, shop):
    await create_product(api, shop.admin, "TEE-XL", "24.99")
    await set_stock(api, shop.admin, "TEE-XL", shop.location_id, 2)
    order = await delivered_order(api, shop, [("TEE", 1)])
    ret = await request_return(
        api,
        shop.admin,
        order,
        [
            {
                "orderLineId": line_id(order, "TEE"),
                "quantity": 1,
                "reason": "SIZE_TOO_SMALL",
                "exchangeFor": {"sku": "TEE-XL", "quantity": 1},
            }
        ],
    )

    approved = ok(await api(shop.admin, RETURN_APPROVE, id=ret["id"]), "returnApprove")["return"]

    exchange = approved["exchangeOrder"]
    # 24.99 + 2.50 tax, no shipping; the returned TEE paid 19.99 + 2.00.
    assert (exchange["status"], exchange["paymentStatus"]) == ("CONFIRMED", "PARTIALLY_PAID")
    assert (exchange["total"]["amount"], exchange["paid"]["amount"], exchange["balanceDue"]["amount"]) == (
        "27.49",
        "21.99",
        "5.50",
    )
    assert exchange["exchangeOf"]["id"] == order["id"]
    assert exchange["lines"] == [{"sku": "TEE-XL", "quantity": 1}]
    assert (await _levels(api, shop.admin, "TEE-XL"))["committed"] == 1
    original = await order_returns(api, shop.admin, order["id"])
    assert (original["paymentStatus"], original["refunded"]["amount"]) == ("PARTIALLY_REFUNDED", "21.99")
    (credit,) = original["refunds"]
    assert (credit["amount"]["amount"], credit["credited"]["amount"]) == ("0.00", "21.99")

    (fo,) = exchange["fulfillmentOrders"]
    await ship(api, shop.admin, fo["id"], "EXCH-1")
    assert (await fulfillment_of(api, shop.admin, exchange["id"]))["status"] == "SHIPPED"
    assert (await _levels(api, shop.admin, "TEE-XL"))["onHand"] == 1


async def _cheaper_exchange(api, shop):
    """A delivered TEE (21.99 with tax) swapped for a TEE-S (16.49 with tax), approved."""
    await create_product(api, shop.admin, "TEE-S", "14.99")
    await set_stock(api, shop.admin, "TEE-S", shop.location_id, 2)
    order = await delivered_order(api, shop, [("TEE", 1)])
    line = {"orderLineId": line_id(order, "TEE"), "quantity": 1, "reason": "SIZE_TOO_LARGE"}
    ret = await request_return(
        api, shop.admin, order, [{**line, "exchangeFor": {"sku": "TEE-S", "quantity": 1}}]
    )
    exchange = ok(await api(shop.admin, RETURN_APPROVE, id=ret["id"]), "returnApprove")["return"][
        "exchangeOrder"
    ]
    return order, ret, exchange


async def test_an_exchange_for_a_cheaper_item_refunds_the_difference(api, shop):
    order, _, exchange = await _cheaper_exchange(api, shop)

    assert (exchange["paymentStatus"], exchange["total"]["amount"], exchange["balanceDue"]["amount"]) == (
        "PAID",
        "16.49",
        "0.00",
    )
    original = await order_returns(api, shop.admin, order["id"])
    (settled,) = original["refunds"]
    assert (settled["amount"]["amount"], settled["credited"]["amount"]) == ("5.50", "16.49")
    assert original["refunded"]["amount"] == "21.99"
    assert "REFUND_ISSUED" in [e["type"] for e in original["events"]]


async def test_an_exchange_without_stock_is_refused_and_changes_nothing(api, shop):
    await create_product(api, shop.admin, "TEE-XL", "24.99")
    order = await delivered_order(api, shop, [("TEE", 1)])
    line = {"orderLineId": line_id(order, "TEE"), "quantity": 1, "reason": "SIZE_TOO_SMALL"}
    ret = await request_return(
        api, shop.admin, order, [{**line, "exchangeFor": {"sku": "TEE-XL", "quantity": 1}}]
    )

    payload = (await api(shop.admin, RETURN_APPROVE, id=ret["id"]))["data"]["returnApprove"]

    assert payload["return"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INSUFFICIENT_STOCK", ["lines", "0", "exchangeFor", "quantity"])
    ]
    after = await order_returns(api, shop.admin, order["id"])
    assert after["returns"][0]["status"] == "REQUESTED" and after["refunds"] == []
    assert after["refunded"]["amount"] == "0.00"


async def test_a_refund_beyond_what_was_paid_is_refused_and_changes_nothing(api, shop):
    order = await delivered_order(api, shop, [("TEE", 1)])  # 19.99 + 5.00 shipping + 2.50 tax = 27.49

    too_much = await refund(api, shop.admin, order["id"], "r-1", amount="27.50")
    beyond_line = await refund(
        api, shop.admin, order["id"], "r-2", lines=[{"orderLineId": line_id(order, "TEE"), "quantity": 2}]
    )
    beyond_shipping = await refund(api, shop.admin, order["id"], "r-3", shippingAmount="5.51")

    assert codes(too_much) == ["REFUND_EXCEEDS_PAID"]
    assert codes(beyond_line) == ["EXCEEDS_REFUNDABLE"]
    assert codes(beyond_shipping) == ["EXCEEDS_REFUNDABLE"]
    after = await order_returns(api, shop.admin, order["id"])
    assert (after["paymentStatus"], after["refunded"]["amount"], after["refunds"]) == ("PAID", "0.00", [])

    whole = await refund(api, shop.admin, order["id"], "r-4", amount="27.49")
    assert whole["order"]["paymentStatus"] == "REFUNDED"
    assert codes(await refund(api, shop.admin, order["id"], "r-5", amount="0.01")) == ["REFUND_EXCEEDS_PAID"]


async def test_a_return_outside_the_window_is_refused(api, shop, db):
    order = await delivered_order(api, shop, [("TEE", 1)])
    line = [{"orderLineId": line_id(order, "TEE"), "quantity": 1, "reason": "NO_LONGER_NEEDED"}]
    async with as_system(db) as conn:  # delivered 31 days ago; the default window is 30 days
        await conn.execute(text("UPDATE orders SET delivered_at = delivered_at - interval '31 days'"))

    body = await api(shop.admin, RETURN_REQUEST, input={"orderId": order["id"], "lines": line})

    assert codes(body["data"]["returnRequest"]) == ["RETURN_WINDOW_CLOSED"]
    ok(await api(shop.admin, SHOP_UPDATE, input={"returnWindowDays": 60}), "shopUpdate")
    assert ok(
        await api(shop.admin, RETURN_REQUEST, input={"orderId": order["id"], "lines": line}), "returnRequest"
    )


DELIVERY_TIMES = "query($id: ID!) { order(id: $id) { status deliveredAt shipments { deliveredAt } } }"


async def test_the_return_window_starts_when_the_carrier_says_the_parcel_arrived(api, shop):
    """A delivery scan that reaches Baton late: the window runs from the carrier's time, not Baton's."""
    order = await place_order(api, shop.admin, [("TEE", 1)])
    ok(await api(shop.admin, ORDER_MARK_PAID, id=order["id"], reference="pay-1"), "orderMarkPaid")
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    [fo] = (await fulfillment_of(api, shop.admin, order["id"]))["fulfillmentOrders"]
    shipment = await ship(api, shop.admin, fo["id"], "late-scan-1")
    arrived = "2026-01-05T09:30:00+00:00"
    await track(api, shop.admin, shipment["id"], "DELIVERED", occurredAt=arrived)

    found = (await api(shop.admin, DELIVERY_TIMES, id=order["id"]))["data"]["order"]
    assert found["status"] == "DELIVERED"
    assert found["deliveredAt"] == arrived == found["shipments"][0]["deliveredAt"]
    lines = (await order_returns(api, shop.admin, order["id"]))["lines"]
    line = [{"orderLineId": lines[0]["id"], "quantity": 1, "reason": "NO_LONGER_NEEDED"}]
    body = await api(shop.admin, RETURN_REQUEST, input={"orderId": order["id"], "lines": line})
    assert codes(body["data"]["returnRequest"]) == ["RETURN_WINDOW_CLOSED"]


async def test_concurrent_refunds_with_one_idempotency_key_make_one_refund(api, shop):
    order = await delivered_order(api, shop, [("TEE", 2)])
    lines = [{"orderLineId": line_id(order, "TEE"), "quantity": 1}]

    answers = await asyncio.gather(
        *(refund(api, shop.admin, order["id"], "same-key", lines=lines) for _ in range(6))
    )

    assert all(a["userErrors"] == [] for a in answers), answers
    assert len({a["refund"]["id"] for a in answers}) == 1
    assert sum(a["created"] for a in answers) == 1
    after = await order_returns(api, shop.admin, order["id"])
    assert len(after["refunds"]) == 1 and after["refunded"]["amount"] == "21.99"
    reused = await refund(api, shop.admin, order["id"], "same-key", amount="1.00")
    assert codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]


async def test_only_shipped_units_not_yet_returned_can_be_returned(api, shop):
    order = await delivered_order(api, shop, [("TEE", 2)])
    line = {"orderLineId": line_id(order, "TEE"), "reason": "DAMAGED"}
    first = await request_return(api, shop.admin, order, [{**line, "quantity": 2}])

    body = await api(
        shop.admin, RETURN_REQUEST, input={"orderId": order["id"], "lines": [{**line, "quantity": 1}]}
    )
    assert codes(body["data"]["returnRequest"]) == ["EXCEEDS_RETURNABLE"]

    declined = await api(shop.admin, RETURN_DECLINE, id=first["id"], reason="Outside policy")
    assert ok(declined, "returnDecline")["return"]["declineReason"] == "Outside policy"
    again = await request_return(api, shop.admin, order, [{**line, "quantity": 1}])
    assert again["rmaNumber"] == "RMA-1002"
    listed = (await api(shop.admin, RETURNS, orderId=order["id"]))["data"]["returns"]["nodes"]
    assert [(r["rmaNumber"], r["status"]) for r in listed] == [
        ("RMA-1002", "REQUESTED"),
        ("RMA-1001", "DECLINED"),
    ]


async def test_another_tenant_cannot_see_or_touch_a_return(api, shop, other_shop):
    order = await delivered_order(api, shop, [("TEE", 1)])
    ret = await request_return(
        api, shop.admin, order, [{"orderLineId": line_id(order, "TEE"), "quantity": 1, "reason": "OTHER"}]
    )

    body = await api(other_shop.admin, RETURN_APPROVE, id=ret["id"])
    assert codes(body["data"]["returnApprove"]) == ["NOT_FOUND"]
    assert (await api(other_shop.admin, RETURNS))["data"]["returns"]["nodes"] == []
    assert (await api(other_shop.admin, "query($id: ID!) { node(id: $id) { id } }", id=ret["id"]))[
        "data"
    ] == {"node": None}


async def test_returns_their_lines_and_refunds_are_nodes(api, shop):
    order = await delivered_order(api, shop, [("TEE", 1)])
    ret = await request_return(
        api, shop.admin, order, [{"orderLineId": line_id(order, "TEE"), "quantity": 1, "reason": "OTHER"}]
    )
    done = await refund(api, shop.admin, order["id"], "node-1", amount="1.00")
    ids = [ret["id"], ret["lines"][0]["id"], done["refund"]["id"]]

    body = await api(
        shop.admin,
        """query($ids: [ID!]!) { nodes(ids: $ids) {
          __typename
          ... on Return { rmaNumber }
          ... on ReturnLine { quantity orderLine { sku } }
          ... on Refund { amount { amount } }
        } }""",
        ids=ids,
    )

    assert body["data"]["nodes"] == [
        {"__typename": "Return", "rmaNumber": "RMA-1001"},
        {"__typename": "ReturnLine", "quantity": 1, "orderLine": {"sku": "TEE"}},
        {"__typename": "Refund", "amount": {"amount": "1.00"}},
    ]


async def test_a_return_refunded_before_its_goods_arrive_is_neither_cancelled_nor_closed_until_they_do(
    api, shop
):
    from tests.api.return_documents import RETURN_CANCEL

    order = await delivered_order(api, shop, [("TEE", 2)])
    line = {"orderLineId": line_id(order, "TEE"), "quantity": 2, "reason": "NOT_AS_DESCRIBED"}
    ret = await request_return(api, shop.admin, order, [line])
    ok(await api(shop.admin, RETURN_APPROVE, id=ret["id"]), "returnApprove")
    paid_early = await refund(
        api,
        shop.admin,
        order["id"],
        "early",
        returnId=ret["id"],
        lines=[{"orderLineId": line_id(order, "TEE"), "quantity": 2}],
    )
    assert paid_early["userErrors"] == []

    cancelled = await api(shop.admin, RETURN_CANCEL, id=ret["id"])
    assert codes(cancelled["data"]["returnCancel"]) == ["RETURN_NOT_CANCELLABLE"]
    closed = await api(shop.admin, RETURN_CLOSE, id=ret["id"])
    assert codes(closed["data"]["returnClose"]) == ["RETURN_UNITS_OUTSTANDING"]

    receipt = [{"returnLineId": ret["lines"][0]["id"], "quantity": 2, "condition": "RESELLABLE"}]
    ok(
        await api(shop.admin, RETURN_RECEIVE, id=ret["id"], locationId=shop.location_id, lines=receipt),
        "returnReceive",
    )
    closed = ok(await api(shop.admin, RETURN_CLOSE, id=ret["id"]), "returnClose")["return"]
    assert (closed["status"], closed["order"]["returnStatus"]) == ("CLOSED", "RETURNED")


async def test_a_return_whose_goods_never_come_is_closed_and_its_units_may_be_returned_again(api, shop):
    order = await delivered_order(api, shop, [("TEE", 1)])
    line = {"orderLineId": line_id(order, "TEE"), "quantity": 1, "reason": "WRONG_ITEM"}
    ret = await request_return(api, shop.admin, order, [line])
    ok(await api(shop.admin, RETURN_APPROVE, id=ret["id"]), "returnApprove")

    closed = ok(await api(shop.admin, RETURN_CLOSE, id=ret["id"]), "returnClose")["return"]

    assert (closed["status"], closed["order"]["returnStatus"]) == ("CLOSED", "NO_RETURN")
    assert (await request_return(api, shop.admin, order, [line]))["rmaNumber"] == "RMA-1002"


async def test_an_exchange_whose_goods_have_not_arrived_cannot_be_closed_and_its_order_not_cancelled(
    api, shop
):
    from tests.api.documents import ORDER_CANCEL

    _, ret, exchange = await _cheaper_exchange(api, shop)

    closed = await api(shop.admin, RETURN_CLOSE, id=ret["id"])
    cancelled = await api(shop.admin, ORDER_CANCEL, id=exchange["id"])

    assert codes(closed["data"]["returnClose"]) == ["RETURN_UNITS_OUTSTANDING"]
    assert codes(cancelled["data"]["orderCancel"]) == ["ORDER_NOT_CANCELLABLE"]
    assert (await order_returns(api, shop.admin, exchange["id"]))["status"] == "CONFIRMED"


async def test_an_exchange_is_at_most_the_units_returned_and_its_sku_is_checked(api, shop):
    order = await delivered_order(api, shop, [("TEE", 1)])
    base = {"orderLineId": line_id(order, "TEE"), "quantity": 1, "reason": "SIZE_TOO_SMALL"}
    lines = [{**base, "exchangeFor": {"sku": "MUG", "quantity": 2}}]

    too_many = await api(shop.admin, RETURN_REQUEST, input={"orderId": order["id"], "lines": lines})
    nul = await api(
        shop.admin,
        RETURN_REQUEST,
        input={
            "orderId": order["id"],
            "lines": [{**base, "exchangeFor": {"sku": "MU\u0000G", "quantity": 1}}],
        },
    )

    assert [(e["code"], e["field"]) for e in too_many["data"]["returnRequest"]["userErrors"]] == [
        ("INVALID_QUANTITY", ["lines", "0", "exchangeFor", "quantity"])
    ]
    assert [(e["code"], e["field"]) for e in nul["data"]["returnRequest"]["userErrors"]] == [
        ("INVALID", ["lines", "0", "exchangeFor", "sku"])
    ]
    assert (await order_returns(api, shop.admin, order["id"]))["returns"] == []


DAMAGED_RESOLVE = """
mutation($input: InventoryDamagedResolveInput!) {
  inventoryDamagedResolve(input: $input) {
    inventoryLevel { onHand committed damaged }
    userErrors { field message code }
  }
}"""


async def test_damaged_returned_units_are_written_off_or_put_back_on_sale(api, shop):
    order = await delivered_order(api, shop, [("TEE", 2)])
    line = {"orderLineId": line_id(order, "TEE"), "quantity": 2, "reason": "DAMAGED"}
    ret = await request_return(api, shop.admin, order, [line])
    ok(await api(shop.admin, RETURN_APPROVE, id=ret["id"]), "returnApprove")
    receipt = [{"returnLineId": ret["lines"][0]["id"], "quantity": 2, "condition": "DAMAGED"}]
    ok(
        await api(shop.admin, RETURN_RECEIVE, id=ret["id"], locationId=shop.location_id, lines=receipt),
        "returnReceive",
    )
    step = {"sku": "TEE", "locationId": shop.location_id, "quantity": 1}

    restocked = await api(
        shop.admin, DAMAGED_RESOLVE, input={**step, "outcome": "RESTOCKED", "note": "repaired"}
    )
    disposed = await api(shop.admin, DAMAGED_RESOLVE, input={**step, "outcome": "DISPOSED"})
    too_many = await api(shop.admin, DAMAGED_RESOLVE, input={**step, "outcome": "DISPOSED"})

    assert ok(restocked, "inventoryDamagedResolve")["inventoryLevel"] == {
        "onHand": 9,
        "committed": 0,
        "damaged": 1,
    }
    assert ok(disposed, "inventoryDamagedResolve")["inventoryLevel"] == {
        "onHand": 9,
        "committed": 0,
        "damaged": 0,
    }
    assert codes(too_many["data"]["inventoryDamagedResolve"]) == ["NEGATIVE_STOCK"]
    ledger = (await api(shop.admin, INVENTORY_MOVEMENTS, sku="TEE"))["data"]["inventoryMovements"]["nodes"]
    assert [m["kind"] for m in ledger[:3]] == ["DISPOSED", "RESTOCKED", "RETURNED_DAMAGED"]
