"""Write-side loading of the tenant's own rows, locked for the use case that changes them. The tenant row
is the shop's settings and counters: use cases of every context that change a setting lock it here."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.errors import Code, DomainError
from domain.tenancy.models import ApiKey, Tenant
from domain.uow import Transaction


async def get_tenant(tx: Transaction) -> Tenant:
    """The unit of work's tenant row, read (not locked): the shop's settings a use case reads."""
    return await tx.session.get_one(Tenant, tx.tenant_id)


async def lock_tenant(tx: Transaction) -> Tenant:
    """The unit of work's tenant row, locked until commit."""
    return (
        await tx.session.execute(select(Tenant).where(Tenant.id == tx.tenant_id).with_for_update())
    ).scalar_one()


async def lock_api_key(tx: Transaction, key_id: uuid.UUID) -> ApiKey:
    """One of the tenant's API keys, locked; NOT_FOUND when it is not the tenant's."""
    key = (
        await tx.session.execute(
            select(ApiKey).where(ApiKey.tenant_id == tx.tenant_id, ApiKey.id == key_id).with_for_update()
        )
    ).scalar_one_or_none()
    if key is None:
        raise DomainError(Code.NOT_FOUND, "API key not found", ["id"])
    return key
