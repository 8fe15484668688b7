"""Write-side loading of catalog rows: locked for the use case that changes them, or read (not locked)
by use cases of other contexts that check or price a product."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select

from domain.catalog.models import BackorderPolicy, Location, Product
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


async def product_by_sku(tx: Transaction, sku: str) -> Product | None:
    """The shop's product with this SKU, read (not locked), or None."""
    return (
        await tx.session.execute(select(Product).where(Product.tenant_id == tx.tenant_id, Product.sku == sku))
    ).scalar_one_or_none()


async def products_by_sku(tx: Transaction, skus: Collection[str]) -> dict[str, Product]:
    """The shop's products with these SKUs, by SKU, read (not locked); SKUs it has not are left out."""
    return {
        p.sku: p
        for p in (
            await tx.session.execute(
                select(Product).where(Product.tenant_id == tx.tenant_id, Product.sku.in_(skus))
            )
        ).scalars()
    }


async def products_by_id(
    tx: Transaction, product_ids: Collection[uuid.UUID | None]
) -> dict[uuid.UUID, Product]:
    """The products with these IDs, by ID, read (not locked): the shop's own, as row-level security
    also holds it."""
    found = await tx.session.execute(
        select(Product).where(Product.tenant_id == tx.tenant_id, Product.id.in_(product_ids))
    )
    return {p.id: p for p in found.scalars()}


async def skus_by_id(tx: Transaction, product_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The SKU of each of the shop's products with these IDs."""
    found = await tx.session.execute(
        select(Product.id, Product.sku).where(Product.tenant_id == tx.tenant_id, Product.id.in_(product_ids))
    )
    return {row.id: row.sku for row in found}


async def backorder_policies(tx: Transaction, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, bool]:
    """Whether each of these products of the shop takes backorders (its policy is ALLOW)."""
    rows = await tx.session.execute(
        select(Product.id, Product.backorder_policy).where(
            Product.tenant_id == tx.tenant_id, Product.id.in_(product_ids)
        )
    )
    return {pid: policy == BackorderPolicy.ALLOW for pid, policy in rows.all()}


async def known_locations(tx: Transaction, location_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Those of these IDs that name a location of the shop (active or not)."""
    return set(
        (
            await tx.session.execute(
                select(Location.id).where(Location.tenant_id == tx.tenant_id, Location.id.in_(location_ids))
            )
        ).scalars()
    )


async def get_location(tx: Transaction, location_id: uuid.UUID) -> Location | None:
    """The shop's location with this ID, read (not locked), or None."""
    return (
        await tx.session.execute(
            select(Location).where(Location.tenant_id == tx.tenant_id, Location.id == location_id)
        )
    ).scalar_one_or_none()
