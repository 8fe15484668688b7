"""Order use cases within the orders context: edit an order's details, record a payment. One unit of
work each. Those that reach into other contexts (place, confirm, cancel, prioritize …) are workflows
(domain/workflows/)."""

from __future__ import annotations

import uuid

from domain.errors import Code, DomainError, Problems
from domain.orders import paying
from domain.orders.inputs import OrderChanges
from domain.orders.models import Order
from domain.orders.repository import lock_order
from domain.orders.validation import check_changes
from domain.uow import UnitOfWork


async def update_order(
    uow: UnitOfWork, order_id: uuid.UUID, data: OrderChanges, expected_version: int | None = None
) -> Order:
    problems = Problems()
    changes = check_changes(problems, data)
    problems.raise_if_any()
    async with uow as tx:
        order = await lock_order(tx, order_id, expected_version)
        order.edit(changes)
        await uow.commit()
    return order


async def record_payment(
    uow: UnitOfWork,
    order_id: uuid.UUID,
    reference: str,
    amount: str | None,
    expected_version: int | None = None,
) -> Order:
    reference = (reference or "").strip()
    if not reference or len(reference) > 128:
        raise DomainError(
            Code.REQUIRED,
            "A payment reference of 1 to 128 characters is required",
            ["reference"],
        )
    with uow.leanly():  # every statement is written once and run on the driver
        async with uow as tx:
            order, new = await paying.pay(tx, order_id, reference, amount, expected_version)
            if new:
                await uow.commit()
    return order
