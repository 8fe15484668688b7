"""Read side of the catalog: products and locations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalog.models import Location, Product
from domain.pagination import Page, PageRequest, paginate

products = Product.__table__
locations = Location.__table__


class ProductSort(StrEnum):
    SKU = "sku"
    NAME = "name"
    PRICE = "price"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


class LocationSort(StrEnum):
    PRIORITY = "priority"
    NAME = "name"
    CODE = "code"


@dataclass
class ProductFilter:
    query: str | None = None  # matches SKU or name
    active: bool | None = None
    skus: list[str] | None = None


async def products_by_ids(
    conn: AsyncConnection, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Row[Any]]:
    stmt = select(products).where(products.c.tenant_id == tenant_id, products.c.id.in_(ids))
    return {r.id: r for r in await conn.execute(stmt)}


async def products_by_skus(
    conn: AsyncConnection, tenant_id: uuid.UUID, skus: list[str]
) -> dict[str, Row[Any]]:
    stmt = select(products).where(products.c.tenant_id == tenant_id, products.c.sku.in_(skus))
    return {r.sku: r for r in await conn.execute(stmt)}


async def locations_by_ids(
    conn: AsyncConnection, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Row[Any]]:
    stmt = select(locations).where(locations.c.tenant_id == tenant_id, locations.c.id.in_(ids))
    return {r.id: r for r in await conn.execute(stmt)}


async def list_products(
    conn: AsyncConnection,
    tenant_id: uuid.UUID,
    where: ProductFilter,
    page: PageRequest,
    sort: ProductSort = ProductSort.SKU,
) -> Page:
    c = products.c
    stmt = select(products).where(c.tenant_id == tenant_id)
    if where.query:
        pattern = "%" + where.query.strip().replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(c.sku.ilike(pattern) | c.name.ilike(pattern))
    if where.active is not None:
        stmt = stmt.where(c.active.is_(where.active))
    if where.skus:
        stmt = stmt.where(c.sku.in_(where.skus))
    return await paginate(conn, stmt, c[sort.value], c.id, page, sort.value)


async def list_locations(
    conn: AsyncConnection,
    tenant_id: uuid.UUID,
    page: PageRequest,
    active: bool | None = None,
    sort: LocationSort = LocationSort.PRIORITY,
) -> Page:
    c = locations.c
    stmt = select(locations).where(c.tenant_id == tenant_id)
    if active is not None:
        stmt = stmt.where(c.active.is_(active))
    return await paginate(conn, stmt, c[sort.value], c.id, page, sort.value)
