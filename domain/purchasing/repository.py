"""Loading purchasing rows for a use case, with the locks it needs."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from domain.errors import Code, DomainError
from domain.purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchasingSettings, Supplier
from domain.uow import Transaction


async def settings(tx: Transaction, lock: bool = False) -> PurchasingSettings:
    """The shop's purchasing row, made with the defaults the first time it is needed."""
    await tx.session.execute(
        insert(PurchasingSettings).values(tenant_id=tx.tenant_id).on_conflict_do_nothing()
    )
    stmt = select(PurchasingSettings).where(PurchasingSettings.tenant_id == tx.tenant_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await tx.session.execute(stmt.execution_options(populate_existing=True))).scalar_one()


async def next_number(tx: Transaction) -> int:
    """The shop's next purchase order number. Its row stays locked until commit: take it late."""
    await settings(tx)
    counter = PurchasingSettings.next_number
    return (
        await tx.session.execute(
            update(PurchasingSettings)
            .where(PurchasingSettings.tenant_id == tx.tenant_id)
            .values({counter: counter + 1})
            .returning(counter - 1)
        )
    ).scalar_one()


async def supplier(tx: Transaction, supplier_id: uuid.UUID, field: str = "id") -> Supplier:
    found = (
        await tx.session.execute(
            select(Supplier).where(Supplier.tenant_id == tx.tenant_id, Supplier.id == supplier_id)
        )
    ).scalar_one_or_none()
    if found is None:
        raise DomainError(Code.NOT_FOUND, "Supplier not found", [field])
    return found


async def lock_purchase_order(
    tx: Transaction, po_id: uuid.UUID
) -> tuple[PurchaseOrder, list[PurchaseOrderLine]]:
    """The purchase order, locked before anything else of it is read (so two receipts of it queue
    here), and its lines in (product, location) order: the order its levels are locked in."""
    po = (
        await tx.session.execute(
            select(PurchaseOrder)
            .where(PurchaseOrder.tenant_id == tx.tenant_id, PurchaseOrder.id == po_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if po is None:
        raise DomainError(Code.NOT_FOUND, "Purchase order not found", ["id"])
    return po, await lines_of(tx, po.id)


async def lines_of(tx: Transaction, po_id: uuid.UUID) -> list[PurchaseOrderLine]:
    return list(
        (
            await tx.session.execute(
                select(PurchaseOrderLine)
                .where(
                    PurchaseOrderLine.tenant_id == tx.tenant_id, PurchaseOrderLine.purchase_order_id == po_id
                )
                .order_by(PurchaseOrderLine.product_id, PurchaseOrderLine.location_id)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )
