from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.pagination import Page, PageRequest, paginate
from domain.tenancy.models import ApiKey, Tenant

keys = ApiKey.__table__
tenants = Tenant.__table__


async def shop(conn: AsyncConnection, tenant_id: uuid.UUID) -> Row[Any]:
    return (await conn.execute(select(tenants).where(tenants.c.id == tenant_id))).one()


async def list_keys(conn: AsyncConnection, tenant_id: uuid.UUID, page: PageRequest) -> Page:
    """Keys newest first; the secret is never stored, so it is never listed."""
    c = keys.c
    stmt = select(c.id, c.name, c.role, c.prefix, c.created_at, c.revoked_at).where(c.tenant_id == tenant_id)
    flipped = PageRequest(page.first, page.after, page.last, page.before, reverse=not page.reverse)
    return await paginate(conn, stmt, c.created_at, c.id, flipped, "created_at")
