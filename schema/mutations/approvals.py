"""approvalRulesSet, orderApprove, orderReject."""

from __future__ import annotations

import strawberry

from resolvers import approvals as resolve
from schema.errors import UserError, user_errors
from schema.mutations.orders import OrderPayload, order_payload
from schema.types.approvals import ApprovalRule, ApprovalRuleInput


@strawberry.input
class ApprovalRulesSetInput:
    rules: list[ApprovalRuleInput] = strawberry.field(
        description="Every rule of the shop, in the order they are tried; [] holds no order any more"
    )


@strawberry.type
class ApprovalRulesSetPayload:
    rules: list[ApprovalRule] | None = strawberry.field(description="The shop's rules as they are now")
    user_errors: list[UserError]


@strawberry.input
class OrderApproveInput:
    order_id: strawberry.ID
    note: str | None = strawberry.field(default=None, description="Shown in the order's timeline")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with STALE_VERSION unless the order is at this version"
    )


@strawberry.input
class OrderRejectInput:
    order_id: strawberry.ID
    reason: str = strawberry.field(
        description="Why (1 to 500 characters): the timeline and cancelReason show it"
    )
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with STALE_VERSION unless the order is at this version"
    )


@strawberry.type
class ApprovalMutations:
    @strawberry.mutation(
        description="Replaces the shop's approval rules. At placement the first rule an order meets "
        "holds it in PENDING_APPROVAL (stock reserved, no fulfillment) until it is approved or rejected. "
        "Orders already held keep what their rule said. ADMIN keys."
    )
    async def approval_rules_set(
        self, info: strawberry.Info, input: ApprovalRulesSetInput
    ) -> ApprovalRulesSetPayload:
        outcome = await resolve.rules_set(info.context, [r.to_domain() for r in input.rules])
        rows = outcome.value
        return ApprovalRulesSetPayload(
            rules=[ApprovalRule.of(r) for r in rows] if rows is not None else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="PENDING_APPROVAL -> PENDING: the order goes on like any other (orderConfirm opens its "
        "fulfillment). Keys with orders:approve of a role the rule names (APPROVER_ROLE_REQUIRED), and not "
        "the key that placed the order when the rule asks for four eyes (SAME_KEY_APPROVAL)."
    )
    async def order_approve(self, info: strawberry.Info, input: OrderApproveInput) -> OrderPayload:
        outcome = await resolve.approve(info.context, input.order_id, input.note, input.expected_version)
        return order_payload(info, outcome)

    @strawberry.mutation(
        description="Rejects an order waiting for approval: it is cancelled, its stock released and what "
        "was paid refunded. Who may: as for orderApprove."
    )
    async def order_reject(self, info: strawberry.Info, input: OrderRejectInput) -> OrderPayload:
        outcome = await resolve.reject(info.context, input.order_id, input.reason, input.expected_version)
        return order_payload(info, outcome)
