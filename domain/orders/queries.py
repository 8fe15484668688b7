"""Read side of orders: batch queries for dataloaders and the filtered order list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, exists, select

from domain.events.models import TimelineEntry
from domain.orders.approval_models import OrderApproval
from domain.orders.models import Order, OrderAllocation, OrderLine, Payment
from domain.pagination import Page, PageRequest, paginate
from domain.reading import Query, Reader, Row, by_keys, grouped, one_each

orders = Order.__table__
lines = OrderLine.__table__
allocations = OrderAllocation.__table__
timeline = TimelineEntry.__table__
payments = Payment.__table__


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
    approval_rule_id: uuid.UUID | None = None  # orders the rule held (waiting or decided)
    risk_levels: list[str] = field(default_factory=list)


def parse_number(text: str) -> int | None:
    """'#1001' and '1001' both name order 1001."""
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isascii() and digits.isdecimal() and len(digits) < 10 else None


ORDERS_BY_ID = by_keys(orders, "id")
ORDER_BY_NUMBER = Query(
    select(orders).where(orders.c.tenant_id == bindparam("tenant"), orders.c.number == bindparam("number"))
)
LINES_BY_ORDER = by_keys(lines, "order_id", "order_id", "position")
LINES_BY_ID = by_keys(lines, "id")
ALLOCATIONS_BY_LINE = by_keys(allocations, "line_id", "line_id", "location_id")
TIMELINE_BY_ORDER = by_keys(timeline, "subject_id", "subject_id", "id")
PAYMENTS_BY_ORDER = by_keys(payments, "order_id", "order_id", "created_at")


async def by_ids(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(ORDERS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def by_number(reader: Reader, tenant_id: uuid.UUID, number: int) -> Row | None:
    return await reader.first(ORDER_BY_NUMBER, tenant=tenant_id, number=number)


async def lines_by_order(
    reader: Reader, tenant_id: uuid.UUID, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(LINES_BY_ORDER, tenant=tenant_id, keys=order_ids), "order_id")


async def lines_by_ids(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(LINES_BY_ID, tenant=tenant_id, keys=ids), "id")


async def allocations_by_line(
    reader: Reader, tenant_id: uuid.UUID, line_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(ALLOCATIONS_BY_LINE, tenant=tenant_id, keys=line_ids), "line_id")


async def timeline_by_order(
    reader: Reader, tenant_id: uuid.UUID, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(TIMELINE_BY_ORDER, tenant=tenant_id, keys=order_ids), "subject_id")


async def payments_by_order(
    reader: Reader, tenant_id: uuid.UUID, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(PAYMENTS_BY_ORDER, tenant=tenant_id, keys=order_ids), "order_id")


async def list_orders(
    reader: Reader,
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
    if where.approval_rule_id:
        a = OrderApproval.__table__.c
        held = exists().where(
            a.tenant_id == tenant_id, a.order_id == c.id, a.rule_id == where.approval_rule_id
        )
        stmt = stmt.where(held)
    if where.risk_levels:
        stmt = stmt.where(c.risk_level.in_(where.risk_levels))
    return await paginate(reader, stmt, c[sort.value], c.id, page, sort.value)
