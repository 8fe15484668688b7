"""Read side of purchasing: suppliers, their prices, purchase orders and their lines."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import select

from domain.catalog.models import Product
from domain.pagination import Page, PageRequest, paginate
from domain.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchasingSettings,
    Supplier,
    SupplierProduct,
)
from domain.reading import Reader, Row, by_keys, grouped, one_each

suppliers = Supplier.__table__
supplier_products = SupplierProduct.__table__
purchase_orders = PurchaseOrder.__table__
lines = PurchaseOrderLine.__table__
_products = Product.__table__


class PurchaseOrderSort(StrEnum):
    NUMBER = "number"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


SUPPLIERS_BY_ID = by_keys(suppliers, "id")
PURCHASE_ORDERS_BY_ID = by_keys(purchase_orders, "id")
LINES_BY_PURCHASE_ORDER = by_keys(lines, "purchase_order_id", "sku", "location_id")


async def suppliers_by_ids(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(SUPPLIERS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def purchase_orders_by_ids(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(PURCHASE_ORDERS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def lines_by_purchase_order(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(LINES_BY_PURCHASE_ORDER, tenant=tenant_id, keys=ids), "purchase_order_id")


async def products_by_supplier(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    """A supplier's prices, with the SKU of each product, by SKU."""
    sp, p = supplier_products.c, _products.c
    rows = await reader.all(
        select(supplier_products, p.sku)
        .join(_products, p.id == sp.product_id)
        .where(sp.tenant_id == tenant_id, sp.supplier_id.in_(ids))
        .order_by(sp.supplier_id, p.sku)
    )
    return grouped(rows, "supplier_id")


async def list_suppliers(
    reader: Reader, tenant_id: uuid.UUID, page: PageRequest, active: bool | None
) -> Page:
    c = suppliers.c
    stmt = select(suppliers).where(c.tenant_id == tenant_id)
    if active is not None:
        stmt = stmt.where(c.active.is_(active))
    return await paginate(reader, stmt, c.name, c.id, page, "name")


async def list_purchase_orders(
    reader: Reader,
    tenant_id: uuid.UUID,
    page: PageRequest,
    statuses: list[str],
    supplier_id: uuid.UUID | None,
    sort: PurchaseOrderSort = PurchaseOrderSort.NUMBER,
) -> Page:
    c = purchase_orders.c
    stmt = select(purchase_orders).where(c.tenant_id == tenant_id)
    if statuses:
        stmt = stmt.where(c.status.in_(statuses))
    if supplier_id is not None:
        stmt = stmt.where(c.supplier_id == supplier_id)
    return await paginate(reader, stmt, c[sort.value], c.id, page, sort.value)


async def settings(reader: Reader, tenant_id: uuid.UUID) -> PurchasingSettings | Row:
    """The shop's reordering policy; the defaults while it has never been set."""
    found = await reader.first(
        select(PurchasingSettings.__table__).where(PurchasingSettings.__table__.c.tenant_id == tenant_id)
    )
    return found if found is not None else PurchasingSettings.defaults(tenant_id)
