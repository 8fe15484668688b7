"""Approval use cases: a shop's rules (set by ADMIN keys), and deciding an order a rule holds.

Approving moves the order from PENDING_APPROVAL to PENDING: it goes on exactly as an order no rule held
(confirmed by orderConfirm when the merchant takes it on, which opens its fulfillment orders), as a
Shopify merchant releases an order from a manual hold. Rejecting cancels it through the one cancel path
(domain/orders/service.py cancel_locked): its stock is released and what was paid refunded.

Both lock the order row first, as orderCancel does, so an approval racing a cancel (or another decision)
waits for it and then finds the order no longer waiting: NOT_AWAITING_APPROVAL, nothing changed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select

from domain.db import utcnow
from domain.errors import Code, DomainError, Problems
from domain.orders.approval_models import ApprovalRuleRow, Decision, OrderApproval
from domain.orders.approval_rules import ApprovalRule, RuleInput, check_rules
from domain.orders.events import OrderApproved, OrderRejected
from domain.orders.models import Order
from domain.orders.repository import lock_order
from domain.orders.service import cancel_locked
from domain.orders.status import OrderStatus
from domain.tenancy.events import ShopUpdated
from domain.tenancy.models import Tenant
from domain.uow import UnitOfWork

APPROVED, REJECTED = Decision.APPROVED, Decision.REJECTED
# The actor of a rejection the deadline made (the timeline shows it instead of a key).
DEADLINE_ACTOR = "system:approval-deadline"


async def set_rules(uow: UnitOfWork, rules: list[RuleInput]) -> list[ApprovalRuleRow]:
    """Replaces the shop's rules with these, in this order. A rule given with its id keeps it (orders
    it held still name it); rules left out are deleted. Orders already held keep what their rule said."""
    async with uow:
        tenant = (
            await uow.session.execute(select(Tenant).where(Tenant.id == uow.tenant_id).with_for_update())
        ).scalar_one()
        problems = Problems()
        checked = check_rules(problems, rules, tenant.currency)
        existing = {r.id: r for r in await _rules(uow)}
        for i, given in enumerate(rules):
            if given.id is not None and given.id not in existing:
                problems.add(Code.NOT_FOUND, "No approval rule with this id", "rules", i, "id")
        problems.raise_if_any()
        kept = {r.id for r in checked}
        gone = [rule_id for rule_id in existing if rule_id not in kept]
        if gone:
            await uow.session.execute(delete(ApprovalRuleRow).where(ApprovalRuleRow.id.in_(gone)))
        changed = bool(gone) or any(
            r.id not in existing or ApprovalRule.of(existing[r.id]) != r for r in checked
        )
        rows = []
        for new in checked:
            row = existing.get(new.id) or ApprovalRuleRow(id=new.id, tenant_id=uow.tenant_id)
            _fill(row, new)
            if new.id not in existing:
                uow.session.add(row)
            rows.append(row)
        if changed:
            uow.record(ShopUpdated(uow.tenant_id, fields=["approvalRules"]))
        await uow.session.flush()
        await uow.commit()
    return rows


async def _rules(uow: UnitOfWork) -> list[ApprovalRuleRow]:
    found = await uow.session.execute(
        select(ApprovalRuleRow)
        .where(ApprovalRuleRow.tenant_id == uow.tenant_id)
        .order_by(ApprovalRuleRow.position)
        .with_for_update()
    )
    return list(found.scalars())


def _fill(row: ApprovalRuleRow, rule: ApprovalRule) -> None:
    row.name, row.position = rule.name, rule.position
    row.min_total, row.currency = rule.min_total, rule.currency
    row.channels, row.new_customer = list(rule.channels), rule.new_customer
    row.customer_tiers, row.shipping_countries = list(rule.customer_tiers), list(rule.shipping_countries)
    row.skus, row.approver_roles = list(rule.skus), list(rule.approver_roles)
    row.risk_level_at_least = rule.risk_level_at_least
    row.four_eyes, row.auto_reject_after_hours = rule.four_eyes, rule.auto_reject_after_hours


async def approve_order(
    uow: UnitOfWork, order_id: uuid.UUID, role: str, note: str | None, expected_version: int | None = None
) -> Order:
    note = (note or "").strip()[:500] or None
    async with uow:
        order = await lock_order(uow, order_id, expected_version, field="orderId")
        approval = await _waiting(uow, order)
        _may_decide(approval, role, uow.actor)
        _decide(approval, APPROVED, uow.actor, note, utcnow())
        order.approve(note)
        order.record(
            OrderApproved(order.id, number=order.display_number, rule_name=approval.rule_name, note=note)
        )
        await uow.commit()
    return order


async def reject_order(
    uow: UnitOfWork, order_id: uuid.UUID, role: str | None, reason: str, expected_version: int | None = None
) -> Order:
    """`role` None: the deadline's rejection (auto_reject_due), which no role or four eyes limit."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise DomainError(Code.REQUIRED, "A reason of 1 to 500 characters is required", ["reason"])
    async with uow:
        order = await lock_order(uow, order_id, expected_version, field="orderId")
        approval = await _waiting(uow, order)
        if role is not None:
            _may_decide(approval, role, uow.actor)
        _decide(approval, REJECTED, uow.actor, reason, utcnow())
        order.record(
            OrderRejected(
                order.id,
                number=order.display_number,
                rule_name=approval.rule_name,
                reason=reason,
                automatic=role is None,
            )
        )
        await cancel_locked(uow, order, f"Rejected: {reason}"[:500])
        await uow.commit()
    return order


async def _waiting(uow: UnitOfWork, order: Order) -> OrderApproval:
    approval = (
        await uow.session.execute(
            select(OrderApproval)
            .where(OrderApproval.tenant_id == uow.tenant_id, OrderApproval.order_id == order.id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if order.status != OrderStatus.PENDING_APPROVAL or approval is None or approval.decision is not None:
        raise DomainError(
            Code.NOT_AWAITING_APPROVAL,
            f"Order {order.display_number} is {order.status}: it is not waiting for approval",
            ["orderId"],
        )
    return approval


def _may_decide(approval: OrderApproval, role: str, actor: str | None) -> None:
    if role not in approval.approver_roles:
        raise DomainError(
            Code.APPROVER_ROLE_REQUIRED,
            f"Rule {approval.rule_name!r} is decided by {' or '.join(approval.approver_roles)} keys, "
            f"not {role}",
            ["orderId"],
        )
    if approval.four_eyes and actor is not None and actor == approval.requested_by:
        raise DomainError(
            Code.SAME_KEY_APPROVAL,
            f"Rule {approval.rule_name!r} needs four eyes: the key that placed the order may not decide it",
            ["orderId"],
        )


def _decide(
    approval: OrderApproval, decision: str, actor: str | None, note: str | None, at: datetime
) -> None:
    approval.decision, approval.decided_by, approval.decided_at, approval.note = decision, actor, at, note
