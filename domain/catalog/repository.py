"""Write-side loading of catalog rows, locked for the use case that changes them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from domain.catalog.models import Location, Product
from domain.errors import Code, DomainError
from domain.uow import Transaction


async def get_for_update(
    tx: Transaction,
    model: type[Location] | type[Product],
    entity_id: uuid.UUID,
    label: str,
) -> Any:
    """The shop's location or product, locked; NOT_FOUND (on `id`, named `label`) when it is not there."""
    found = (
        await tx.session.execute(
            select(model).where(model.id == entity_id, model.tenant_id == tx.tenant_id).with_for_update()
        )
    ).scalar_one_or_none()
    if found is None:
        raise DomainError(Code.NOT_FOUND, f"{label} not found", ["id"])
    return found


async def lock_products_by_sku(tx: Transaction, skus: list[str]) -> dict[str, Product]:
    """The shop's products with these SKUs, by SKU, locked in SKU order."""
    return {
        p.sku: p
        for p in (
            await tx.session.execute(
                select(Product)
                .where(Product.tenant_id == tx.tenant_id, Product.sku.in_(skus))
                .order_by(Product.sku)
                .with_for_update()
            )
        ).scalars()
    }


async def active_locations(tx: Transaction) -> list[uuid.UUID]:
    """The shop's active locations, in the order stock is drawn from them (priority, then code)."""
    return list(
        (
            await tx.session.execute(
                select(Location.id)
                .where(Location.tenant_id == tx.tenant_id, Location.active.is_(True))
                .order_by(Location.priority, Location.code)
            )
        ).scalars()
    )
