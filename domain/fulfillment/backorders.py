"""Filling backorders when stock arrives: the most urgent orders first, then the oldest."""

from __future__ import annotations

import uuid

from domain.catalog.repository import skus_by_id
from domain.db import utcnow
from domain.fulfillment.repository import (
    active_holds,
    count_backordered,
    get_fulfillment_order,
    lock_backorders,
)
from domain.fulfillment.status import HoldReason
from domain.inventory.models import InventoryLevel, MovementKind
from domain.orders.events import BackorderAllocated
from domain.orders.status import AllocationStatus
from domain.uow import Transaction

BACKORDERED = AllocationStatus.BACKORDERED


async def fill_backorders(tx: Transaction, level: InventoryLevel, sku: str) -> int:
    """Reserves the level's free units for the backorders waiting at its location. The level is
    locked by the caller; allocations are locked after it, as everywhere. Returns units filled."""
    free = level.sellable
    if free <= 0:
        return 0
    await tx.session.flush()  # this unit of work's own changes (a cancel's releases) first
    waiting = await lock_backorders(tx, level.product_id, level.location_id)
    filled = 0
    touched: set[uuid.UUID] = set()
    for a in waiting:
        if free <= 0:
            break
        take = min(free, a.quantity)
        tx.session.add(
            level.move(MovementKind.RESERVED, committed_delta=take, order_id=a.order_id, actor=tx.actor)
        )
        if take == a.quantity:
            a.status = AllocationStatus.RESERVED
            a.filled_at = utcnow()
        else:
            tx.session.add(a.split_off(take, a.location_id, a.fulfillment_order_id, filled_at=utcnow()))
        still_waiting = a.quantity if a.status == BACKORDERED else 0
        tx.record(
            BackorderAllocated(
                a.order_id,
                sku=sku,
                location_id=level.location_id,
                quantity=take,
                still_backordered=still_waiting,
            )
        )
        if a.fulfillment_order_id is not None:
            touched.add(a.fulfillment_order_id)
        free -= take
        filled += take
    await tx.session.flush()
    for fo_id in sorted(touched):
        await _open_if_filled(tx, fo_id)
    return filled


async def add_units(
    tx: Transaction,
    level: InventoryLevel,
    sku: str,
    kind: MovementKind,
    quantity: int,
    note: str | None = None,
) -> None:
    """Units arrived at a level the caller holds locked (a receipt, a found unit, a purchase order's
    delivery): their movement, then the backorders waiting there take them before any new order can."""
    tx.session.add(level.move(kind, on_hand_delta=quantity, note=note, actor=tx.actor))
    await fill_backorders(tx, level, sku)


async def fill_freed(tx: Transaction, levels: list[InventoryLevel]) -> None:
    """After units were released at these levels, which the caller holds locked: the backorders
    waiting there get them before any new order can."""
    levels = [level for level in levels if level.sellable > 0]
    if not levels:
        return
    skus = await skus_by_id(tx, {lv.product_id for lv in levels})
    for level in levels:
        await fill_backorders(tx, level, skus[level.product_id])


async def _open_if_filled(tx: Transaction, fo_id: uuid.UUID) -> None:
    """A fulfillment order whose units are all reserved now loses its out-of-stock hold. It is
    locked before counting, so two receipts filling it at once cannot both see the other's units
    as still waiting."""
    fo = await get_fulfillment_order(tx, fo_id, lock=True)
    still_waiting = await count_backordered(tx, fo_id)
    if still_waiting:
        return
    holds = await active_holds(tx, fo_id)
    fo.release_reason(holds, HoldReason.INVENTORY_OUT_OF_STOCK)
