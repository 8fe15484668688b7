"""Read side of fulfillment: batch queries for dataloaders and the picking queue."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

from sqlalchemy import and_, or_, select, tuple_

from domain.catalog.models import Location
from domain.errors import Code, DomainError
from domain.fulfillment.models import FulfillmentHold, FulfillmentOrder
from domain.fulfillment.status import QUEUED
from domain.inventory.models import InventoryLevel
from domain.orders.models import OrderAllocation, OrderLine
from domain.orders.status import AllocationStatus
from domain.pagination import DEFAULT_PAGE, MAX_PAGE, Page
from domain.reading import Reader, Row, by_keys, grouped, one_each

fos = FulfillmentOrder.__table__
holds = FulfillmentHold.__table__
allocations = OrderAllocation.__table__

FULFILLMENT_ORDERS_BY_ID = by_keys(fos, "id")
FULFILLMENT_ORDERS_BY_ORDER = by_keys(fos, "order_id", "order_id", "created_at", "id")
HOLDS_BY_FULFILLMENT_ORDER = by_keys(holds, "fulfillment_order_id", "fulfillment_order_id", "created_at")
ALLOCATIONS_BY_FULFILLMENT_ORDER = by_keys(
    allocations, "fulfillment_order_id", "fulfillment_order_id", "line_id", "created_at"
)


async def by_ids(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(FULFILLMENT_ORDERS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def by_order(
    reader: Reader, tenant_id: uuid.UUID, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(
        await reader.all(FULFILLMENT_ORDERS_BY_ORDER, tenant=tenant_id, keys=order_ids), "order_id"
    )


async def holds_by_fulfillment_order(
    reader: Reader, tenant_id: uuid.UUID, fo_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    rows = await reader.all(HOLDS_BY_FULFILLMENT_ORDER, tenant=tenant_id, keys=fo_ids)
    return grouped(rows, "fulfillment_order_id")


async def lines_by_fulfillment_order(
    reader: Reader, tenant_id: uuid.UUID, fo_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    """A fulfillment order's lines (its allocations) with the SKU, name, customizations and the bin to
    pick from."""
    a, line, level = allocations, OrderLine.__table__, InventoryLevel.__table__
    stmt = (
        select(
            a,
            line.c.sku,
            line.c.name,
            line.c.customizations,
            line.c.quantity.label("line_quantity"),
            level.c.bin_code,
            Location.__table__.c.code.label("location_code"),
        )
        .join(line, line.c.id == a.c.line_id)
        .join(Location.__table__, Location.__table__.c.id == a.c.location_id)
        .outerjoin(level, (level.c.product_id == a.c.product_id) & (level.c.location_id == a.c.location_id))
        .where(
            a.c.tenant_id == tenant_id,
            a.c.fulfillment_order_id.in_(fo_ids),
            a.c.status != AllocationStatus.RELEASED,
        )
        .order_by(a.c.fulfillment_order_id, line.c.position, a.c.created_at, a.c.id)
    )
    return grouped(await reader.all(stmt), "fulfillment_order_id")


def _cursor(row: Row) -> str:
    raw = json.dumps(
        ["queue", row.priority, row.ship_by.isoformat(), row.created_at.isoformat(), str(row.id)]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[int, datetime, datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, priority, ship_by, created, row_id = json.loads(raw)
        if made_for != "queue" or not isinstance(priority, int):
            raise ValueError("not a queue cursor")
        return priority, datetime.fromisoformat(ship_by), datetime.fromisoformat(created), uuid.UUID(row_id)
    except (ValueError, TypeError) as exc:
        raise DomainError(Code.INVALID, "after is not a cursor from this queue", ["after"]) from exc


async def queue(
    reader: Reader, tenant_id: uuid.UUID, location_id: uuid.UUID, first: int | None, after: str | None
) -> Page:
    """Open work at a location in the order a picker should take it: highest priority, then the
    earliest ship-by date, then the oldest."""
    limit = DEFAULT_PAGE if first is None else first
    if not 0 <= limit <= MAX_PAGE:
        raise DomainError(Code.INVALID, f"first must be between 0 and {MAX_PAGE}", ["first"])
    c = fos.c
    stmt = select(fos).where(
        c.tenant_id == tenant_id, c.location_id == location_id, c.status.in_(sorted(QUEUED))
    )
    if after:
        # Priority runs downwards and the rest upwards, so the keyset is spelled out; it walks
        # ix_fulfillment_orders_queue in order.
        priority, ship_by, created, row_id = _after(after)
        rest = tuple_(c.ship_by, c.created_at, c.id) > tuple_(ship_by, created, row_id)
        stmt = stmt.where(or_(c.priority < priority, and_(c.priority == priority, rest)))
    stmt = stmt.order_by(c.priority.desc(), c.ship_by, c.created_at, c.id).limit(limit + 1)
    rows = await reader.all(stmt)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, [_cursor(r) for r in rows], has_next=more, has_previous=after is not None)
