from __future__ import annotations

from domain.customers import queries, service
from domain.customers.models import Customer
from domain.orders.status import CustomerTier
from domain.pagination import Page, PageRequest
from resolvers.context import EVERYONE, MANAGERS, Context
from resolvers.errors import as_bad_input
from resolvers.ids import require_id
from resolvers.outcome import Outcome, attempt


@as_bad_input
async def listing(ctx: Context, page: PageRequest, email: str | None) -> Page:
    ctx.require(EVERYONE)
    async with ctx.reader() as conn:
        return await queries.list_customers(conn, ctx.tenant_id, page, email)


async def set_tier(ctx: Context, gid: str, tier: CustomerTier) -> Outcome[Customer]:
    uow = ctx.uow(MANAGERS)
    return await attempt(lambda: service.set_tier(uow, require_id(gid, "Customer"), tier))
