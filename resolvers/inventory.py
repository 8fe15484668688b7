"""Stock levels and the movement ledger."""

from __future__ import annotations

from domain.catalog.models import Product
from domain.inventory import damaged, queries, service
from domain.inventory.models import InventoryLevel
from domain.pagination import Page, PageRequest
from domain.tenancy.scopes import Scope
from domain.workflows import stock_changes
from resolvers.context import Context
from resolvers.errors import as_bad_input
from resolvers.ids import local_id
from resolvers.outcome import Outcome, attempt


async def set_level(ctx: Context, data: service.SetInput) -> Outcome[tuple[InventoryLevel, Product]]:
    uow = ctx.uow(Scope.INVENTORY_WRITE)
    return await attempt(lambda: stock_changes.set_level(uow, data))


async def adjust_level(ctx: Context, data: service.AdjustInput) -> Outcome[tuple[InventoryLevel, Product]]:
    uow = ctx.uow(Scope.INVENTORY_WRITE)
    return await attempt(lambda: stock_changes.adjust_level(uow, data))


async def resolve_damaged(
    ctx: Context, data: damaged.DamagedInput
) -> Outcome[tuple[InventoryLevel, Product]]:
    uow = ctx.uow(Scope.INVENTORY_WRITE)
    return await attempt(lambda: stock_changes.resolve_damaged(uow, data))


@as_bad_input
async def movements(ctx: Context, sku: str, location_gid: str | None, page: PageRequest) -> Page | None:
    """None when the SKU is unknown; an unknown location matches nothing."""
    ctx.require(Scope.INVENTORY_READ)
    product = await ctx.loaders.product_by_sku.load(sku.strip())
    if product is None:
        return None
    location_id = local_id(location_gid, "Location") if location_gid else None
    if location_gid and location_id is None:
        return Page([], [], False, False)
    async with ctx.reader() as conn:
        return await queries.list_movements(conn, ctx.tenant_id, product.id, page, location_id)
