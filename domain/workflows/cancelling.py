"""orderCancel: an order that has not shipped is cancelled. Its stock is released, its fulfillment orders
cancelled, the backorders waiting at the freed levels filled, and what was paid refunded."""

from __future__ import annotations

import uuid

from domain.fulfillment import repository as fulfillment_repo
from domain.fulfillment import service as fulfillment
from domain.fulfillment.backorders import fill_freed
from domain.orders.models import Order
from domain.orders.releasing import release_unshipped
from domain.orders.repository import lock_order, refuse_if_paid_by_credit
from domain.refunds.service import refund_cancelled
from domain.uow import Transaction, UnitOfWork


async def cancel_order(
    uow: UnitOfWork, order_id: uuid.UUID, reason: str | None, expected_version: int | None = None
) -> Order:
    reason = (reason or "").strip()[:500] or None
    async with uow as tx:
        order = await lock_order(tx, order_id, expected_version)
        await cancel_locked(tx, order, reason)
        await uow.commit()
    return order


async def cancel_locked(tx: Transaction, order: Order, reason: str | None) -> None:
    """Cancels the order locked in the open unit of work: releases its stock, cancels its fulfillment
    orders, refunds what was paid. A step of orderCancel and of an approval's rejection (approving.py)."""
    await refuse_if_paid_by_credit(tx, order)
    order.cancel(reason)
    held, levels = await fulfillment_repo.lock_order_allocations(tx, order.id)
    released = await release_unshipped(tx, order, held, levels)
    await fulfillment.cancel_for_order(tx, order.id)
    await fill_freed(tx, released.levels)
    if released.event is not None:
        order.record(released.event)
    await refund_cancelled(tx, order)
