"""Suppliers, purchase orders and replenishment suggestions."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from domain.purchasing.status import AutoMode, PurchaseOrderStatus
from domain.purchasing.suggesting import Suggestion
from resolvers.ids import to_global
from schema.node import Node
from schema.types.catalog import Location
from schema.types.money import Money, money

PurchaseOrderStatusEnum = strawberry.enum(
    PurchaseOrderStatus,
    name="PurchaseOrderStatus",
    description="DRAFT → SUBMITTED (units incoming) → PARTIALLY_RECEIVED → RECEIVED; or CANCELLED",
)
ReorderAutoMode = strawberry.enum(
    AutoMode,
    name="ReorderAutoMode",
    description="OFF: suggestions only; DRAFT: the worker drafts purchase orders; SUBMIT: and submits them",
)


@strawberry.type(description="A product as a supplier sells it")
class SupplierProduct:
    sku: str
    supplier_sku: str | None = strawberry.field(description="The supplier's own code for it")
    unit_cost: Money
    preferred: bool = strawberry.field(description="Reordering buys this product from this supplier first")
    updated_at: datetime

    @classmethod
    def of(cls, r: Any, sku: str) -> SupplierProduct:
        return cls(
            sku=sku,
            supplier_sku=r.supplier_sku,
            unit_cost=money(r.unit_cost, r.currency),
            preferred=r.preferred,
            updated_at=r.updated_at,
        )


@strawberry.type(description="A company the shop buys stock from")
class Supplier(Node):
    id: strawberry.ID
    name: str
    contact_email: str | None
    lead_time_days: int = strawberry.field(description="Days from submitting a purchase order to its arrival")
    minimum_order_quantity: int = strawberry.field(description="The fewest units of a product it sells")
    pack_size: int = strawberry.field(description="It sells units in multiples of this")
    active: bool = strawberry.field(description="Inactive suppliers are left out of reordering")
    created_at: datetime
    updated_at: datetime
    key: strawberry.Private[uuid.UUID]

    @strawberry.field(description="What it sells and at what cost, by SKU")
    async def products(self, info: strawberry.Info) -> list[SupplierProduct]:
        rows = await info.context.loaders.supplier_products_by_supplier.load(self.key)
        return [SupplierProduct.of(r, r.sku) for r in rows]

    @classmethod
    def of(cls, r: Any) -> Supplier:
        return cls(
            id=strawberry.ID(to_global("Supplier", r.id)),
            name=r.name,
            contact_email=r.email,
            lead_time_days=r.lead_time_days,
            minimum_order_quantity=r.minimum_order_quantity,
            pack_size=r.pack_size,
            active=r.active,
            created_at=r.created_at,
            updated_at=r.updated_at,
            key=r.id,
        )


@strawberry.type(description="Units of one product ordered for one location")
class PurchaseOrderLine:
    id: strawberry.ID
    sku: str = strawberry.field(description="The shop's SKU")
    quantity: int = strawberry.field(description="Units ordered")
    received: int = strawberry.field(description="Units arrived so far")
    outstanding: int = strawberry.field(description="Units still expected (none once cancelled)")
    unit_cost: Money
    location_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Where the units go")
    async def location(self, info: strawberry.Info) -> Location:
        return Location.of(await info.context.loaders.location_by_id.load(self.location_id))

    @classmethod
    def of(cls, r: Any, currency: str, closed: bool) -> PurchaseOrderLine:
        return cls(
            id=strawberry.ID(to_global("PurchaseOrderLine", r.id)),
            sku=r.sku,
            quantity=r.quantity,
            received=r.received,
            outstanding=0 if closed else r.quantity - r.received,
            unit_cost=money(r.unit_cost, currency),
            location_id=r.location_id,
        )


@strawberry.type(description="Units ordered from one supplier")
class PurchaseOrder(Node):
    id: strawberry.ID
    number: int = strawberry.field(description="The shop's purchase order number, from 1001")
    name: str = strawberry.field(description='The number as people write it: "PO-1001"')
    status: PurchaseOrderStatusEnum  # type: ignore[valid-type]
    currency_code: str = strawberry.field(description="The currency of its supplier's prices")
    note: str | None = strawberry.field(description="For the buyer and the supplier")
    automatic: bool = strawberry.field(description="Drafted by automatic reordering")
    submitted_at: datetime | None
    expected_at: datetime | None = strawberry.field(description="Submission plus the supplier's lead time")
    closed_at: datetime | None = strawberry.field(description="When it was received in full or cancelled")
    created_at: datetime
    updated_at: datetime
    key: strawberry.Private[uuid.UUID]
    supplier_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def supplier(self, info: strawberry.Info) -> Supplier:
        return Supplier.of(await info.context.loaders.supplier_by_id.load(self.supplier_id))

    @strawberry.field(description="By SKU, then location")
    async def lines(self, info: strawberry.Info) -> list[PurchaseOrderLine]:
        rows = await info.context.loaders.lines_by_purchase_order.load(self.key)
        closed = self.status == PurchaseOrderStatus.CANCELLED
        return [PurchaseOrderLine.of(r, self.currency_code, closed) for r in rows]

    @strawberry.field(description="The cost of every unit ordered")
    async def total(self, info: strawberry.Info) -> Money:
        rows = await info.context.loaders.lines_by_purchase_order.load(self.key)
        return money(sum(r.quantity * r.unit_cost for r in rows), self.currency_code)

    @classmethod
    def of(cls, r: Any) -> PurchaseOrder:
        return cls(
            id=strawberry.ID(to_global("PurchaseOrder", r.id)),
            number=r.number,
            name=f"PO-{r.number}",
            status=PurchaseOrderStatus(r.status),
            currency_code=r.currency,
            note=r.note,
            automatic=r.automatic,
            submitted_at=r.submitted_at,
            expected_at=r.expected_at,
            closed_at=r.closed_at,
            created_at=r.created_at,
            updated_at=r.updated_at,
            key=r.id,
            supplier_id=r.supplier_id,
        )


@strawberry.type(description="How the shop reorders")
class ReorderPolicy:
    service_level: Decimal = strawberry.field(
        description='The chance of not running out while a purchase order is on its way, e.g. "0.95"'
    )
    review_period_days: int = strawberry.field(
        description="Days between two looks at stock (order-up-to covers one)"
    )
    history_days: int = strawberry.field(description="Days of order history demand is measured over")
    auto_mode: ReorderAutoMode  # type: ignore[valid-type]

    @classmethod
    def of(cls, r: Any) -> ReorderPolicy:
        return cls(
            service_level=Decimal(r.service_level),
            review_period_days=r.review_period_days,
            history_days=r.history_days,
            auto_mode=AutoMode(r.auto_mode),
        )


@strawberry.type(description="Where one SKU stands at one location, and what to buy for it from whom")
class ReplenishmentSuggestion:
    sku: str
    available: int = strawberry.field(
        description="onHand - committed - safetyStock - units owed to backorders"
    )
    incoming: int = strawberry.field(description="Units on submitted purchase orders (and set by hand)")
    on_order: int = strawberry.field(description="Units on DRAFT purchase orders")
    position: int = strawberry.field(description="available + incoming + onOrder")
    average_daily_demand: float = strawberry.field(description="Mean units ordered per day")
    demand_deviation: float = strawberry.field(description="Standard deviation of daily demand")
    lead_time_demand: float = strawberry.field(description="Expected units ordered over the lead time")
    safety_stock: float = strawberry.field(description="z(service level) * deviation * sqrt(lead time)")
    reorder_point: int = strawberry.field(
        description="lead-time demand + safety stock (at least the level's own)"
    )
    order_up_to: int = strawberry.field(
        description="Demand over lead time and review period, plus its safety stock"
    )
    needs_reorder: bool = strawberry.field(description="position has fallen to the reorder point")
    quantity: int = strawberry.field(
        description="What to order now: up to orderUpTo, at least the minimum, whole packs"
    )
    lead_time_days: int
    unit_cost: Money
    cost: Money = strawberry.field(description="quantity * unitCost")
    location_id: strawberry.Private[uuid.UUID]
    supplier_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def location(self, info: strawberry.Info) -> Location:
        return Location.of(await info.context.loaders.location_by_id.load(self.location_id))

    @strawberry.field(
        description="Who to buy from: the preferred supplier, else the quickest, else the cheapest"
    )
    async def supplier(self, info: strawberry.Info) -> Supplier:
        return Supplier.of(await info.context.loaders.supplier_by_id.load(self.supplier_id))

    @classmethod
    def of(cls, s: Suggestion) -> ReplenishmentSuggestion:
        src = s.source
        return cls(
            sku=s.stock.sku,
            available=s.stock.available,
            incoming=s.stock.incoming,
            on_order=s.stock.on_order,
            position=s.stock.position,
            average_daily_demand=round(s.demand.mean, 4),
            demand_deviation=round(s.demand.sd, 4),
            lead_time_demand=round(s.levels.lead_time_demand, 4),
            safety_stock=round(s.levels.safety_stock, 4),
            reorder_point=s.levels.reorder_point,
            order_up_to=s.levels.order_up_to,
            needs_reorder=s.needs_reorder,
            quantity=s.quantity,
            lead_time_days=src.lead_time_days,
            unit_cost=money(src.unit_cost, src.currency),
            cost=money(s.cost, src.currency),
            location_id=s.stock.location_id,
            supplier_id=src.supplier_id,
        )
