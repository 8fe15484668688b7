"""purchaseOrderSubmit (a draft's units become incoming where they will arrive) and purchaseOrderCancel
(what has not arrived is no longer expected)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.inventory.repository import lock_levels
from domain.purchasing import repository
from domain.purchasing.models import PurchaseOrder, Supplier
from domain.purchasing.status import RECEIVABLE, PurchaseOrderStatus
from domain.uow import Transaction, UnitOfWork


async def submit_purchase_order(uow: UnitOfWork, po_id: uuid.UUID) -> PurchaseOrder:
    async with uow as tx:
        po = await submit(tx, po_id)
        await uow.commit()
    return po


async def submit(tx: Transaction, po_id: uuid.UUID) -> PurchaseOrder:
    """The step: a DRAFT goes to the supplier, and its units become incoming where they will arrive."""
    po, lines = await repository.lock_purchase_order(tx, po_id)
    po.move_to(PurchaseOrderStatus.SUBMITTED)
    supplier = (await tx.session.execute(select(Supplier).where(Supplier.id == po.supplier_id))).scalar_one()
    po.expect_in(supplier.lead_time_days)
    ensure = sorted({(line.product_id, line.location_id) for line in lines})
    levels = await lock_levels(tx, sorted({p for p, _ in ensure}), ensure=ensure)
    for line in lines:
        levels[line.product_id, line.location_id].incoming += line.outstanding
    return po


async def cancel_purchase_order(uow: UnitOfWork, po_id: uuid.UUID) -> PurchaseOrder:
    """Cancels a purchase order that is not closed: the units it still expects stop being incoming
    (units already received stay on hand)."""
    async with uow as tx:
        po, lines = await repository.lock_purchase_order(tx, po_id)
        expected = PurchaseOrderStatus(po.status) in RECEIVABLE
        po.move_to(PurchaseOrderStatus.CANCELLED)
        if expected:
            waiting = [line for line in lines if line.outstanding > 0]
            levels = await lock_levels(tx, sorted({line.product_id for line in waiting}))
            for line in waiting:
                level = levels.get((line.product_id, line.location_id))
                if level is not None:  # set by hand (inventorySet incoming) below what was ordered: to 0
                    level.incoming = max(0, level.incoming - line.outstanding)
        await uow.commit()
    return po
