from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select

from domain.pagination import Page, PageRequest, paginate
from domain.reading import Query, Reader, Row
from domain.tenancy.models import ApiKey, Tenant

keys = ApiKey.__table__
tenants = Tenant.__table__


SHOP = Query(select(tenants).where(tenants.c.id == bindparam("tenant")))


async def shop(reader: Reader, tenant_id: uuid.UUID) -> Row:
    found = await reader.first(SHOP, tenant=tenant_id)
    assert found is not None, "a key's tenant always exists"
    return found


async def list_keys(reader: Reader, tenant_id: uuid.UUID, page: PageRequest) -> Page:
    """Keys newest first; the secret is never stored, so it is never listed."""
    c = keys.c
    stmt = select(
        c.id, c.name, c.role, c.scopes, c.registered_documents_only, c.prefix, c.created_at, c.revoked_at
    ).where(c.tenant_id == tenant_id)
    flipped = PageRequest(page.first, page.after, page.last, page.before, reverse=not page.reverse)
    return await paginate(reader, stmt, c.created_at, c.id, flipped, "created_at")
