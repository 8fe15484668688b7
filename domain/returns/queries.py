"""Read side of returns: batch queries for dataloaders and the filtered return list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from domain.orders.models import Order
from domain.pagination import Page, PageRequest, paginate
from domain.reading import Reader, Row, by_keys, grouped, one_each
from domain.returns.models import Return, ReturnLine

returns = Return.__table__
orders = Order.__table__
return_lines = ReturnLine.__table__

RETURNS_BY_ID = by_keys(returns, "id")
RETURNS_BY_ORDER = by_keys(returns, "order_id", "order_id", "number")
LINES_BY_RETURN = by_keys(return_lines, "return_id", "return_id", "position")
LINES_BY_ID = by_keys(return_lines, "id")


class ReturnSort(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NUMBER = "number"


@dataclass
class ReturnFilter:
    statuses: list[str] = field(default_factory=list)
    order_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None  # returns of this customer's orders


async def by_ids(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(RETURNS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def by_order(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(RETURNS_BY_ORDER, tenant=tenant_id, keys=ids), "order_id")


async def lines_by_return(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(LINES_BY_RETURN, tenant=tenant_id, keys=ids), "return_id")


async def lines_by_ids(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(LINES_BY_ID, tenant=tenant_id, keys=ids), "id")


async def list_returns(
    reader: Reader,
    tenant_id: uuid.UUID,
    where: ReturnFilter,
    page: PageRequest,
    sort: ReturnSort = ReturnSort.CREATED_AT,
) -> Page:
    c = returns.c
    stmt = select(returns).where(c.tenant_id == tenant_id)
    if where.statuses:
        stmt = stmt.where(c.status.in_(where.statuses))
    if where.order_id:
        stmt = stmt.where(c.order_id == where.order_id)
    if where.customer_id:
        owned = select(orders.c.id).where(
            orders.c.tenant_id == tenant_id, orders.c.customer_id == where.customer_id
        )
        stmt = stmt.where(c.order_id.in_(owned))
    return await paginate(reader, stmt, c[sort.value], c.id, page, sort.value)
