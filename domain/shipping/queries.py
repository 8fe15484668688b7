"""Read side of shipping: batch queries for dataloaders."""

from __future__ import annotations

import uuid

from domain.reading import Reader, Row, by_keys, grouped, one_each
from domain.shipping.models import Shipment, ShipmentLine, TrackingEvent

shipments = Shipment.__table__
shipment_lines = ShipmentLine.__table__
tracking = TrackingEvent.__table__

SHIPMENTS_BY_ID = by_keys(shipments, "id")
SHIPMENTS_BY_ORDER = by_keys(shipments, "order_id", "order_id", "created_at", "id")
SHIPMENTS_BY_FULFILLMENT_ORDER = by_keys(
    shipments, "fulfillment_order_id", "fulfillment_order_id", "created_at"
)
LINES_BY_SHIPMENT = by_keys(shipment_lines, "shipment_id", "shipment_id", "sku")
TRACKING_BY_SHIPMENT = by_keys(tracking, "shipment_id", "shipment_id", "occurred_at", "created_at")


async def by_ids(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(SHIPMENTS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def by_order(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(SHIPMENTS_BY_ORDER, tenant=tenant_id, keys=ids), "order_id")


async def by_fulfillment_order(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    rows = await reader.all(SHIPMENTS_BY_FULFILLMENT_ORDER, tenant=tenant_id, keys=ids)
    return grouped(rows, "fulfillment_order_id")


async def lines_by_shipment(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(LINES_BY_SHIPMENT, tenant=tenant_id, keys=ids), "shipment_id")


async def tracking_by_shipment(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(TRACKING_BY_SHIPMENT, tenant=tenant_id, keys=ids), "shipment_id")
