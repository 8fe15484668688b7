"""Read side of inventory: levels per product and the movement ledger."""

from __future__ import annotations

import uuid

from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from domain.catalog.models import Location
from domain.inventory.models import InventoryLevel, InventoryMovement
from domain.pagination import Page, PageRequest, paginate
from domain.reading import Query, Reader, Row, grouped

levels = InventoryLevel.__table__
movements = InventoryMovement.__table__


_locations = Location.__table__
# A product's levels in the order its stock is promised: by location priority.
LEVELS_BY_PRODUCT = Query(
    select(levels)
    .join(_locations, _locations.c.id == levels.c.location_id)
    .where(
        levels.c.tenant_id == bindparam("tenant"),
        levels.c.product_id == any_(bindparam("keys", type_=ARRAY(levels.c.product_id.type))),
    )
    .order_by(levels.c.product_id, _locations.c.priority, _locations.c.code)
)


async def levels_by_product(
    reader: Reader, tenant_id: uuid.UUID, product_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(LEVELS_BY_PRODUCT, tenant=tenant_id, keys=product_ids), "product_id")


async def list_movements(
    reader: Reader,
    tenant_id: uuid.UUID,
    product_id: uuid.UUID,
    page: PageRequest,
    location_id: uuid.UUID | None = None,
) -> Page:
    """Newest first unless reversed; the id orders movements as they were written."""
    c = movements.c
    stmt = select(movements).where(c.tenant_id == tenant_id, c.product_id == product_id)
    if location_id is not None:
        stmt = stmt.where(c.location_id == location_id)
    flipped = PageRequest(page.first, page.after, page.last, page.before, reverse=not page.reverse)
    return await paginate(reader, stmt, c.id, c.id, flipped, "id")
