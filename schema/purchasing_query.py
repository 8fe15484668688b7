"""Purchasing reads: suppliers, purchase orders, the reordering policy and replenishment suggestions.
Keys with purchasing:read (ADMIN, STAFF)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.purchasing.queries import PurchaseOrderSort
from domain.purchasing.status import PurchaseOrderStatus
from resolvers import purchasing
from schema.connection import Connection, connection, page_request
from schema.enums import PurchaseOrderSortKey
from schema.types.purchasing import (
    PurchaseOrder,
    PurchaseOrderStatusEnum,
    ReorderPolicy,
    ReplenishmentSuggestion,
    Supplier,
)


@strawberry.type
class PurchasingQuery:
    @strawberry.field(description="Suppliers by name")
    async def suppliers(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        active: Annotated[
            bool | None, strawberry.argument(description="Only active (or inactive) ones")
        ] = None,
        reverse: bool = False,
    ) -> Connection[Supplier]:
        page = await purchasing.supplier_list(
            info.context, page_request(first, after, last, before, reverse), active
        )
        return connection(page, Supplier.of)

    @strawberry.field(description="A supplier by ID; null when it is not this shop's")
    async def supplier(self, info: strawberry.Info, id: strawberry.ID) -> Supplier | None:
        row = await purchasing.supplier(info.context, id)
        return Supplier.of(row) if row else None

    @strawberry.field(description="Purchase orders, newest number first by default")
    async def purchase_orders(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: Annotated[
            list[PurchaseOrderStatusEnum] | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only these statuses"),
        ] = None,
        supplier_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this supplier's")
        ] = None,
        sort_key: PurchaseOrderSortKey = PurchaseOrderSort.NUMBER,
        reverse: bool = False,
    ) -> Connection[PurchaseOrder]:
        page = await purchasing.purchase_order_list(
            info.context,
            page_request(first, after, last, before, not reverse),
            sorted({PurchaseOrderStatus(s).value for s in status or []}),
            supplier_id,
            PurchaseOrderSort(sort_key.value),
        )
        return connection(page, PurchaseOrder.of)

    @strawberry.field(description="A purchase order by ID; null when it is not this shop's")
    async def purchase_order(self, info: strawberry.Info, id: strawberry.ID) -> PurchaseOrder | None:
        row = await purchasing.purchase_order(info.context, id)
        return PurchaseOrder.of(row) if row else None

    @strawberry.field(description="How the shop reorders (the defaults until reorderPolicyUpdate)")
    async def reorder_policy(self, info: strawberry.Info) -> ReorderPolicy:
        return ReorderPolicy.of(await purchasing.reorder_policy(info.context))

    @strawberry.field(
        description="Per SKU (with a supplier) and active location: the reorder point and order-up-to level "
        "from demand over the supplier's lead time and the policy's service level, and what to buy from "
        "whom in the supplier's minimum and packs. Most urgent first; only what needs reordering unless "
        "onlyDue is false."
    )
    async def replenishment_suggestions(
        self,
        info: strawberry.Info,
        skus: Annotated[list[str] | None, strawberry.argument(description="Only these SKUs")] = None,
        location_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this location")
        ] = None,
        only_due: Annotated[
            bool, strawberry.argument(description="Only what has fallen to its reorder point (false: all)")
        ] = True,
        first: Annotated[int, strawberry.argument(description="At most 500")] = 100,
    ) -> list[ReplenishmentSuggestion]:
        found = await purchasing.replenishment(info.context, skus, location_id, only_due, first)
        return [ReplenishmentSuggestion.of(s) for s in found]
