"""Adjusting a level's onHand in a few statements written once, on a lean unit of work: the level
locked with its product and whether backorders wait there (one read), then the level and its movement
(one write), then the unit of work's event and commit.

What this path does not cover goes to the ORM path (domain/workflows/stock_changes.py), which answers it
as before: an unknown SKU or location, a location that never stocked the product (its level is created
there), and units added where backorders wait (they are filled, domain/fulfillment/backorders.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.catalog.models import BackorderPolicy, Product
from domain.db import utcnow
from domain.errors import Code, DomainError
from domain.inventory.models import AdjustReason, InventoryLevel, MovementKind
from domain.inventory.repository import LEVEL_COLUMNS
from domain.uow import Transaction

MAX_UNITS = 1_000_000_000

LOCK = f"""
SELECT {", ".join("v." + c for c in LEVEL_COLUMNS)}, p.sku, p.backorder_policy,
  EXISTS (SELECT 1 FROM order_allocations a WHERE a.tenant_id = $1 AND a.product_id = p.id
          AND a.location_id = $3 AND a.status = 'BACKORDERED') AS backordered
FROM products p JOIN inventory_levels v ON v.tenant_id = $1 AND v.product_id = p.id AND v.location_id = $3
WHERE p.tenant_id = $1 AND p.sku = $2
FOR UPDATE OF v
"""
WRITE = """
WITH level AS (
  UPDATE inventory_levels SET on_hand = $3::int, updated_at = $4::timestamptz
  WHERE tenant_id = $1::uuid AND id = $2::uuid
)
INSERT INTO inventory_movements (tenant_id, level_id, product_id, location_id, kind, on_hand_delta,
  committed_delta, on_hand_after, committed_after, damaged_delta, damaged_after, note, actor, created_at)
VALUES ($1, $2, $5, $6, $7, $8, 0, $3, $9, 0, $10, $11, $12, $4)
"""


@dataclass(frozen=True)
class AdjustInput:
    sku: str
    location_id: uuid.UUID | None
    delta: int
    reason: AdjustReason
    note: str | None = None


class Unhandled(Exception):
    """Not a case for the lean path: nothing was written, run the ORM use case."""


def check_adjustment(on_hand: int, delta: int) -> None:
    """The rules a level's new onHand keeps, whichever path applies it."""
    if on_hand + delta < 0:
        raise DomainError(
            Code.NEGATIVE_STOCK,
            f"onHand is {on_hand}; removing {-delta} would make it negative",
            ["delta"],
        )
    if on_hand + delta > MAX_UNITS:
        raise DomainError(Code.INVALID_QUANTITY, f"onHand cannot pass {MAX_UNITS}", ["delta"])


async def adjust(tx: Transaction, data: AdjustInput) -> tuple[InventoryLevel, Product]:
    """In the open lean unit of work: the level after the change and its product (the caller commits)."""
    driver = await tx.driver()
    row = await driver.fetchrow(LOCK, tx.tenant_id, data.sku.strip(), data.location_id)
    if row is None or (data.delta > 0 and row["backordered"]):
        raise Unhandled
    level = InventoryLevel(**{c: row[c] for c in LEVEL_COLUMNS})
    policy = BackorderPolicy(row["backorder_policy"])
    level.allow_backorder = policy is BackorderPolicy.ALLOW
    product = Product(id=level.product_id, sku=row["sku"], backorder_policy=policy)
    check_adjustment(level.on_hand, data.delta)
    note = (data.note or "").strip()[:500] or None
    kind = MovementKind(data.reason.value)
    movement = level.move(kind, on_hand_delta=data.delta, note=note, actor=tx.actor)
    level.updated_at = utcnow()
    await driver.execute(
        WRITE,
        tx.tenant_id,
        level.id,
        level.on_hand,
        level.updated_at,
        level.product_id,
        level.location_id,
        movement.kind.value,
        movement.on_hand_delta,
        level.committed,
        level.damaged,
        movement.note,
        movement.actor,
    )
    tx.adopt(level)
    return level, product
