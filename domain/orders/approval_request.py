"""The approval step of placement: which of the shop's rules (read with everything else placement reads,
domain/workflows/placement.py) holds the new order, and the approval row it waits with. One statement, and
only for an order a rule holds: an order no rule matches costs nothing more."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from domain.orders.approval_rules import ApprovalRule, OrderFacts, first_match
from domain.orders.events import OrderApprovalRequested
from domain.orders.inputs import OrderInput
from domain.orders.models import Order
from domain.uow import Transaction

# In placement's read statement: the shop's rules, and (only when a rule asks) whether this email ever
# ordered before. $1 is the tenant, $3 the customer's email.
READ_RULES = """(SELECT json_agg(r ORDER BY r.position) FROM approval_rules r WHERE r.tenant_id = $1)::text
    AS approval_rules,
  CASE WHEN EXISTS (SELECT 1 FROM approval_rules r WHERE r.tenant_id = $1 AND r.new_customer IS NOT NULL)
    THEN NOT EXISTS (SELECT 1 FROM orders o WHERE o.tenant_id = $1 AND o.email = $3) END AS new_customer"""

INSERT = """
INSERT INTO order_approvals (order_id, tenant_id, rule_id, rule_name, approver_roles, four_eyes,
  requested_by, requested_at, due_at)
VALUES ($1, $2, $3, $4, $5::varchar[], $6, $7, $8, $9)
"""


@dataclass(frozen=True)
class ShopRules:
    """What placement's read found: the shop's rules in order, and whether the email is new to the
    shop (None when no rule asks)."""

    rules: list[ApprovalRule]
    new_customer: bool | None


def read(row: Any) -> ShopRules:
    rules = [ApprovalRule.of(r) for r in json.loads(row["approval_rules"] or "[]")]
    return ShopRules(rules, row["new_customer"])


def rule_for(
    shop: ShopRules,
    data: OrderInput,
    total: int,
    currency: str,
    tier: str,
    shipping: dict[str, Any],
    risk_level: str,
) -> ApprovalRule | None:
    """The first rule the order meets, or None (no rules: None at once). `risk_level` is the built-in
    assessment's: a fraud service's comes after placement, when no rule is asked any more."""
    if not shop.rules:
        return None
    facts = OrderFacts(
        total=total,
        currency=currency,
        channel=data.channel,
        new_customer=bool(shop.new_customer),
        customer_tier=tier,
        shipping_country=shipping.get("countryCode") or "",
        skus=frozenset(line.sku for line in data.lines),
        risk_level=risk_level,
    )
    return first_match(shop.rules, facts)


async def request_approval(tx: Transaction, order: Order, rule: ApprovalRule) -> None:
    """Writes the approval the new order (already written, in PENDING_APPROVAL) waits with."""
    now = order.created_at
    due = now + timedelta(hours=rule.auto_reject_after_hours) if rule.auto_reject_after_hours else None
    driver = await tx.driver()
    await driver.execute(
        INSERT,
        order.id,
        tx.tenant_id,
        rule.id,
        rule.name,
        list(rule.approver_roles),
        rule.four_eyes,
        tx.actor,
        now,
        due,
    )
    tx.record(
        OrderApprovalRequested(
            order.id,
            number=order.display_number,
            rule_name=rule.name,
            approver_roles=list(rule.approver_roles),
            due_at=due.isoformat() if due else None,
        )
    )
