"""Write-side loading of inventory levels, with their locks. Every use case that locks levels takes them
in one order, (product, location), so concurrent use cases touching the same SKUs queue instead of
deadlocking; on the ORM session (lock_levels, level_for_update) and on the driver of a lean unit of work
(lock_levels_lean) alike."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert

from domain.catalog.models import Product
from domain.catalog.repository import get_location, product_by_sku
from domain.errors import Code, Problems
from domain.inventory.models import InventoryLevel
from domain.uow import Transaction

# A level's table columns, for statements run on the driver that build InventoryLevel objects from rows.
LEVEL_COLUMNS = (
    "id",
    "tenant_id",
    "product_id",
    "location_id",
    "on_hand",
    "committed",
    "incoming",
    "damaged",
    "safety_stock",
    "reorder_point",
    "bin_code",
    "updated_at",
)
LOCK_LEVELS = """
SELECT id FROM inventory_levels WHERE tenant_id = $1 AND product_id = ANY($2::uuid[])
ORDER BY product_id, location_id FOR UPDATE
"""


async def level_for_update(
    tx: Transaction, sku: str, location_id: uuid.UUID | None
) -> tuple[Product, InventoryLevel]:
    product = await product_by_sku(tx, sku.strip())
    location = await get_location(tx, location_id) if location_id is not None else None
    problems = Problems()
    if product is None:
        problems.add(Code.UNKNOWN_SKU, f"No product with SKU {sku!r}", "sku")
    if location is None:
        problems.add(Code.NOT_FOUND, "Location not found", "locationId")
    problems.raise_if_any()
    assert product is not None and location is not None
    levels = await lock_levels(tx, [product.id], ensure=[(product.id, location.id)])
    return product, levels[product.id, location.id]


async def lock_levels(
    tx: Transaction,
    products: list[uuid.UUID] | Select[uuid.UUID],
    ensure: Sequence[tuple[uuid.UUID, uuid.UUID]] = (),
) -> dict[tuple[uuid.UUID, uuid.UUID], InventoryLevel]:
    """Locks every level of these products: a list of IDs, or a subquery that names them (then the read
    of the products and the lock are one statement; the subquery's own rows are read, not locked).
    Levels named in `ensure` are created if missing, after the existing ones are locked: everyone takes
    the existing rows first, so nobody holds a new row while waiting for an old one."""
    levels = await _select_for_update(tx, products)
    missing = [(p, loc) for p, loc in ensure if (p, loc) not in levels]
    if not missing:
        return levels
    await tx.session.execute(
        insert(InventoryLevel)
        .values(
            [
                {"id": uuid.uuid4(), "tenant_id": tx.tenant_id, "product_id": p, "location_id": loc}
                for p, loc in missing
            ]
        )
        .on_conflict_do_nothing()
    )
    return await _select_for_update(tx, products)


async def lock_levels_lean(tx: Transaction, product_ids: list[uuid.UUID]) -> None:
    """lock_levels for a lean unit of work (on the driver): every level of these products, locked until
    commit, nothing loaded."""
    if product_ids:
        await (await tx.driver()).execute(LOCK_LEVELS, tx.tenant_id, product_ids)


async def _select_for_update(
    tx: Transaction, products: list[uuid.UUID] | Select[uuid.UUID]
) -> dict[tuple[uuid.UUID, uuid.UUID], InventoryLevel]:
    rows = (
        await tx.session.execute(
            select(InventoryLevel)
            .where(InventoryLevel.tenant_id == tx.tenant_id, InventoryLevel.product_id.in_(products))
            .order_by(InventoryLevel.product_id, InventoryLevel.location_id)
            .with_for_update(of=InventoryLevel)
            .execution_options(populate_existing=True)
        )
    ).scalars()
    return {(lv.product_id, lv.location_id): lv for lv in rows}
