"""Approval rules and decisions: each mutation is one use case."""

from __future__ import annotations

from domain.orders import approval_queries
from domain.orders.approval_models import ApprovalRuleRow
from domain.orders.approval_rules import RuleInput
from domain.orders.approving import set_rules
from domain.orders.models import Order
from domain.reading import Row
from domain.tenancy.scopes import Scope
from domain.workflows import approving
from resolvers.context import Context
from resolvers.ids import require_id
from resolvers.outcome import Outcome, attempt


async def rules_set(ctx: Context, rules: list[RuleInput]) -> Outcome[list[ApprovalRuleRow]]:
    uow = ctx.uow(Scope.SHOP_MANAGE)  # how the shop runs: ADMIN keys
    return await attempt(lambda: set_rules(uow, rules))


async def rules(ctx: Context) -> list[Row]:
    ctx.require(Scope.ORDERS_APPROVE)  # the shop's policy: for the keys that decide (STAFF, ADMIN)
    async with ctx.reader() as reader:
        return await approval_queries.approval_rules(reader, ctx.tenant_id)


async def approve(ctx: Context, gid: str, note: str | None, version: int | None) -> Outcome[Order]:
    uow = ctx.uow(Scope.ORDERS_APPROVE)
    role = ctx.require().role

    async def run() -> Order:
        return await approving.approve_order(uow, require_id(gid, "Order", "orderId"), role, note, version)

    return await attempt(run)


async def reject(ctx: Context, gid: str, reason: str, version: int | None) -> Outcome[Order]:
    uow = ctx.uow(Scope.ORDERS_APPROVE)
    role = ctx.require().role

    async def run() -> Order:
        return await approving.reject_order(uow, require_id(gid, "Order", "orderId"), role, reason, version)

    return await attempt(run)
