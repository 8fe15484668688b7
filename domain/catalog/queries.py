"""Read side of the catalog: products and locations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from domain.catalog.models import Location, Product
from domain.pagination import Page, PageRequest, paginate
from domain.reading import Reader, Row, by_keys, one_each

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


PRODUCTS_BY_ID = by_keys(products, "id")
PRODUCTS_BY_SKU = by_keys(products, "sku")
LOCATIONS_BY_ID = by_keys(locations, "id")


async def products_by_ids(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(PRODUCTS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def products_by_skus(reader: Reader, tenant_id: uuid.UUID, skus: list[str]) -> dict[str, Row]:
    return one_each(await reader.all(PRODUCTS_BY_SKU, tenant=tenant_id, keys=skus), "sku")


async def locations_by_ids(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(LOCATIONS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def list_products(
    reader: Reader,
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
    return await paginate(reader, stmt, c[sort.value], c.id, page, sort.value)


async def list_locations(
    reader: Reader,
    tenant_id: uuid.UUID,
    page: PageRequest,
    active: bool | None = None,
    sort: LocationSort = LocationSort.PRIORITY,
) -> Page:
    c = locations.c
    stmt = select(locations).where(c.tenant_id == tenant_id)
    if active is not None:
        stmt = stmt.where(c.active.is_(active))
    return await paginate(reader, stmt, c[sort.value], c.id, page, sort.value)
