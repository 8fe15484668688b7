"""Approvals: a shop's rules (set by ADMIN keys), and the decision on an order a rule holds (the step
of orderApprove and orderReject, domain/workflows/approving.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from domain.db import utcnow
from domain.errors import Code, DomainError, Problems
from domain.orders.approval_models import ApprovalRuleRow, OrderApproval
from domain.orders.approval_rules import ApprovalRule, RuleInput, check_rules
from domain.orders.models import Order
from domain.orders.repository import lock_approval_rules, lock_waiting_approval
from domain.tenancy.events import ShopUpdated
from domain.tenancy.repository import lock_tenant
from domain.uow import Transaction, UnitOfWork


async def set_rules(uow: UnitOfWork, rules: list[RuleInput]) -> list[ApprovalRuleRow]:
    """Replaces the shop's rules with these, in this order. A rule given with its id keeps it (orders
    it held still name it); rules left out are deleted. Orders already held keep what their rule said."""
    async with uow as tx:
        tenant = await lock_tenant(tx)
        problems = Problems()
        checked = check_rules(problems, rules, tenant.currency)
        existing = {r.id: r for r in await lock_approval_rules(tx)}
        for i, given in enumerate(rules):
            if given.id is not None and given.id not in existing:
                problems.add(Code.NOT_FOUND, "No approval rule with this id", "rules", i, "id")
        problems.raise_if_any()
        kept = {r.id for r in checked}
        gone = [rule_id for rule_id in existing if rule_id not in kept]
        if gone:
            await tx.session.execute(delete(ApprovalRuleRow).where(ApprovalRuleRow.id.in_(gone)))
        changed = bool(gone) or any(
            r.id not in existing or ApprovalRule.of(existing[r.id]) != r for r in checked
        )
        rows = []
        for new in checked:
            row = existing.get(new.id) or ApprovalRuleRow(id=new.id, tenant_id=tx.tenant_id)
            _fill(row, new)
            if new.id not in existing:
                tx.session.add(row)
            rows.append(row)
        if changed:
            tx.record(ShopUpdated(tx.tenant_id, fields=["approvalRules"]))
        await tx.session.flush()
        await uow.commit()
    return rows


def _fill(row: ApprovalRuleRow, rule: ApprovalRule) -> None:
    row.name, row.position = rule.name, rule.position
    row.min_total, row.currency = rule.min_total, rule.currency
    row.channels, row.new_customer = list(rule.channels), rule.new_customer
    row.customer_tiers, row.shipping_countries = list(rule.customer_tiers), list(rule.shipping_countries)
    row.skus, row.approver_roles = list(rule.skus), list(rule.approver_roles)
    row.risk_level_at_least = rule.risk_level_at_least
    row.four_eyes, row.auto_reject_after_hours = rule.four_eyes, rule.auto_reject_after_hours


async def decide(
    tx: Transaction, order: Order, decision: str, role: str | None, note: str | None
) -> OrderApproval:
    """Decides the approval the order (locked by the caller) waits for, as the unit of work's actor with
    this role; `role` None: the deadline's rejection, which no role or four eyes limit. A step of
    orderApprove and orderReject (domain/workflows/approving.py)."""
    approval = await lock_waiting_approval(tx, order)
    if role is not None:
        _may_decide(approval, role, tx.actor)
    _decide(approval, decision, tx.actor, note, utcnow())
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
