"""GraphQL documents and steps for fulfillment, shipping and tracking tests."""

from __future__ import annotations

from typing import Any

from tests.api.documents import ok

FULFILLMENT_ORDER = """
  id status priority shipBy
  location { id name }
  holds { reason note releasedAt }
  lines { id sku quantity shippedQuantity remainingQuantity status binCode locationCode }
  pickList { sku quantity binCode locationCode }
  packages { weightGrams lengthMm }
"""

ORDER_FULFILLMENT = f"""
query OrderFulfillment($id: ID!) {{
  order(id: $id) {{
    id status fulfillmentStatus priority computedPriority priorityOverride shipBy shipmentException
    deliveredAt
    lines {{ sku quantity quantityShipped quantityBackordered }}
    fulfillmentOrders {{ {FULFILLMENT_ORDER} }}
    shipments {{
      id trackingNumber trackingUrl status carrier {{ code name }} service deliveredAt
      lines {{ sku quantity }}
      trackingEvents {{ status occurredAt location description carrierStatus source }}
    }}
    events {{ type message data }}
  }}
}}
"""

FO_PAYLOAD = f"fulfillmentOrder {{ {FULFILLMENT_ORDER} }} userErrors {{ field message code }}"

FO_HOLD = f"""
mutation($id: ID!, $reason: FulfillmentHoldReason!, $note: String) {{
  fulfillmentOrderHold(input: {{id: $id, reason: $reason, note: $note}}) {{ {FO_PAYLOAD} }}
}}"""
FO_RELEASE = f"""
mutation($id: ID!, $reason: FulfillmentHoldReason!) {{
  fulfillmentOrderReleaseHold(input: {{id: $id, reason: $reason}}) {{ {FO_PAYLOAD} }}
}}"""
FO_START = f"""
mutation($id: ID!) {{ fulfillmentOrderStartPicking(input: {{id: $id}}) {{ {FO_PAYLOAD} }} }}"""
FO_PACK = f"""
mutation($id: ID!, $packages: [PackageInput!]!) {{
  fulfillmentOrderMarkPacked(input: {{id: $id, packages: $packages}}) {{ {FO_PAYLOAD} }}
}}"""
FO_MOVE = f"""
mutation($id: ID!, $locationId: ID!, $lines: [FulfillmentOrderLineInput!]) {{
  fulfillmentOrderMove(input: {{id: $id, locationId: $locationId, lines: $lines}}) {{ {FO_PAYLOAD} }}
}}"""
SHIPMENT_CREATE = """
mutation($input: ShipmentCreateInput!) {
  shipmentCreate(input: $input) {
    shipment { id status trackingNumber trackingUrl lines { sku quantity } }
    userErrors { field message code }
  }
}"""
TRACKING_ADD = """
mutation($input: ShipmentTrackingEventAddInput!) {
  shipmentTrackingEventAdd(input: $input) {
    shipment { id status } stored
    userErrors { field message code }
  }
}"""
SET_PRIORITY = """
mutation($id: ID!, $priority: Int, $reason: String) {
  orderSetPriority(input: {id: $id, priority: $priority, reason: $reason}) {
    order { id priority computedPriority priorityOverride }
    userErrors { field message code }
  }
}"""
SET_TIER = """
mutation($id: ID!, $tier: CustomerTier!) {
  customerSetTier(input: {id: $id, tier: $tier}) { customer { id tier } userErrors { field message code } }
}"""
CARRIER_SECRET = """
mutation($carrier: String!) {
  carrierSecretCreate(input: {carrier: $carrier}) { secret userErrors { field message code } }
}"""
QUEUE = f"""
query($locationId: ID!, $first: Int, $after: String) {{
  fulfillmentQueue(locationId: $locationId, first: $first, after: $after) {{
    nodes {{ {FULFILLMENT_ORDER} order {{ number }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""


async def fulfillment_of(api: Any, key: str, order_id: str) -> dict[str, Any]:
    body = await api(key, ORDER_FULFILLMENT, id=order_id)
    assert "errors" not in body, body
    return body["data"]["order"]


async def ship(
    api: Any, key: str, fo_id: str, number: str, lines: list[tuple[str, int]] | None = None
) -> dict:
    data: dict[str, Any] = {"fulfillmentOrderId": fo_id, "carrier": "generic", "trackingNumber": number}
    if lines is not None:
        data["lines"] = [{"id": line_id, "quantity": q} for line_id, q in lines]
    return ok(await api(key, SHIPMENT_CREATE, input=data), "shipmentCreate")["shipment"]


async def track(api: Any, key: str, shipment_id: str, status: str, **more: Any) -> dict[str, Any]:
    body = await api(key, TRACKING_ADD, input={"shipmentId": shipment_id, "status": status, **more})
    return ok(body, "shipmentTrackingEventAdd")
