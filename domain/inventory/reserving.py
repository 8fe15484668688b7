"""The reservation step of order placement, as one statement: commits units at their levels only where
they are still sellable (on_hand - committed - safety_stock >= n, checked by Postgres on the row it
updates), writes a RESERVED ledger row per reservation, and returns the balances after it.

Levels are locked in (product, location) order, as every use case that locks levels does
(domain/inventory/repository.py), so concurrent orders queue instead of deadlocking."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from domain.inventory.events import InventoryLevelChanged
from domain.inventory.models import MovementKind, sellable_units
from domain.uow import Transaction

RESERVE = """
WITH want AS (
  SELECT * FROM unnest($1::uuid[], $2::int[]) AS w(id, qty)
), locked AS MATERIALIZED (
  SELECT l.id FROM inventory_levels l WHERE l.id IN (SELECT id FROM want)
  ORDER BY l.product_id, l.location_id FOR UPDATE
), moved AS (
  UPDATE inventory_levels l SET committed = l.committed + w.qty, updated_at = $3
  FROM locked JOIN want w ON w.id = locked.id
  WHERE l.id = locked.id AND l.on_hand - l.committed - l.safety_stock >= w.qty
  RETURNING l.id, l.on_hand, l.committed, l.damaged, l.safety_stock
), ledger AS (
  INSERT INTO inventory_movements (tenant_id, level_id, product_id, location_id, kind, on_hand_delta,
    committed_delta, on_hand_after, committed_after, damaged_delta, damaged_after, order_id, actor,
    created_at)
  SELECT $4::uuid, m.id, a.product_id, a.location_id, 'RESERVED', 0, a.qty, m.on_hand, m.committed - a.later,
    0, m.damaged, $5::uuid, $6::text, $3
  FROM unnest($7::uuid[], $8::uuid[], $9::uuid[], $10::int[], $11::int[])
    WITH ORDINALITY AS a(level_id, product_id, location_id, qty, later, n)
  JOIN moved m ON m.id = a.level_id
  ORDER BY a.n
)
SELECT id, on_hand, committed, damaged, safety_stock FROM moved
"""


@dataclass(frozen=True)
class Reservation:
    """Units of one allocation to commit at one level."""

    level_id: uuid.UUID
    product_id: uuid.UUID
    location_id: uuid.UUID
    quantity: int


async def reserve_at_levels(
    tx: Transaction, order_id: uuid.UUID, wanted: list[Reservation], now: datetime
) -> bool:
    """Commits every reservation, or reports False when a level no longer had the units (the caller
    then rolls the transaction back: levels that did have them were changed). Each reservation gets its
    ledger row and its INVENTORY_LEVEL_CHANGED event, in (product, location) order."""
    if not wanted:
        return True
    ordered = sorted(wanted, key=lambda r: (r.product_id, r.location_id))  # stable: a line's order stays
    per_level = {
        level_id: sum(r.quantity for r in group)
        for level_id, group in groupby(ordered, key=lambda r: r.level_id)
    }
    later = []  # units reserved at the same level by the reservations after this one
    for i, r in enumerate(ordered):
        later.append(sum(o.quantity for o in ordered[i + 1 :] if o.level_id == r.level_id))
    driver = await tx.driver()
    rows = await driver.fetch(
        RESERVE,
        list(per_level),
        list(per_level.values()),
        now,
        tx.tenant_id,
        order_id,
        tx.actor,
        [r.level_id for r in ordered],
        [r.product_id for r in ordered],
        [r.location_id for r in ordered],
        [r.quantity for r in ordered],
        later,
    )
    if len(rows) != len(per_level):
        return False
    after = {row["id"]: row for row in rows}
    for r, units_after in zip(ordered, later, strict=True):
        row = after[r.level_id]
        committed = row["committed"] - units_after
        tx.record(
            InventoryLevelChanged(
                r.level_id,
                product_id=r.product_id,
                location_id=r.location_id,
                kind=MovementKind.RESERVED.value,
                on_hand=row["on_hand"],
                committed=committed,
                # never negative here (the statement reserves only units still sellable), so the
                # `available` rule needs no backorder policy to give the same
                available=sellable_units(row["on_hand"], committed, row["safety_stock"]),
                on_hand_delta=0,
                committed_delta=r.quantity,
                damaged=row["damaged"],
                damaged_delta=0,
            )
        )
    return True
