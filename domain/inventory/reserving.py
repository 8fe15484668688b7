"""The reservation step of order placement, as statement parts: commits units at their levels only where
they are still sellable (on_hand - committed - safety_stock >= n, checked by Postgres on the row it
updates), writes a RESERVED ledger row per reservation, and returns the balances after it (`moved`).

Placement runs these parts in the statement that also writes the order (domain/workflows/placement.py),
so the levels stay locked for as few round trips as possible. Levels are locked in (product, location)
order, as every use case that locks levels does (domain/inventory/repository.py), so concurrent orders
queue instead of deadlocking."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from domain.inventory.events import InventoryLevelChanged
from domain.inventory.models import MovementKind, sellable_units
from domain.uow import Transaction

# Common table expressions for a WITH, on parameters $1 to $11 (Reservations.parameters); `moved` holds
# the balances after, one row per level that still had the units.
RESERVE_CTES = """
want AS (
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
)"""
PARAMETERS = 11


@dataclass(frozen=True)
class Reservation:
    """Units of one allocation to commit at one level."""

    level_id: uuid.UUID
    product_id: uuid.UUID
    location_id: uuid.UUID
    quantity: int


class Reservations:
    """An order's reservations in (product, location) order (stable: a line's order stays), with the units
    per level and, for each, the units reserved at its level by the reservations after it."""

    def __init__(self, wanted: list[Reservation]) -> None:
        self.ordered = sorted(wanted, key=lambda r: (r.product_id, r.location_id))
        self.per_level = {
            level_id: sum(r.quantity for r in group)
            for level_id, group in groupby(self.ordered, key=lambda r: r.level_id)
        }
        self.later = [
            sum(o.quantity for o in self.ordered[i + 1 :] if o.level_id == r.level_id)
            for i, r in enumerate(self.ordered)
        ]

    def parameters(self, tx: Transaction, order_id: uuid.UUID, now: datetime) -> list[Any]:
        """$1 to $11 of RESERVE_CTES."""
        return [
            list(self.per_level),
            list(self.per_level.values()),
            now,
            tx.tenant_id,
            order_id,
            tx.actor,
            [r.level_id for r in self.ordered],
            [r.product_id for r in self.ordered],
            [r.location_id for r in self.ordered],
            [r.quantity for r in self.ordered],
            self.later,
        ]

    def record(self, tx: Transaction, moved: list[Any]) -> bool:
        """From `moved`'s rows (id, on_hand, committed, damaged, safety_stock): False when a level no longer
        had the units (the caller then rolls the transaction back: levels that did have them were changed);
        else each reservation's INVENTORY_LEVEL_CHANGED event, in (product, location) order, and True."""
        if len(moved) != len(self.per_level):
            return False
        after = {row["id"]: row for row in moved}
        for r, units_after in zip(self.ordered, self.later, strict=True):
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
