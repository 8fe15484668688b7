from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.customers.models import Customer
from domain.pagination import Page, PageRequest, paginate

customers = Customer.__table__


async def by_ids(
    conn: AsyncConnection, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Row[Any]]:
    stmt = select(customers).where(customers.c.tenant_id == tenant_id, customers.c.id.in_(ids))
    return {r.id: r for r in await conn.execute(stmt)}


async def list_customers(
    conn: AsyncConnection, tenant_id: uuid.UUID, page: PageRequest, email: str | None = None
) -> Page:
    c = customers.c
    stmt = select(customers).where(c.tenant_id == tenant_id)
    if email:
        stmt = stmt.where(c.email == email.strip().lower())
    return await paginate(conn, stmt, c.email, c.id, page, "email")
