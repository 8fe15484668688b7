"""Deciding an order an approval rule holds (orderApprove, orderReject), and rejecting those whose rule's
deadline passed.

Approving moves the order from PENDING_APPROVAL to PENDING: it goes on exactly as an order no rule held
(confirmed by orderConfirm when the merchant takes it on, which opens its fulfillment orders), as a
Shopify merchant releases an order from a manual hold. Rejecting cancels it through the one cancel path
(cancelling.py cancel_locked): its stock is released and what was paid refunded.

Both lock the order row first, as orderCancel does, so an approval racing a cancel (or another decision)
waits for it and then finds the order no longer waiting: NOT_AWAITING_APPROVAL, nothing changed."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import Code, DomainError
from domain.orders.approval_deadline import DEADLINE_ACTOR, Overdue
from domain.orders.approval_models import Decision
from domain.orders.approving import decide
from domain.orders.events import OrderApproved, OrderRejected
from domain.orders.models import Order
from domain.orders.repository import lock_order
from domain.uow import UnitOfWork
from domain.workflows.cancelling import cancel_locked

log = logging.getLogger("baton.approvals")


async def approve_order(
    uow: UnitOfWork, order_id: uuid.UUID, role: str, note: str | None, expected_version: int | None = None
) -> Order:
    note = (note or "").strip()[:500] or None
    async with uow as tx:
        order = await lock_order(tx, order_id, expected_version, field="orderId")
        approval = await decide(tx, order, Decision.APPROVED, role, note)
        order.approve(note)
        order.record(
            OrderApproved(order.id, number=order.display_number, rule_name=approval.rule_name, note=note)
        )
        await uow.commit()
    return order


async def reject_order(
    uow: UnitOfWork, order_id: uuid.UUID, role: str | None, reason: str, expected_version: int | None = None
) -> Order:
    """`role` None: the deadline's rejection (reject_overdue), which no role or four eyes limit."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise DomainError(Code.REQUIRED, "A reason of 1 to 500 characters is required", ["reason"])
    async with uow as tx:
        order = await lock_order(tx, order_id, expected_version, field="orderId")
        approval = await decide(tx, order, Decision.REJECTED, role, reason)
        order.record(
            OrderRejected(
                order.id,
                number=order.display_number,
                rule_name=approval.rule_name,
                reason=reason,
                automatic=role is None,
            )
        )
        await cancel_locked(tx, order, f"Rejected: {reason}"[:500])
        await uow.commit()
    return order


async def reject_overdue(engine: AsyncEngine, overdue: list[Overdue]) -> int:
    """Rejects each overdue order (domain/orders/approval_deadline.py find_overdue) in its own tenant's
    unit of work, as DEADLINE_ACTOR; one decided meanwhile (by a person, or another worker) stays as it
    is."""
    rejected = 0
    for due in overdue:
        uow = UnitOfWork(engine, due.tenant_id, DEADLINE_ACTOR)
        try:
            await reject_order(uow, due.order_id, None, f"No decision within {due.hours} hours")
        except DomainError as exc:
            log.info("order %s was not rejected at its deadline: %s", due.order_id, exc.message)
        else:
            rejected += 1
    return rejected
