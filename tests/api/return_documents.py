"""GraphQL documents and steps for returns, exchanges and refunds tests."""

from __future__ import annotations

from typing import Any

from tests.api.documents import ORDER_CONFIRM, ORDER_MARK_PAID, ok
from tests.api.fulfillment_documents import fulfillment_of, ship, track

RETURN = """
  id rmaNumber status customerNote declineReason carrier trackingNumber
  lines {
    id quantity reason note receivedQuantity resellableQuantity damagedQuantity defectiveQuantity
    refundedQuantity exchangeFor { sku quantity } orderLine { sku }
  }
  exchangeOrder {
    id number status paymentStatus total { amount } paid { amount } balanceDue { amount }
    exchangeOf { id } lines { sku quantity } fulfillmentOrders { id status }
  }
  order { id returnStatus }
"""
RETURN_PAYLOAD = f"return {{ {RETURN} }} userErrors {{ field message code }}"

RETURN_REQUEST = f"""
mutation($input: ReturnRequestInput!) {{ returnRequest(input: $input) {{ {RETURN_PAYLOAD} }} }}"""
RETURN_APPROVE = f"""
mutation($id: ID!) {{ returnApprove(input: {{id: $id}}) {{ {RETURN_PAYLOAD} }} }}"""
RETURN_DECLINE = f"""
mutation($id: ID!, $reason: String!) {{
  returnDecline(input: {{id: $id, reason: $reason}}) {{ {RETURN_PAYLOAD} }}
}}"""
RETURN_IN_TRANSIT = f"""
mutation($id: ID!, $trackingNumber: String!) {{
  returnMarkInTransit(input: {{id: $id, trackingNumber: $trackingNumber}}) {{ {RETURN_PAYLOAD} }}
}}"""
RETURN_RECEIVE = f"""
mutation($id: ID!, $locationId: ID!, $lines: [ReturnReceiveLineInput!]!) {{
  returnReceive(input: {{id: $id, locationId: $locationId, lines: $lines}}) {{ {RETURN_PAYLOAD} }}
}}"""
RETURN_CLOSE = f"""
mutation($id: ID!) {{ returnClose(input: {{id: $id}}) {{ {RETURN_PAYLOAD} }} }}"""
RETURN_CANCEL = f"""
mutation($id: ID!) {{ returnCancel(input: {{id: $id}}) {{ {RETURN_PAYLOAD} }} }}"""

REFUND = """
  id amount { amount currencyCode } credited { amount } linesAmount { amount } shippingAmount { amount }
  extraAmount { amount } restockingFee { amount } reason idempotencyKey
  lines { quantity amount { amount } restockingFee { amount } orderLine { sku } }
  return { id rmaNumber }
"""
REFUND_CREATE = f"""
mutation($input: RefundCreateInput!) {{
  refundCreate(input: $input) {{
    refund {{ {REFUND} }}
    order {{ id paymentStatus paid {{ amount }} refunded {{ amount }} }}
    created
    userErrors {{ field message code }}
  }}
}}"""

ORDER_RETURNS = f"""
query($id: ID!) {{
  order(id: $id) {{
    id status paymentStatus returnStatus total {{ amount }} paid {{ amount }} refunded {{ amount }}
    lines {{ id sku quantity }}
    returns {{ {RETURN} }}
    refunds {{ {REFUND} }}
    events {{ type message }}
  }}
}}"""
RETURNS = """
query($status: [ReturnStatus!], $orderId: ID, $first: Int, $after: String) {
  returns(status: $status, orderId: $orderId, first: $first, after: $after) {
    nodes { id rmaNumber status }
    pageInfo { hasNextPage endCursor }
  }
}"""
LEVELS = """
query($sku: String!) {
  product(sku: $sku) { inventory { onHand committed damaged levels { onHand committed damaged } } }
}"""


async def delivered_order(api: Any, shop: Any, lines: list[tuple[str, int]]) -> dict[str, Any]:
    """An order placed, paid in full, confirmed, shipped and delivered; returns it with its lines."""
    from tests.api.documents import place_order

    return await deliver(api, shop, await place_order(api, shop.admin, lines))


async def deliver(api: Any, shop: Any, order: dict[str, Any]) -> dict[str, Any]:
    """The placed order paid in full, confirmed, shipped and delivered; returns it with its lines."""
    ok(await api(shop.admin, ORDER_MARK_PAID, id=order["id"], reference="pay-1"), "orderMarkPaid")
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    for i, fo in enumerate((await fulfillment_of(api, shop.admin, order["id"]))["fulfillmentOrders"]):
        shipment = await ship(api, shop.admin, fo["id"], f"{order['id'][-6:]}-{i}")
        await track(api, shop.admin, shipment["id"], "DELIVERED")
    return await order_returns(api, shop.admin, order["id"])


async def order_returns(api: Any, key: str, order_id: str) -> dict[str, Any]:
    body = await api(key, ORDER_RETURNS, id=order_id)
    assert "errors" not in body, body
    return body["data"]["order"]


def line_id(order: dict[str, Any], sku: str) -> str:
    return next(line["id"] for line in order["lines"] if line["sku"] == sku)


async def request_return(api: Any, key: str, order: dict[str, Any], lines: list[dict[str, Any]]) -> dict:
    body = await api(key, RETURN_REQUEST, input={"orderId": order["id"], "lines": lines})
    return ok(body, "returnRequest")["return"]


async def refund(api: Any, key: str, order_id: str, key_: str, **more: Any) -> dict[str, Any]:
    data = {"orderId": order_id, "reason": "Customer return", "idempotencyKey": key_, **more}
    return (await api(key, REFUND_CREATE, input=data))["data"]["refundCreate"]
