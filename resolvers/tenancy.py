"""The calling tenant's own settings and API keys."""

from __future__ import annotations

from domain.pagination import Page, PageRequest
from domain.reading import Row
from domain.tenancy import admin, queries
from domain.tenancy.models import ApiKey, Role, Tenant
from domain.tenancy.scopes import Scope
from domain.tenancy.service import IssuedKey
from resolvers.context import Context
from resolvers.errors import as_bad_input
from resolvers.ids import require_id
from resolvers.outcome import Outcome, attempt


async def shop(ctx: Context) -> Row:
    ctx.require()
    async with ctx.reader() as conn:
        return await queries.shop(conn, ctx.tenant_id)


async def update_shop(ctx: Context, data: admin.ShopInput) -> Outcome[Tenant]:
    uow = ctx.uow(Scope.SHOP_MANAGE)
    return await attempt(lambda: admin.update_shop(uow, data))


@as_bad_input
async def keys(ctx: Context, page: PageRequest) -> Page:
    ctx.require(Scope.KEYS_MANAGE)
    async with ctx.reader() as conn:
        return await queries.list_keys(conn, ctx.tenant_id, page)


async def issue_key(
    ctx: Context, role: Role, name: str, scopes: list[str] | None, registered_only: bool = False
) -> Outcome[IssuedKey]:
    uow = ctx.uow(Scope.KEYS_MANAGE)
    held = ctx.require().scopes
    return await attempt(lambda: admin.issue_key(uow, role, name, held, scopes, registered_only))


async def revoke_key(ctx: Context, gid: str) -> Outcome[ApiKey]:
    uow = ctx.uow(Scope.KEYS_MANAGE)
    caller = ctx.require(Scope.KEYS_MANAGE).key_id
    return await attempt(lambda: admin.revoke_key(uow, require_id(gid, "ApiKey"), caller))
