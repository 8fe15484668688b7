"""Per-tenant counters (order numbers, RMA numbers) kept on the tenant row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from domain.tenancy.models import Tenant
from domain.uow import Transaction


async def next_number(tx: Transaction, counter: Any) -> int:
    """The next value of one of the tenant's counters (a Tenant column). The tenant row stays locked
    until commit, so concurrent use cases queue here: take it as late as the use case allows."""
    return (
        await tx.session.execute(
            update(Tenant)
            .where(Tenant.id == tx.tenant_id)
            .values({counter: counter + 1})
            .returning(counter - 1)
        )
    ).scalar_one()
