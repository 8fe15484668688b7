"""orderSetPriority: staff set (or clear) an order's manual priority; its open fulfillment orders follow."""

from __future__ import annotations

import uuid

from domain.fulfillment import service as fulfillment
from domain.orders.models import Order
from domain.orders.repository import lock_order
from domain.uow import UnitOfWork


async def set_priority(
    uow: UnitOfWork, order_id: uuid.UUID, override: int | None, reason: str | None
) -> Order:
    """Sets (or, with None, clears) the manual priority; the order's open fulfillment orders follow."""
    reason = (reason or "").strip()[:500] or None
    async with uow as tx:
        order = await lock_order(tx, order_id, None)
        order.set_priority(override, reason)
        await fulfillment.reprioritize(tx, order)
        await uow.commit()
    return order
