"""Builders for purchasing tests: a supplier with prices, purchase orders, and reading them back."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.purchasing import ordering, submitting, suppliers
from domain.purchasing.models import PurchaseOrder, PurchaseOrderLine
from tests.integration.builders import rows, uow


async def supplier(
    engine: AsyncEngine,
    tenant_id: uuid.UUID,
    prices: dict[str, str],
    lead_time_days: int = 5,
    minimum: int = 1,
    pack: int = 1,
    name: str = "Acme Textiles",
) -> uuid.UUID:
    made = await suppliers.create_supplier(
        uow(engine, tenant_id),
        suppliers.SupplierInput(
            name=name, lead_time_days=lead_time_days, minimum_order_quantity=minimum, pack_size=pack
        ),
    )
    for sku, cost in prices.items():
        await suppliers.set_supplier_product(
            uow(engine, tenant_id), suppliers.SupplierProductInput(made.id, sku, cost)
        )
    return made.id


async def purchase_order(
    engine: AsyncEngine,
    tenant_id: uuid.UUID,
    supplier_id: uuid.UUID,
    lines: list[tuple[str, uuid.UUID, int]],
    submit: bool = True,
    key: str | None = None,
) -> uuid.UUID:
    data = ordering.PurchaseOrderInput(
        supplier_id, [ordering.LineInput(sku, loc, qty) for sku, loc, qty in lines], idempotency_key=key
    )
    made = await ordering.create_purchase_order(uow(engine, tenant_id), data)
    if submit:
        await submitting.submit_purchase_order(uow(engine, tenant_id), made.purchase_order.id)
    return made.purchase_order.id


async def po_row(engine: AsyncEngine, po_id: uuid.UUID) -> Any:
    t = PurchaseOrder.__table__
    [found] = await rows(engine, select(t).where(t.c.id == po_id))
    return found


async def po_lines(engine: AsyncEngine, po_id: uuid.UUID) -> list[Any]:
    t = PurchaseOrderLine.__table__
    return await rows(engine, select(t).where(t.c.purchase_order_id == po_id).order_by(t.c.sku))


async def purchase_orders(engine: AsyncEngine, tenant_id: uuid.UUID) -> list[Any]:
    t = PurchaseOrder.__table__
    return await rows(engine, select(t).where(t.c.tenant_id == tenant_id).order_by(t.c.number))
