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
from domain.uow import UnitOfWork


async def cancel_order(
    uow: UnitOfWork, order_id: uuid.UUID, reason: str | None, expected_version: int | None = None
) -> Order:
    reason = (reason or "").strip()[:500] or None
    async with uow:
        order = await lock_order(uow, order_id, expected_version)
        await cancel_locked(uow, order, reason)
        await uow.commit()
    return order


async def cancel_locked(uow: UnitOfWork, order: Order, reason: str | None) -> None:
    """Cancels the order locked in the open unit of work: releases its stock, cancels its fulfillment
    orders, refunds what was paid. A step of orderCancel and of an approval's rejection (approving.py)."""
    await refuse_if_paid_by_credit(uow, order)
    order.cancel(reason)
    held, levels = await fulfillment_repo.lock_order_allocations(uow, order.id)
    released = await release_unshipped(uow, order, held, levels)
    await fulfillment.cancel_for_order(uow, order.id)
    await fill_freed(uow, released.levels)
    if released.event is not None:
        order.record(released.event)
    await refund_cancelled(uow, order)
