"""Read side of orders: batch queries for dataloaders and the filtered order list."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.events.models import TimelineEntry
from domain.orders.models import Order, OrderAllocation, OrderLine, Payment
from domain.pagination import Page, PageRequest, paginate

orders = Order.__table__
lines = OrderLine.__table__


class OrderSort(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NUMBER = "number"
    TOTAL = "total"


@dataclass
class OrderFilter:
    statuses: list[str] = field(default_factory=list)
    payment_statuses: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    email: str | None = None
    customer_id: uuid.UUID | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    tags: list[str] = field(default_factory=list)


def parse_number(text: str) -> int | None:
    """'#1001' and '1001' both name order 1001."""
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


async def by_ids(
    conn: AsyncConnection, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Row[Any]]:
    rows = await conn.execute(select(orders).where(orders.c.tenant_id == tenant_id, orders.c.id.in_(ids)))
    return {r.id: r for r in rows}


async def by_number(conn: AsyncConnection, tenant_id: uuid.UUID, number: int) -> Row[Any] | None:
    stmt = select(orders).where(orders.c.tenant_id == tenant_id, orders.c.number == number)
    return (await conn.execute(stmt)).first()


async def lines_by_order(
    conn: AsyncConnection, tenant_id: uuid.UUID, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row[Any]]]:
    stmt = (
        select(lines)
        .where(lines.c.tenant_id == tenant_id, lines.c.order_id.in_(order_ids))
        .order_by(lines.c.order_id, lines.c.position)
    )
    found: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in await conn.execute(stmt):
        found[row.order_id].append(row)
    return found


async def lines_by_ids(
    conn: AsyncConnection, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Row[Any]]:
    stmt = select(lines).where(lines.c.tenant_id == tenant_id, lines.c.id.in_(ids))
    return {r.id: r for r in await conn.execute(stmt)}


async def allocations_by_line(
    conn: AsyncConnection, tenant_id: uuid.UUID, line_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row[Any]]]:
    t = OrderAllocation.__table__
    stmt = select(t).where(t.c.tenant_id == tenant_id, t.c.line_id.in_(line_ids)).order_by(t.c.location_id)
    found: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in await conn.execute(stmt):
        found[row.line_id].append(row)
    return found


async def timeline_by_order(
    conn: AsyncConnection, tenant_id: uuid.UUID, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row[Any]]]:
    t = TimelineEntry.__table__
    stmt = (
        select(t)
        .where(t.c.tenant_id == tenant_id, t.c.subject_id.in_(order_ids))
        .order_by(t.c.subject_id, t.c.id)
    )
    found: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in await conn.execute(stmt):
        found[row.subject_id].append(row)
    return found


async def payments_by_order(
    conn: AsyncConnection, tenant_id: uuid.UUID, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row[Any]]]:
    t = Payment.__table__
    stmt = select(t).where(t.c.tenant_id == tenant_id, t.c.order_id.in_(order_ids)).order_by(t.c.created_at)
    found: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in await conn.execute(stmt):
        found[row.order_id].append(row)
    return found


async def list_orders(
    conn: AsyncConnection,
    tenant_id: uuid.UUID,
    where: OrderFilter,
    page: PageRequest,
    sort: OrderSort = OrderSort.CREATED_AT,
) -> Page:
    c = orders.c
    stmt = select(orders).where(c.tenant_id == tenant_id)
    if where.statuses:
        stmt = stmt.where(c.status.in_(where.statuses))
    if where.payment_statuses:
        stmt = stmt.where(c.payment_status.in_(where.payment_statuses))
    if where.channels:
        stmt = stmt.where(c.channel.in_(where.channels))
    if where.email:
        stmt = stmt.where(c.email == where.email.strip().lower())
    if where.customer_id:
        stmt = stmt.where(c.customer_id == where.customer_id)
    if where.created_after:
        stmt = stmt.where(c.created_at >= where.created_after)
    if where.created_before:
        stmt = stmt.where(c.created_at < where.created_before)
    if where.tags:
        stmt = stmt.where(c.tags.contains(where.tags))
    return await paginate(conn, stmt, c[sort.value], c.id, page, sort.value)
