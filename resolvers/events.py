"""The event log as a pull feed: a page of the tenant's events after a cursor."""

from __future__ import annotations

import uuid

from domain.events import feed
from domain.reading import Row
from domain.tenancy.scopes import Scope
from resolvers.context import Context
from resolvers.errors import as_bad_input


async def by_id(ctx: Context, event_id: uuid.UUID) -> Row | None:
    """One published event of the tenant's log (node(id:)), for keys that read the log."""
    ctx.require(Scope.EVENTS_READ)
    async with ctx.reader() as reader:
        return await feed.by_id(reader, ctx.tenant_id, event_id)


@as_bad_input
async def page(ctx: Context, after: str | None, first: int | None, types: list[str] | None) -> feed.EventPage:
    ctx.require(Scope.EVENTS_READ)
    async with ctx.reader() as reader:
        return await feed.page(reader, ctx.tenant_id, after, first, types)
