"""orderConfirm: the merchant takes the order on, and its fulfillment orders open. In a few statements
written once, on a lean unit of work: the order locked with the products its allocations hold and
confirmed (domain/orders/confirming.py), then their levels locked, the allocations locked, and the
fulfillment orders written (domain/fulfillment/opening.py), events and commit. The locks are taken in
the documented order: the order, levels by (product, location), allocations."""

from __future__ import annotations

import uuid

from domain.fulfillment.opening import open_confirmed
from domain.orders import confirming
from domain.orders.models import Order
from domain.uow import UnitOfWork


async def confirm_order(uow: UnitOfWork, order_id: uuid.UUID, expected_version: int | None = None) -> Order:
    with uow.leanly():  # every statement is written once and run on the driver
        async with uow as tx:
            order, products = await confirming.confirm(tx, order_id, expected_version)
            await open_confirmed(tx, order, products)
            await uow.commit()
    return order
