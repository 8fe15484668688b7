"""The other hot mutations of bench/writes.py, one figure each: orderConfirm on the orders the orderCreate
runs placed, orderMarkPaid on those confirmed, shipmentCreate on their fulfillment orders, and
inventoryAdjust (RECEIVED, one unit) across the bench SKUs. Each request of a run acts on an object of its
own: a run's requests are the pool of objects still waiting for that mutation, newest first, and a run
that asks for more than the pool holds says so (the rest would be answered with userErrors)."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg

from bench import write_seed
from domain.ids import to_global

USER_ERRORS = "userErrors { field message code }"
ORDER_CONFIRM = f"""mutation($id: ID!) {{ orderConfirm(input: {{id: $id}}) {{
  order {{ id status confirmedAt }} {USER_ERRORS} }} }}"""
ORDER_MARK_PAID = f"""mutation($id: ID!, $reference: String!) {{
  orderMarkPaid(input: {{id: $id, reference: $reference}}) {{
  order {{ id paymentStatus paid {{ amount }} balanceDue {{ amount }} }} {USER_ERRORS} }} }}"""
SHIPMENT_CREATE = f"""mutation($input: ShipmentCreateInput!) {{ shipmentCreate(input: $input) {{
  shipment {{ id status trackingNumber lines {{ sku quantity }} }} {USER_ERRORS} }} }}"""
INVENTORY_ADJUST = f"""mutation($sku: String!, $locationId: ID!, $delta: Int!, $reason: InventoryAdjustReason!) {{
  inventoryAdjust(input: {{sku: $sku, locationId: $locationId, delta: $delta, reason: $reason}}) {{
  inventoryLevel {{ onHand committed available }} {USER_ERRORS} }} }}"""

POOLS = {
    "orderConfirm": "SELECT id FROM orders WHERE tenant_id = $1 AND status = 'PENDING' ORDER BY number DESC LIMIT $2",
    "orderMarkPaid": "SELECT id FROM orders WHERE tenant_id = $1 AND status = 'CONFIRMED' AND paid = 0 "
    "ORDER BY number DESC LIMIT $2",
    "shipmentCreate": "SELECT f.id FROM fulfillment_orders f JOIN orders o ON o.id = f.order_id "
    "WHERE f.tenant_id = $1 AND f.status = 'OPEN' ORDER BY o.number DESC LIMIT $2",
}


async def _pool(url: str, tenant_id: uuid.UUID, mutation: str, limit: int) -> list[uuid.UUID]:
    conn = await asyncpg.connect(url, server_settings={"app.scope": "system"})
    try:
        return [r["id"] for r in await conn.fetch(POOLS[mutation], tenant_id, limit)]
    finally:
        await conn.close()


def requests(
    url: str, tenant: write_seed.WriteTenant, mutation: str, limit: int = 20_000
) -> tuple[str, list[Any]]:
    """The document and one set of variables per request."""
    if mutation == "inventoryAdjust":
        location = to_global("Location", tenant.location_id)
        skus = write_seed.SKUS
        variables = [
            {"sku": skus[i % len(skus)], "locationId": location, "delta": 1, "reason": "RECEIVED"}
            for i in range(len(skus) * 40)
        ]
        return INVENTORY_ADJUST, variables
    ids = asyncio.run(_pool(url, tenant.tenant_id, mutation, limit))
    if mutation == "orderConfirm":
        return ORDER_CONFIRM, [{"id": to_global("Order", i)} for i in ids]
    if mutation == "orderMarkPaid":
        return ORDER_MARK_PAID, [{"id": to_global("Order", i), "reference": f"bench-{i}"} for i in ids]
    run = uuid.uuid4().hex[:8]
    return SHIPMENT_CREATE, [
        {
            "input": {
                "fulfillmentOrderId": to_global("FulfillmentOrder", i),
                "carrier": "generic",
                "trackingNumber": f"BW{run}{n}",
            }
        }
        for n, i in enumerate(ids)
    ]


def pooled(mutation: str) -> bool:
    return mutation in POOLS


def body(document: str, variables: dict[str, Any]) -> str:
    return json.dumps({"query": document, "variables": variables})


MUTATIONS = ("orderConfirm", "orderMarkPaid", "shipmentCreate", "inventoryAdjust")
