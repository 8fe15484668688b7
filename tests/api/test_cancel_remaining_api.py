"""Cancelling what has not shipped of a partly shipped order, through the API."""

from __future__ import annotations

from tests.api.documents import (
    ORDER_CANCEL,
    ORDER_CONFIRM,
    ORDER_MARK_PAID,
    codes,
    create_location,
    ok,
    place_order,
    set_stock,
    stock_of,
)
from tests.api.fulfillment_documents import fulfillment_of, ship, track
from tests.api.return_documents import order_returns

CANCEL_REMAINING = """
mutation($id: ID!, $reason: String) {
  orderCancelRemaining(input: {id: $id, reason: $reason}) {
    order { id status fulfillmentStatus paymentStatus refunded { amount } }
    userErrors { field message code }
  }
}"""


async def _partly_shipped(api, shop):
    """TEE x2 from the main warehouse (shipped), MUG x3 from a store (not shipped); paid in full."""
    store = await create_location(api, shop.admin, "Store", priority=2)
    await set_stock(api, shop.admin, "MUG", shop.location_id, 0)
    await set_stock(api, shop.admin, "MUG", store, 5)
    order = await place_order(api, shop.admin, [("TEE", 2), ("MUG", 3)])
    ok(await api(shop.admin, ORDER_MARK_PAID, id=order["id"], reference="pay-1"), "orderMarkPaid")
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    found = await fulfillment_of(api, shop.admin, order["id"])
    main = next(fo for fo in found["fulfillmentOrders"] if fo["location"]["id"] == shop.location_id)
    shipment = await ship(api, shop.admin, main["id"], "1Z-PART")
    return order, shipment


async def test_the_unshipped_rest_of_a_partly_shipped_order_is_cancelled_released_and_refunded(api, shop):
    order, _ = await _partly_shipped(api, shop)
    assert (await stock_of(api, shop.admin, "MUG"))["committed"] == 3

    body = await api(shop.admin, CANCEL_REMAINING, id=order["id"], reason="Customer no longer wants mugs")

    done = ok(body, "orderCancelRemaining")["order"]
    assert (done["status"], done["fulfillmentStatus"]) == ("SHIPPED", "FULFILLED")
    # 3 MUG at 8.50 plus 10 % tax: 25.50 + 2.55
    assert (done["paymentStatus"], done["refunded"]["amount"]) == ("PARTIALLY_REFUNDED", "28.05")
    mug = await stock_of(api, shop.admin, "MUG")
    assert (mug["onHand"], mug["committed"]) == (5, 0)
    after = await fulfillment_of(api, shop.admin, order["id"])
    assert sorted(fo["status"] for fo in after["fulfillmentOrders"]) == ["CANCELLED", "CLOSED"]
    types = [e["type"] for e in after["events"]]
    assert {"ORDER_REMAINDER_CANCELLED", "ORDER_STOCK_RELEASED", "REFUND_ISSUED"} <= set(types)
    refunds = (await order_returns(api, shop.admin, order["id"]))["refunds"]
    assert [(x["orderLine"]["sku"], x["quantity"]) for x in refunds[0]["lines"]] == [("MUG", 3)]


async def test_an_order_whose_shipments_were_all_delivered_is_delivered_once_the_rest_is_cancelled(api, shop):
    order, shipment = await _partly_shipped(api, shop)
    await track(api, shop.admin, shipment["id"], "DELIVERED")

    done = ok(await api(shop.admin, CANCEL_REMAINING, id=order["id"]), "orderCancelRemaining")["order"]

    assert done["status"] == "DELIVERED"


async def test_only_a_partly_shipped_order_can_cancel_its_remainder(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")

    body = await api(shop.admin, CANCEL_REMAINING, id=order["id"])

    assert codes(body["data"]["orderCancelRemaining"]) == ["ORDER_NOT_CANCELLABLE"]
    assert (
        "cancel the whole order instead" in body["data"]["orderCancelRemaining"]["userErrors"][0]["message"]
    )
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 1
    ok(await api(shop.admin, ORDER_CANCEL, id=order["id"]), "orderCancel")
