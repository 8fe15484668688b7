"""Read side of inventory: levels per product and the movement ledger."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalog.models import Location
from domain.inventory.models import InventoryLevel, InventoryMovement
from domain.pagination import Page, PageRequest, paginate

levels = InventoryLevel.__table__
movements = InventoryMovement.__table__


def available(on_hand: int, committed: int, safety_stock: int, allow_backorder: bool) -> int:
    """Units that can still be sold; never negative unless the product takes backorders."""
    units = on_hand - committed - safety_stock
    return units if allow_backorder else max(0, units)


async def levels_by_product(
    conn: AsyncConnection, tenant_id: uuid.UUID, product_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row[Any]]]:
    loc = Location.__table__
    stmt = (
        select(levels)
        .join(loc, loc.c.id == levels.c.location_id)
        .where(levels.c.tenant_id == tenant_id, levels.c.product_id.in_(product_ids))
        .order_by(levels.c.product_id, loc.c.priority, loc.c.code)
    )
    found: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in await conn.execute(stmt):
        found[row.product_id].append(row)
    return found


async def list_movements(
    conn: AsyncConnection,
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
    return await paginate(conn, stmt, c.id, c.id, flipped, "id")
