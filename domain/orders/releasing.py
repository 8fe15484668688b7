"""Releasing an order's unshipped units: a step of cancelling the order and of cancelling what remains
of it (domain/workflows/cancelling.py, remainder.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.inventory import service as inventory
from domain.inventory.models import InventoryLevel
from domain.orders.events import StockReleased
from domain.orders.line_models import OrderAllocation
from domain.orders.models import Order
from domain.orders.status import AllocationStatus
from domain.uow import Transaction


@dataclass(frozen=True)
class Released:
    # The levels the reserved units went back to, in (product, location) order: the backorders waiting
    # there may take them (domain/fulfillment/backorders.py fill_freed).
    levels: list[InventoryLevel]
    # What the order's timeline says; the caller records it once the order's fulfillment work has
    # ended, so it follows that work's events. None: the order held no allocations.
    event: StockReleased | None


async def release_unshipped(
    tx: Transaction,
    order: Order,
    allocations: list[OrderAllocation],
    levels: dict[tuple[uuid.UUID, uuid.UUID], InventoryLevel],
) -> Released:
    """Gives up the unshipped units of these allocations of the order, which the caller holds locked with
    their levels: reserved units go back to stock; an allocation keeps what shipped of it (RESERVED) or
    is RELEASED."""
    reserved = [a for a in allocations if a.status == AllocationStatus.RESERVED and a.unshipped > 0]
    await inventory.release(
        tx, order.id, [(a.product_id, a.location_id, a.unshipped) for a in reserved], levels
    )
    units = sum(a.unshipped for a in allocations)
    for a in allocations:
        if a.shipped:
            a.quantity, a.status = a.shipped, AllocationStatus.RESERVED
        else:
            a.status = AllocationStatus.RELEASED
    freed = [levels[key] for key in sorted({(a.product_id, a.location_id) for a in reserved})]
    return Released(freed, StockReleased(order.id, units=units) if allocations else None)
