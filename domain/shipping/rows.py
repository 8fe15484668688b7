"""Writing a shipment in one statement, written once and run on the unit of work's own connection: the
shipment (its unique key on carrier + tracking number decides duplicates), its lines, the units leaving
their levels (onHand and committed) with a SHIPPED ledger row each, the allocations' shipped units, and
the fulfillment order's and the order's new status where they changed.

The caller has locked the order, the levels, the fulfillment order and the allocations
(domain/fulfillment/repository.py lock_fulfillment_lean) and checked the rules, so the figures it
computed from the locked rows are the figures written; the tables' check constraints still guard them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from domain.fulfillment.models import FulfillmentOrder
from domain.inventory.models import MovementKind
from domain.orders.models import Order
from domain.reading import Row
from domain.shipping.models import Shipment
from domain.uow import Transaction

SHIP = """
WITH shipment AS (
  INSERT INTO shipments (id, tenant_id, order_id, fulfillment_order_id, location_id, carrier, service,
    tracking_number, tracking_url, status, status_at, delivered_at, created_at, updated_at)
  VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6::text, $7::text, $8::text, $9::text,
    $10::text, NULL, NULL, $11::timestamptz, $11::timestamptz)
), level AS (
  UPDATE inventory_levels l SET on_hand = l.on_hand - w.qty, committed = l.committed - w.qty, updated_at = $11
  FROM unnest($12::uuid[], $13::int[]) AS w(id, qty)
  WHERE l.id = w.id
), allocation AS (
  UPDATE order_allocations a SET shipped = a.shipped + w.qty
  FROM unnest($14::uuid[], $15::int[]) AS w(id, qty)
  WHERE a.id = w.id
), ledger AS (
  INSERT INTO inventory_movements (tenant_id, level_id, product_id, location_id, kind, on_hand_delta,
    committed_delta, on_hand_after, committed_after, damaged_delta, damaged_after, order_id, actor,
    created_at)
  SELECT $2::uuid, m.level_id, m.product_id, m.location_id, $16::text, -m.qty, -m.qty, m.on_hand_after,
    m.committed_after, 0, m.damaged_after, $3::uuid, $17::text, $11::timestamptz
  FROM unnest($18::uuid[], $19::uuid[], $20::uuid[], $21::int[], $22::int[], $23::int[], $24::int[])
    WITH ORDINALITY AS m(level_id, product_id, location_id, qty, on_hand_after, committed_after,
      damaged_after, n)
  ORDER BY m.n
), line AS (
  INSERT INTO shipment_lines (id, tenant_id, shipment_id, allocation_id, order_line_id, sku, quantity)
  SELECT s.id, $2::uuid, $1::uuid, s.allocation_id, s.order_line_id, s.sku, s.quantity
  FROM unnest($25::uuid[], $26::uuid[], $27::uuid[], $28::text[], $29::int[])
    WITH ORDINALITY AS s(id, allocation_id, order_line_id, sku, quantity, n)
  ORDER BY s.n
  RETURNING id, tenant_id, shipment_id, allocation_id, order_line_id, sku, quantity
), fulfillment AS (
  UPDATE fulfillment_orders SET status = $30::text, updated_at = $11
  WHERE tenant_id = $2 AND id = $4 AND $31::bool
), head AS (
  UPDATE orders SET status = $32::text, fulfillment_status = $33::text, shipped_at = $34::timestamptz,
    version = $35::int, updated_at = $11
  WHERE tenant_id = $2 AND id = $3 AND $36::bool
)
SELECT id, tenant_id, shipment_id, allocation_id, order_line_id, sku, quantity FROM line ORDER BY sku
"""

SHIPMENTS_UNIQUE = "uq_shipments_tenant_id_carrier_tracking_number"


@dataclass(frozen=True)
class Movement:
    """Units of one allocation leaving one level, with the level's balances after them."""

    level_id: uuid.UUID
    product_id: uuid.UUID
    location_id: uuid.UUID
    quantity: int
    on_hand_after: int
    committed_after: int
    damaged_after: int


@dataclass(frozen=True)
class NewShipmentLine:
    allocation_id: uuid.UUID
    order_line_id: uuid.UUID
    sku: str
    quantity: int
    id: uuid.UUID


async def write_shipment(
    tx: Transaction,
    shipment: Shipment,
    movements: list[Movement],
    lines: list[NewShipmentLine],
    now: datetime,
    fo: FulfillmentOrder | None,
    order: Order | None,
) -> list[Row]:
    """Writes it all, with the fulfillment order's status and the order's status, fulfillment status,
    shipped_at and version as they now are (None: unchanged); returns the shipment's lines as the
    lines_by_shipment loader reads them (its columns, ordered by SKU). Raises asyncpg's
    UniqueViolationError on a duplicate tracking number."""
    per_level: dict[uuid.UUID, int] = {}
    for m in movements:
        per_level[m.level_id] = per_level.get(m.level_id, 0) + m.quantity
    per_allocation: dict[uuid.UUID, int] = {}
    for line in lines:
        per_allocation[line.allocation_id] = per_allocation.get(line.allocation_id, 0) + line.quantity
    driver = await tx.driver()
    return await driver.fetch(
        SHIP,
        shipment.id,
        tx.tenant_id,
        shipment.order_id,
        shipment.fulfillment_order_id,
        shipment.location_id,
        shipment.carrier,
        shipment.service,
        shipment.tracking_number,
        shipment.tracking_url,
        shipment.status,
        now,
        list(per_level),
        list(per_level.values()),
        list(per_allocation),
        list(per_allocation.values()),
        MovementKind.SHIPPED.value,
        tx.actor,
        [m.level_id for m in movements],
        [m.product_id for m in movements],
        [m.location_id for m in movements],
        [m.quantity for m in movements],
        [m.on_hand_after for m in movements],
        [m.committed_after for m in movements],
        [m.damaged_after for m in movements],
        [line.id for line in lines],
        [line.allocation_id for line in lines],
        [line.order_line_id for line in lines],
        [line.sku for line in lines],
        [line.quantity for line in lines],
        fo.status if fo else None,
        fo is not None,
        order.status if order else None,
        order.fulfillment_status if order else None,
        order.shipped_at if order else None,
        order.version if order else None,
        order is not None,
        record_class=Row,
    )
