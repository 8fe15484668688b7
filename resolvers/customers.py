from __future__ import annotations

from domain.customers import queries
from domain.pagination import Page, PageRequest
from resolvers.context import EVERYONE, Context
from resolvers.errors import as_bad_input


@as_bad_input
async def listing(ctx: Context, page: PageRequest, email: str | None) -> Page:
    ctx.require(EVERYONE)
    async with ctx.reader() as conn:
        return await queries.list_customers(conn, ctx.tenant_id, page, email)
