"""Locations and products."""

from __future__ import annotations

from domain.catalog import queries, service
from domain.catalog.customization import Option
from domain.catalog.models import Location, Product
from domain.catalog.service import LocationInput, ProductInput
from domain.pagination import Page, PageRequest
from domain.reading import Row
from domain.tenancy.scopes import Scope
from resolvers.context import Context
from resolvers.errors import as_bad_input
from resolvers.ids import require_id
from resolvers.outcome import Outcome, attempt


async def location_create(ctx: Context, data: LocationInput) -> Outcome[Location]:
    uow = ctx.uow(Scope.CATALOG_WRITE)
    return await attempt(lambda: service.create_location(uow, data))


async def location_update(ctx: Context, gid: str, data: LocationInput) -> Outcome[Location]:
    uow = ctx.uow(Scope.CATALOG_WRITE)
    return await attempt(lambda: service.update_location(uow, require_id(gid, "Location"), data))


async def product_create(ctx: Context, data: ProductInput) -> Outcome[Product]:
    uow = ctx.uow(Scope.CATALOG_WRITE)
    return await attempt(lambda: service.create_product(uow, data))


async def product_update(ctx: Context, gid: str, data: ProductInput) -> Outcome[Product]:
    uow = ctx.uow(Scope.CATALOG_WRITE)
    return await attempt(lambda: service.update_product(uow, require_id(gid, "Product"), data))


async def product_customization_options_set(
    ctx: Context, gid: str, options: list[Option]
) -> Outcome[Product]:
    uow = ctx.uow(Scope.SHOP_MANAGE)  # what the shop sells and at what price: ADMIN keys
    return await attempt(lambda: service.set_customization_options(uow, require_id(gid, "Product"), options))


async def products_import(ctx: Context, items: list[ProductInput]) -> Outcome[list[Product]]:
    uow = ctx.uow(Scope.CATALOG_WRITE)
    return await attempt(lambda: service.import_products(uow, items))


async def product_by_sku(ctx: Context, sku: str) -> Row | None:
    ctx.require(Scope.CATALOG_READ)
    return await ctx.loaders.product_by_sku.load(sku.strip())


@as_bad_input
async def products(
    ctx: Context, where: queries.ProductFilter, page: PageRequest, sort: queries.ProductSort
) -> Page:
    ctx.require(Scope.CATALOG_READ)
    async with ctx.reader() as conn:
        return await queries.list_products(conn, ctx.tenant_id, where, page, sort)


@as_bad_input
async def locations(ctx: Context, page: PageRequest, active: bool | None, sort: queries.LocationSort) -> Page:
    ctx.require(Scope.CATALOG_READ)
    async with ctx.reader() as conn:
        return await queries.list_locations(conn, ctx.tenant_id, page, active, sort)
