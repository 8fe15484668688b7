from __future__ import annotations

from typing import Any

from domain.customers import access, queries, service
from domain.customers.models import Customer
from domain.orders.status import CustomerTier
from domain.pagination import Page, PageRequest
from domain.reading import Row
from domain.tenancy.scopes import Scope
from domain.workflows import erasure
from resolvers.context import Context
from resolvers.errors import as_bad_input
from resolvers.ids import require_id
from resolvers.outcome import Outcome, attempt


@as_bad_input
async def listing(ctx: Context, page: PageRequest, email: str | None) -> Page:
    ctx.require(Scope.CUSTOMERS_READ)
    async with ctx.reader() as conn:
        return await queries.list_customers(conn, ctx.tenant_id, page, email)


async def viewer(ctx: Context) -> Row | None:
    """The customer a customer access token speaks for (not an order token: that opens one order)."""
    grant = ctx.require().grant
    if grant is None or grant.order_id is not None or grant.customer_id is None:
        return None
    return await ctx.loaders.customer_by_id.load(grant.customer_id)


async def set_tier(ctx: Context, gid: str, tier: CustomerTier) -> Outcome[Customer]:
    uow = ctx.uow(Scope.CUSTOMERS_WRITE)
    return await attempt(lambda: service.set_tier(uow, require_id(gid, "Customer"), tier))


async def export(ctx: Context, customer_gid: str | None, email: str | None) -> Outcome[dict[str, Any]]:
    uow = ctx.uow(Scope.CUSTOMERS_EXPORT)

    async def run() -> dict[str, Any]:
        customer_id = require_id(customer_gid, "Customer", "customerId") if customer_gid else None
        return await erasure.export(uow, customer_id, email)

    return await attempt(run)


async def erase(ctx: Context, customer_gid: str | None, email: str | None) -> Outcome[Customer]:
    uow = ctx.uow(Scope.CUSTOMERS_ERASE)

    async def run() -> Customer:
        customer_id = require_id(customer_gid, "Customer", "customerId") if customer_gid else None
        return await erasure.erase(uow, customer_id, email)

    return await attempt(run)


async def issue_token(
    ctx: Context, email: str | None, customer_gid: str | None, ttl: int
) -> Outcome[access.IssuedToken]:
    uow = ctx.uow(Scope.CUSTOMERS_WRITE)

    async def run() -> access.IssuedToken:
        customer_id = require_id(customer_gid, "Customer", "customerId") if customer_gid else None
        return await access.issue_token(uow, email, customer_id, ttl)

    return await attempt(run)


async def rotate_secret(ctx: Context, keep_previous: bool) -> Outcome[str]:
    uow = ctx.uow(Scope.SHOP_MANAGE)
    return await attempt(lambda: access.rotate_secret(uow, keep_previous))
