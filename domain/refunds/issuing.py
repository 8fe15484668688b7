"""Writing a refund: the order gives the money back, the refund and its lines are stored, an event says so.
Shared by refundCreate, cancelling a paid order, and settling an exchange."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.events.base import money
from domain.orders.models import Order
from domain.refunds.events import RefundIssued
from domain.refunds.models import Refund, RefundLine
from domain.uow import Transaction


@dataclass(frozen=True)
class LineRefund:
    order_line_id: uuid.UUID
    quantity: int
    amount: int  # the units' share of what the line was charged, subtotal and tax
    restocking_fee: int = 0
    return_line_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Amounts:
    lines: list[LineRefund]
    shipping: int = 0
    extra: int = 0
    credited: int = 0  # of the total, the part applied to an exchange order instead of paid out

    @property
    def lines_amount(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def fees(self) -> int:
        return sum(line.restocking_fee for line in self.lines)

    @property
    def total(self) -> int:
        return self.lines_amount + self.shipping + self.extra - self.fees


async def issue(
    tx: Transaction,
    order: Order,
    amounts: Amounts,
    reason: str,
    return_id: uuid.UUID | None = None,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
) -> Refund:
    """Checks the total against what is left of the payments (REFUND_EXCEEDS_PAID) and records it."""
    order.refund(amounts.total)
    refund = Refund(
        id=uuid.uuid4(),
        tenant_id=tx.tenant_id,
        order_id=order.id,
        return_id=return_id,
        currency=order.currency,
        lines_amount=amounts.lines_amount,
        shipping_amount=amounts.shipping,
        extra_amount=amounts.extra,
        restocking_fee=amounts.fees,
        amount=amounts.total - amounts.credited,
        credited=amounts.credited,
        reason=reason,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        actor=tx.actor,
    )
    tx.session.add(refund)
    await tx.session.flush()  # no relationships: the refund's row must exist before its lines'
    tx.session.add_all(
        RefundLine(
            tenant_id=tx.tenant_id,
            refund_id=refund.id,
            order_line_id=line.order_line_id,
            return_line_id=line.return_line_id,
            quantity=line.quantity,
            amount=line.amount,
            restocking_fee=line.restocking_fee,
            position=i,
        )
        for i, line in enumerate(amounts.lines)
    )
    order.record(
        RefundIssued(
            order.id,
            number=order.display_number,
            refund_id=refund.id,
            return_id=return_id,
            amount=money(refund.amount, order.currency),
            credited=money(refund.credited, order.currency),
            reason=reason,
            payment_status=order.payment_status,
        )
    )
    return refund
