"""Customer email settings (ADMIN keys) and what was sent about an order."""

from __future__ import annotations

from domain.notifications import queries, service
from domain.notifications.models import NotificationSettings
from domain.notifications.service import SettingsInput
from domain.pagination import Page, PageRequest
from domain.reading import Row
from domain.tenancy.scopes import Scope
from resolvers.context import Context
from resolvers.errors import as_bad_input
from resolvers.ids import local_id
from resolvers.outcome import Outcome, attempt


async def update(ctx: Context, data: SettingsInput) -> Outcome[NotificationSettings]:
    uow = ctx.uow(Scope.SHOP_MANAGE)
    return await attempt(lambda: service.update_settings(uow, data))


async def current(ctx: Context) -> Row | None:
    ctx.require(Scope.SHOP_MANAGE)
    async with ctx.reader() as reader:
        return await queries.settings(reader, ctx.tenant_id)


@as_bad_input
async def for_order(ctx: Context, order_gid: str, page: PageRequest) -> Page | None:
    ctx.require(Scope.NOTIFICATIONS_READ)
    order_id = local_id(order_gid, "Order")
    if order_id is None:
        return None
    async with ctx.reader() as reader:
        return await queries.for_order(reader, ctx.tenant_id, order_id, page)
