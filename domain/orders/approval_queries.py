"""Read side of approvals: a shop's rules, and the approval of each order (for a dataloader)."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select

from domain.orders.approval_models import ApprovalRuleRow, OrderApproval
from domain.reading import Query, Reader, Row, by_keys, one_each

rules = ApprovalRuleRow.__table__
approvals = OrderApproval.__table__

RULES = Query(select(rules).where(rules.c.tenant_id == bindparam("tenant")).order_by(rules.c.position))
APPROVALS_BY_ORDER = by_keys(approvals, "order_id")


async def approval_rules(reader: Reader, tenant_id: uuid.UUID) -> list[Row]:
    """The shop's rules in the order they are tried."""
    return await reader.all(RULES, tenant=tenant_id)


async def approvals_by_order(
    reader: Reader, tenant_id: uuid.UUID, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(APPROVALS_BY_ORDER, tenant=tenant_id, keys=order_ids), "order_id")
