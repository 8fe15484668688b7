"""Listing returns with their lines, orders and refunds batches like the order lists do."""

from __future__ import annotations

from tests.api.documents import ok, set_stock
from tests.api.query_counting import statements_for
from tests.api.return_documents import (
    RETURN_APPROVE,
    RETURN_RECEIVE,
    delivered_order,
    line_id,
    refund,
    request_return,
)

RETURNS_DEEP = """
query($first: Int!) {
  returns(first: $first) {
    nodes {
      rmaNumber status
      order { number returnStatus }
      exchangeOrder { number }
      lines { quantity receivedQuantity orderLine { sku } }
      refunds { amount { amount } lines { quantity orderLine { sku } } }
    }
  }
}
"""
# The key lookup, then one batched read each: returns, orders, return lines, order lines, refunds,
# refund lines.
RETURNS_STATEMENTS = 3 + 6 * 3


async def test_listing_returns_with_lines_orders_and_refunds_does_not_grow_with_the_page(api, shop):
    await set_stock(api, shop.admin, "TEE", shop.location_id, 100)
    for i in range(12):
        order = await delivered_order(api, shop, [("TEE", 1)])
        line = {"orderLineId": line_id(order, "TEE"), "quantity": 1, "reason": "DAMAGED"}
        ret = await request_return(api, shop.admin, order, [line])
        ok(await api(shop.admin, RETURN_APPROVE, id=ret["id"]), "returnApprove")
        receipt = [{"returnLineId": ret["lines"][0]["id"], "quantity": 1, "condition": "DAMAGED"}]
        ok(
            await api(shop.admin, RETURN_RECEIVE, id=ret["id"], locationId=shop.location_id, lines=receipt),
            "returnReceive",
        )
        assert (await refund(api, shop.admin, order["id"], f"q-{i}", returnId=ret["id"]))["userErrors"] == []

    three = await statements_for(api, shop.admin, RETURNS_DEEP, first=3)
    twelve = await statements_for(api, shop.admin, RETURNS_DEEP, first=12)

    assert twelve == three
    assert three <= RETURNS_STATEMENTS
    nodes = (await api(shop.admin, RETURNS_DEEP, first=12))["data"]["returns"]["nodes"]
    assert len(nodes) == 12
    assert all(n["refunds"][0]["lines"][0]["orderLine"]["sku"] == "TEE" for n in nodes)
