"""Suppliers, purchase orders, receipts, reordering: purchasing:read to read, purchasing:write to change."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from domain.pagination import Page, PageRequest
from domain.purchasing import ordering, queries, receiving, reordering, submitting, suppliers
from domain.purchasing.models import PurchaseOrder, PurchasingSettings, Supplier, SupplierProduct
from domain.purchasing.suggesting import Suggestion, suggestions
from domain.reading import Row
from domain.tenancy.scopes import Scope
from resolvers.context import Context
from resolvers.errors import as_bad_input
from resolvers.ids import local_id, require_id
from resolvers.outcome import Outcome, attempt

WRITE = Scope.PURCHASING_WRITE
MAX_SUGGESTIONS = 500


async def supplier_create(ctx: Context, data: suppliers.SupplierInput) -> Outcome[Supplier]:
    uow = ctx.uow(WRITE)
    return await attempt(lambda: suppliers.create_supplier(uow, data))


async def supplier_update(ctx: Context, gid: str, data: suppliers.SupplierInput) -> Outcome[Supplier]:
    uow = ctx.uow(WRITE)
    return await attempt(lambda: suppliers.update_supplier(uow, require_id(gid, "Supplier"), data))


async def supplier_product_set(
    ctx: Context, data: suppliers.SupplierProductInput
) -> Outcome[tuple[Supplier, SupplierProduct]]:
    uow = ctx.uow(WRITE)
    return await attempt(lambda: suppliers.set_supplier_product(uow, data))


async def purchase_order_create(ctx: Context, data: ordering.PurchaseOrderInput) -> Outcome[ordering.Created]:
    uow = ctx.uow(WRITE)
    return await attempt(lambda: ordering.create_purchase_order(uow, data))


async def purchase_order_submit(ctx: Context, gid: str) -> Outcome[PurchaseOrder]:
    uow = ctx.uow(WRITE)
    return await attempt(lambda: submitting.submit_purchase_order(uow, require_id(gid, "PurchaseOrder")))


async def purchase_order_cancel(ctx: Context, gid: str) -> Outcome[PurchaseOrder]:
    uow = ctx.uow(WRITE)
    return await attempt(lambda: submitting.cancel_purchase_order(uow, require_id(gid, "PurchaseOrder")))


async def purchase_order_receive(ctx: Context, data: receiving.ReceiptInput) -> Outcome[PurchaseOrder]:
    uow = ctx.uow(WRITE)
    return await attempt(lambda: receiving.receive(uow, data))


async def reorder_policy_update(ctx: Context, data: reordering.PolicyInput) -> Outcome[PurchasingSettings]:
    uow = ctx.uow(WRITE)
    return await attempt(lambda: reordering.update_policy(uow, data))


async def reorder_policy(ctx: Context) -> PurchasingSettings | Row:
    ctx.require(Scope.PURCHASING_READ)
    async with ctx.reader() as conn:
        return await queries.settings(conn, ctx.tenant_id)


async def supplier(ctx: Context, gid: str) -> Row | None:
    ctx.require(Scope.PURCHASING_READ)
    key = local_id(gid, "Supplier")
    return await ctx.loaders.supplier_by_id.load(key) if key else None


async def purchase_order(ctx: Context, gid: str) -> Row | None:
    ctx.require(Scope.PURCHASING_READ)
    key = local_id(gid, "PurchaseOrder")
    return await ctx.loaders.purchase_order_by_id.load(key) if key else None


@as_bad_input
async def supplier_list(ctx: Context, page: PageRequest, active: bool | None) -> Page:
    ctx.require(Scope.PURCHASING_READ)
    async with ctx.reader() as conn:
        return await queries.list_suppliers(conn, ctx.tenant_id, page, active)


@as_bad_input
async def purchase_order_list(
    ctx: Context,
    page: PageRequest,
    statuses: list[str],
    supplier_gid: str | None,
    sort: queries.PurchaseOrderSort,
) -> Page:
    ctx.require(Scope.PURCHASING_READ)
    supplier_id = local_id(supplier_gid, "Supplier") if supplier_gid else None
    if supplier_gid and supplier_id is None:
        return Page([], [], False, False)
    async with ctx.reader() as conn:
        return await queries.list_purchase_orders(conn, ctx.tenant_id, page, statuses, supplier_id, sort)


async def replenishment(
    ctx: Context, skus: list[str] | None, location_gid: str | None, only_due: bool, first: int
) -> list[Suggestion]:
    """Suggestions for the shop's policy, most urgent first; an unknown SKU or location matches nothing."""
    ctx.require(Scope.PURCHASING_READ)
    policy = reordering.policy_of(await reorder_policy(ctx))
    location_id = local_id(location_gid, "Location") if location_gid else None
    if location_gid and location_id is None:
        return []
    product_ids: list[uuid.UUID] | None = None
    if skus is not None:
        found = await ctx.loaders.product_by_sku.load_many([s.strip() for s in skus])
        product_ids = [p.id for p in found if p is not None]
    async with ctx.reader() as conn:
        found_all = await suggestions(
            conn, ctx.tenant_id, policy, datetime.now(UTC).date(), product_ids, location_id
        )
    return [s for s in found_all if s.needs_reorder or not only_due][: max(0, min(first, MAX_SUGGESTIONS))]
