"""approvalRules (keys that decide approvals). The approval queue is `orders(filter: {status:
[PENDING_APPROVAL], approvalRuleId: …})`, paginated, filtered and sorted like every order list."""

from __future__ import annotations

import strawberry

from resolvers import approvals
from schema.types.approvals import ApprovalRule


@strawberry.type
class ApprovalQuery:
    @strawberry.field(
        description="The shop's approval rules in the order they are tried at placement. Keys with "
        "orders:approve (STAFF, ADMIN)."
    )
    async def approval_rules(self, info: strawberry.Info) -> list[ApprovalRule]:
        return [ApprovalRule.of(r) for r in await approvals.rules(info.context)]
