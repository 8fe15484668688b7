from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.customers.models import Customer
from domain.pagination import Page, PageRequest, paginate
from domain.reading import Reader, Row, by_keys, one_each

customers = Customer.__table__


CUSTOMERS_BY_ID = by_keys(customers, "id")


async def by_ids(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(CUSTOMERS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def list_customers(
    reader: Reader, tenant_id: uuid.UUID, page: PageRequest, email: str | None = None
) -> Page:
    c = customers.c
    stmt = select(customers).where(c.tenant_id == tenant_id)
    if email:
        stmt = stmt.where(c.email == email.strip().lower())
    return await paginate(reader, stmt, c.email, c.id, page, "email")
