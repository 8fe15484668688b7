"""The event log as a pull feed: a page of the tenant's events after a cursor."""

from __future__ import annotations

from domain.events import feed
from domain.tenancy.scopes import Scope
from resolvers.context import Context
from resolvers.errors import as_bad_input


@as_bad_input
async def page(ctx: Context, after: str | None, first: int | None, types: list[str] | None) -> feed.EventPage:
    ctx.require(Scope.EVENTS_READ)
    async with ctx.reader() as reader:
        return await feed.page(reader, ctx.tenant_id, after, first, types)
