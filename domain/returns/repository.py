"""Write-side loading of returns. Every return use case locks the order first (as every order use case
does), then the return and its lines: one return at a time per order, in one global order of locks."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from domain.errors import Code, DomainError
from domain.orders.models import Order, OrderAllocation
from domain.orders.repository import lock_order
from domain.orders.status import AllocationStatus
from domain.returns import rules
from domain.returns.models import Return, ReturnLine
from domain.shipping.models import Shipment
from domain.tenancy.models import Tenant
from domain.tenancy.numbering import next_number
from domain.uow import Transaction


async def lock_return(tx: Transaction, return_id: uuid.UUID) -> tuple[Order, Return, list[ReturnLine]]:
    order_id = await tx.session.scalar(
        select(Return.order_id).where(Return.tenant_id == tx.tenant_id, Return.id == return_id)
    )
    if order_id is None:
        raise DomainError(Code.NOT_FOUND, "Return not found", ["id"])
    order = await lock_order(tx, order_id, None)
    found = (
        await tx.session.execute(
            select(Return)
            .where(Return.id == return_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return order, found, await lines_of(tx, found.id)


async def lock_return_of_order(tx: Transaction, order_id: uuid.UUID, return_id: uuid.UUID) -> Return | None:
    """One of the order's returns (the order locked by the caller), locked; None when the order has no
    return with this ID (a refund of a return)."""
    return (
        await tx.session.execute(
            select(Return).where(Return.id == return_id, Return.order_id == order_id).with_for_update()
        )
    ).scalar_one_or_none()


async def lines_of(tx: Transaction, return_id: uuid.UUID) -> list[ReturnLine]:
    return list(
        (
            await tx.session.execute(
                select(ReturnLine)
                .where(ReturnLine.return_id == return_id)
                .order_by(ReturnLine.position)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )


async def shipped_by_line(tx: Transaction, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
    rows = await tx.session.execute(
        select(OrderAllocation.line_id, func.sum(OrderAllocation.shipped))
        .where(OrderAllocation.order_id == order_id)
        .group_by(OrderAllocation.line_id)
    )
    return {line_id: int(units) for line_id, units in rows.all()}


async def claimed_by_line(tx: Transaction, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Units of each order line that returns already hold (see rules.units_claimed)."""
    rows = await tx.session.execute(
        select(
            ReturnLine.order_line_id,
            Return.status,
            ReturnLine.quantity,
            ReturnLine.resellable + ReturnLine.damaged + ReturnLine.defective,
        )
        .join(Return, Return.id == ReturnLine.return_id)
        .where(Return.order_id == order_id)
    )
    claimed: dict[uuid.UUID, int] = defaultdict(int)
    for line_id, status, quantity, received in rows.all():
        claimed[line_id] += rules.units_claimed(status, quantity, received)
    return claimed


async def window_starts(tx: Transaction, order: Order) -> datetime | None:
    """Delivery starts the return window; until the carrier reports it, the last shipment does."""
    if order.delivered_at is not None:
        return order.delivered_at
    return await tx.session.scalar(select(func.max(Shipment.created_at)).where(Shipment.order_id == order.id))


async def refresh_order_status(tx: Transaction, order: Order) -> None:
    """Derives the order's return status from all its returns (after this unit of work's changes)."""
    await tx.session.flush()
    rows = await tx.session.execute(
        select(
            Return.status,
            func.coalesce(func.sum(ReturnLine.resellable + ReturnLine.damaged + ReturnLine.defective), 0),
        )
        .join(ReturnLine, ReturnLine.return_id == Return.id, isouter=True)
        .where(Return.order_id == order.id)
        .group_by(Return.id, Return.status)
    )
    summaries = [rules.ReturnSummary(status, int(received)) for status, received in rows.all()]
    # The units the order still holds: a cancelled remainder no longer counts towards RETURNED.
    units = await tx.session.scalar(
        select(func.sum(OrderAllocation.quantity)).where(
            OrderAllocation.order_id == order.id, OrderAllocation.status != AllocationStatus.RELEASED
        )
    )
    order.set_return_status(rules.order_return_status(summaries, int(units or 0)))


async def next_return_number(tx: Transaction) -> int:
    return await next_number(tx, Tenant.next_return_number)
