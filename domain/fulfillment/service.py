"""Fulfillment use cases: open fulfillment orders when an order is confirmed, hold and release,
pick, pack, and move work to another location. One unit of work each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from domain.db import utcnow
from domain.errors import Code, DomainError, Problems
from domain.fulfillment import repository as repo
from domain.fulfillment.models import FulfillmentOrder
from domain.fulfillment.moving import move_units
from domain.fulfillment.opening import Held, openings
from domain.fulfillment.picking import LinePick
from domain.fulfillment.status import DONE, FulfillmentOrderStatus, HoldReason
from domain.orders.models import Order, OrderAllocation
from domain.orders.status import AllocationStatus
from domain.uow import Transaction, UnitOfWork

S = FulfillmentOrderStatus
MAX_PACKAGES = 50


@dataclass
class Package:
    weight_grams: int
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None


async def open_for_order(tx: Transaction, order: Order) -> list[FulfillmentOrder]:
    """Groups the order's held units into fulfillment orders (opening.openings), in the session."""
    allocations, _ = await repo.lock_order_allocations(tx, order.id)
    by_id = {a.id: a for a in allocations}
    held = [
        Held(a.id, a.location_id, a.status == AllocationStatus.BACKORDERED, a.unshipped) for a in allocations
    ]
    opened = openings(order, held, tx.actor)
    for o in opened:
        tx.session.add(o.fo)
        # The models have no relationships, so the session would not order this insert before the
        # rows that refer to it (its holds, the allocations' new foreign key): flush it first.
        await tx.session.flush()
        for allocation_id in o.allocation_ids:
            by_id[allocation_id].fulfillment_order_id = o.fo.id
        tx.session.add_all(o.holds)
    return [o.fo for o in opened]


async def cancel_for_order(
    tx: Transaction, order_id: uuid.UUID, partly_shipped: frozenset[uuid.UUID] = frozenset()
) -> None:
    """Ends the order's unfinished fulfillment orders. Those in `partly_shipped` have nothing left to
    do and close, their holds released one by one; the others are cancelled, their holds no longer
    applying to anything."""
    fos = await repo.lock_fulfillment_orders(tx, order_id)
    for fo in fos.values():
        holds = await repo.active_holds(tx, fo.id)
        if fo.id in partly_shipped and fo.status not in DONE:
            for left, h in reversed(list(enumerate(holds))):
                fo.release(h, left)
            fo.shipped(everything=True)
            continue
        fo.cancel()
        for h in holds:
            h.released_at = utcnow()


async def hold(uow: UnitOfWork, fo_id: uuid.UUID, reason: HoldReason, note: str | None) -> FulfillmentOrder:
    note = (note or "").strip()[:500] or None
    async with uow as tx:
        fo = await repo.get_fulfillment_order(tx, fo_id, lock=True)
        tx.session.add(fo.hold(reason, note, tx.actor))
        await uow.commit()
    return fo


async def release_hold(uow: UnitOfWork, fo_id: uuid.UUID, reason: HoldReason) -> FulfillmentOrder:
    """Releases the holds placed for this reason; holds for other reasons stay in force."""
    async with uow as tx:
        fo = await repo.get_fulfillment_order(tx, fo_id, lock=True)
        holds = await repo.active_holds(tx, fo_id)
        if not any(h.reason == reason for h in holds):
            raise DomainError(Code.HOLD_NOT_FOUND, f"The fulfillment order has no {reason} hold", ["reason"])
        if reason == HoldReason.INVENTORY_OUT_OF_STOCK:
            waiting = await repo.held_allocations(
                tx, OrderAllocation.fulfillment_order_id == fo_id, lock=False
            )
            if any(a.status == AllocationStatus.BACKORDERED for a in waiting):
                raise DomainError(
                    Code.INSUFFICIENT_STOCK,
                    "Units are still backordered: receive stock or move the fulfillment order",
                    ["reason"],
                )
        fo.release_reason(holds, reason)
        await uow.commit()
    return fo


async def start_picking(uow: UnitOfWork, fo_id: uuid.UUID) -> FulfillmentOrder:
    async with uow as tx:
        fo = await repo.get_fulfillment_order(tx, fo_id, lock=True)
        fo.start_picking()
        await uow.commit()
    return fo


async def mark_packed(uow: UnitOfWork, fo_id: uuid.UUID, packages: list[Package]) -> FulfillmentOrder:
    problems = Problems()
    if not packages:
        problems.add(Code.REQUIRED, "Give at least one package", "packages")
    if len(packages) > MAX_PACKAGES:
        problems.add(Code.INVALID, f"At most {MAX_PACKAGES} packages", "packages")
    for i, p in enumerate(packages[:MAX_PACKAGES]):
        for name, value in (
            ("weightGrams", p.weight_grams),
            ("lengthMm", p.length_mm),
            ("widthMm", p.width_mm),
            ("heightMm", p.height_mm),
        ):
            if value is not None and not 0 < value <= 10_000_000:
                problems.add(Code.INVALID, f"{name} must be a positive number", "packages", i, name)
    problems.raise_if_any()
    stored: list[dict[str, Any]] = [
        {
            "weightGrams": p.weight_grams,
            "lengthMm": p.length_mm,
            "widthMm": p.width_mm,
            "heightMm": p.height_mm,
        }
        for p in packages
    ]
    async with uow as tx:
        fo = await repo.get_fulfillment_order(tx, fo_id, lock=True)
        fo.mark_packed(stored)
        await uow.commit()
    return fo


async def move(
    uow: UnitOfWork, fo_id: uuid.UUID, location_id: uuid.UUID, lines: list[LinePick] | None
) -> FulfillmentOrder:
    """Re-reserves the chosen units at another location, all or nothing. Moving everything moves
    the fulfillment order itself; moving part splits it into a new one at the destination."""
    async with uow as tx:
        await repo.require_location(tx, location_id)
        locked = await repo.lock_fulfillment(tx, fo_id, ensure_location=location_id)
        target = await move_units(tx, locked, location_id, lines)
        await uow.commit()
    return target


async def reprioritize(tx: Transaction, order: Order) -> None:
    await tx.session.execute(
        update(FulfillmentOrder)
        .where(
            FulfillmentOrder.tenant_id == tx.tenant_id,
            FulfillmentOrder.order_id == order.id,
            FulfillmentOrder.status.not_in(sorted(DONE)),
        )
        .values(priority=order.effective_priority)
    )
