"""Locking a products' levels for a lean unit of work (run on the driver), in the one order every use
case that locks levels takes them: (product, location), so concurrent use cases queue instead of
deadlocking (domain/inventory/service.py lock_levels is the ORM session's way)."""

from __future__ import annotations

import uuid

from domain.uow import Transaction

LOCK_LEVELS = """
SELECT id FROM inventory_levels WHERE tenant_id = $1 AND product_id = ANY($2::uuid[])
ORDER BY product_id, location_id FOR UPDATE
"""


async def lock_levels_of(tx: Transaction, product_ids: list[uuid.UUID]) -> None:
    """Every level of these products, locked until commit."""
    if product_ids:
        await (await tx.driver()).execute(LOCK_LEVELS, tx.tenant_id, product_ids)
