"""What an order has already given back, read inside the use case that is about to give more."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from domain.refunds.models import Refund, RefundLine
from domain.uow import Transaction


async def refunded_units(
    tx: Transaction, order_id: uuid.UUID, through_returns: bool = False
) -> dict[uuid.UUID, int]:
    """Units of each order line refunded or credited so far; with through_returns, only those refunded
    through a return (so units that had shipped)."""
    stmt = (
        select(RefundLine.order_line_id, func.sum(RefundLine.quantity))
        .join(Refund, Refund.id == RefundLine.refund_id)
        .where(Refund.tenant_id == tx.tenant_id, Refund.order_id == order_id)
        .group_by(RefundLine.order_line_id)
    )
    if through_returns:
        stmt = stmt.where(RefundLine.return_line_id.is_not(None))
    return {line_id: int(units) for line_id, units in (await tx.session.execute(stmt)).all()}


async def shipping_refunded(tx: Transaction, order_id: uuid.UUID) -> int:
    total = await tx.session.scalar(
        select(func.coalesce(func.sum(Refund.shipping_amount), 0)).where(
            Refund.tenant_id == tx.tenant_id, Refund.order_id == order_id
        )
    )
    return int(total or 0)


async def by_key(tx: Transaction, key: str) -> Refund | None:
    return (
        await tx.session.execute(
            select(Refund).where(Refund.tenant_id == tx.tenant_id, Refund.idempotency_key == key)
        )
    ).scalar_one_or_none()
