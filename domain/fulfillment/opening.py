"""Opening an order's fulfillment orders when it is confirmed: which ones (a rule, shared by the ORM
step in service.py and the lean one here), and the lean step itself, which locks as the ORM one does and
then writes the confirmed order, its fulfillment orders, their allocations and holds in one statement."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from domain.db import new_id, utcnow
from domain.fulfillment.models import FulfillmentHold, FulfillmentOrder
from domain.fulfillment.picking import new_fulfillment_order
from domain.fulfillment.status import HoldReason
from domain.inventory.repository import lock_levels_lean
from domain.orders.models import Order
from domain.orders.rows import columns
from domain.uow import Transaction

# The order's held allocations, locked after their levels (as receipts take them) and read once those
# are held, in a statement of their own: a split that a receipt committed while we waited is then seen.
LOCK_HELD = """
SELECT id, location_id, status = 'BACKORDERED' AS backordered, quantity - shipped AS unshipped
FROM order_allocations
WHERE tenant_id = $1 AND order_id = $2 AND status IN ('RESERVED', 'BACKORDERED')
ORDER BY product_id, created_at, id FOR UPDATE
"""
WRITE = """
WITH head AS (
  UPDATE orders SET status = $3::text, confirmed_at = $4::timestamptz, updated_at = $5::timestamptz,
    version = $6::int
  WHERE tenant_id = $1::uuid AND id = $2::uuid
), opened AS (
  INSERT INTO fulfillment_orders (id, tenant_id, order_id, location_id, status, resume_status, priority,
    ship_by, packages, created_at, updated_at)
  SELECT f.id, $1::uuid, $2::uuid, f.location_id, f.status, f.resume_status, f.priority, f.ship_by,
    '[]'::jsonb, $5::timestamptz, $5::timestamptz
  FROM unnest($7::uuid[], $8::uuid[], $9::text[], $10::text[], $11::int[], $12::timestamptz[])
    WITH ORDINALITY AS f(id, location_id, status, resume_status, priority, ship_by, n)
  ORDER BY f.n
), assigned AS (
  UPDATE order_allocations a SET fulfillment_order_id = x.fo_id
  FROM unnest($13::uuid[], $14::uuid[]) AS x(id, fo_id)
  WHERE a.tenant_id = $1::uuid AND a.id = x.id
)
INSERT INTO fulfillment_holds (id, tenant_id, fulfillment_order_id, reason, note, actor, created_at)
SELECT h.id, $1::uuid, h.fo_id, h.reason, h.note, $15::text, $5::timestamptz
FROM unnest($16::uuid[], $17::uuid[], $18::text[], $19::text[])
  WITH ORDINALITY AS h(id, fo_id, reason, note, n)
ORDER BY h.n
"""
WAITING = "Waiting for stock to arrive"
HIGH_RISK = "HIGH"  # domain/risk/rules.py RiskLevel.HIGH


def risky(order: Order) -> str:
    return f"Fraud risk HIGH (score {order.risk_score}): review the order's risk facts before releasing"


@dataclass(frozen=True)
class Held:
    """Units of one allocation the order still holds."""

    id: uuid.UUID
    location_id: uuid.UUID
    backordered: bool
    unshipped: int


@dataclass(frozen=True)
class Opening:
    fo: FulfillmentOrder
    allocation_ids: list[uuid.UUID]
    # Units waiting for stock: on hold until a receipt fills them; a HIGH-risk order: until staff
    # release its HIGH_RISK_OF_FRAUD hold.
    holds: list[FulfillmentHold]


def openings(order: Order, held: list[Held], actor: str | None) -> list[Opening]:
    """One fulfillment order per location for the held units; units waiting for stock get their own
    one, on hold as INVENTORY_OUT_OF_STOCK; every one of a HIGH-risk order opens on hold as
    HIGH_RISK_OF_FRAUD. Records their events, in a stable order."""
    groups: dict[tuple[uuid.UUID, bool], list[Held]] = defaultdict(list)
    for a in held:
        groups[a.location_id, a.backordered].append(a)
    opened = []
    for (location_id, backordered), members in sorted(groups.items(), key=lambda g: (str(g[0][0]), g[0][1])):
        fo = new_fulfillment_order(order, location_id, sum(a.unshipped for a in members))
        holds = [fo.hold(HoldReason.INVENTORY_OUT_OF_STOCK, WAITING, actor)] if backordered else []
        if order.risk_level == HIGH_RISK:
            holds.append(fo.hold(HoldReason.HIGH_RISK_OF_FRAUD, risky(order), actor))
        opened.append(Opening(fo, [a.id for a in members], holds))
    return opened


async def open_confirmed(tx: Transaction, order: Order, products: list[uuid.UUID]) -> list[Opening]:
    """In an open lean unit of work, with the order locked and confirmed (order.confirm()) and
    `products` those of its held allocations: locks their levels, then the allocations, and writes the
    order's confirmation with its fulfillment orders. Takes the order's and their events."""
    held: list[Held] = []
    if products:  # an order holding nothing has nothing a receipt could split meanwhile
        await lock_levels_lean(tx, products)
        rows = await (await tx.driver()).fetch(LOCK_HELD, tx.tenant_id, order.id)
        held = [Held(r["id"], r["location_id"], r["backordered"], r["unshipped"]) for r in rows]
    opened = openings(order, held, tx.actor)
    # What the ORM's flush set: the version it counts and the times; the rows' ids.
    now = utcnow()
    order.version += 1
    order.updated_at = now
    fos = [o.fo for o in opened]
    for fo in fos:
        fo.created_at = fo.updated_at = now
    holds = [h for o in opened for h in o.holds]
    for h in holds:
        h.id, h.created_at = new_id(), now
    assigned = [(a, o.fo.id) for o in opened for a in o.allocation_ids]
    await (await tx.driver()).execute(
        WRITE,
        tx.tenant_id,
        order.id,
        order.status,
        order.confirmed_at,
        now,
        order.version,
        *columns(fos, ("id", "location_id", "status", "resume_status", "priority", "ship_by")),
        [a for a, _ in assigned],
        [fo_id for _, fo_id in assigned],
        tx.actor,
        *columns(holds, ("id", "fulfillment_order_id", "reason", "note")),
    )
    tx.adopt(order, *fos)
    return opened
