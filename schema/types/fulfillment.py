"""Fulfillment orders: what to pick, pack and ship from one location."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.fulfillment.status import FulfillmentOrderStatus, HoldReason
from domain.orders.status import AllocationStatus
from resolvers.ids import to_global
from schema.enums import AllocationStatusEnum, FulfillmentOrderStatusEnum, HoldReasonEnum
from schema.node import Node
from schema.types.catalog import Location
from schema.types.customization import Customization

if TYPE_CHECKING:
    from schema.types.orders import Order
    from schema.types.shipping import Shipment


@strawberry.type(description="A reason the work is stopped; released holds stay listed.")
class FulfillmentHold:
    reason: HoldReasonEnum  # type: ignore[valid-type]
    note: str | None
    actor: str | None
    created_at: datetime
    released_at: datetime | None


@strawberry.type
class Package:
    weight_grams: int
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None


@strawberry.type(description="Units of one order line in this fulfillment order, and where to pick them.")
class FulfillmentOrderLine:
    id: strawberry.ID = strawberry.field(
        description="Names this line in shipmentCreate and fulfillmentOrderMove"
    )
    order_line_id: strawberry.ID
    sku: str
    name: str
    quantity: int = strawberry.field(description="Units this fulfillment order is responsible for")
    shipped_quantity: int
    remaining_quantity: int = strawberry.field(description="Units still to ship")
    status: AllocationStatusEnum  # type: ignore[valid-type]
    location_code: str
    bin_code: str | None

    @classmethod
    def of(cls, r: Any) -> FulfillmentOrderLine:
        return cls(
            id=strawberry.ID(to_global("FulfillmentOrderLine", r.id)),
            order_line_id=strawberry.ID(to_global("OrderLine", r.line_id)),
            sku=r.sku,
            name=r.name,
            quantity=r.quantity,
            shipped_quantity=r.shipped,
            remaining_quantity=r.quantity - r.shipped,
            status=AllocationStatus(r.status),
            location_code=r.location_code,
            bin_code=r.bin_code,
        )


@strawberry.type(description="One line of a pick list: what a picker takes from which bin.")
class PickListItem:
    sku: str
    name: str
    customizations: list[Customization] = strawberry.field(
        description="What to make of these units (an engraving, a colour): kept apart from plain units"
    )
    quantity: int
    location_code: str
    bin_code: str | None


@strawberry.type(description="The units of one order to be picked, packed and shipped from one location.")
class FulfillmentOrder(Node):
    id: strawberry.ID
    status: FulfillmentOrderStatusEnum  # type: ignore[valid-type]
    priority: int = strawberry.field(description="The order's priority, 0 to 100; higher ships first")
    ship_by: datetime
    packages: list[Package]
    created_at: datetime
    updated_at: datetime
    row_id: strawberry.Private[uuid.UUID]
    order_id: strawberry.Private[uuid.UUID]
    location_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def order(self, info: strawberry.Info) -> Annotated[Order, strawberry.lazy("schema.types.orders")]:
        from schema.types.orders import Order

        return Order.required(info, await info.context.loaders.order_by_id.load(self.order_id))

    @strawberry.field
    async def location(self, info: strawberry.Info) -> Location:
        return Location.of(await info.context.loaders.location_by_id.load(self.location_id))

    @strawberry.field
    async def lines(self, info: strawberry.Info) -> list[FulfillmentOrderLine]:
        rows = await info.context.loaders.lines_by_fulfillment_order.load(self.row_id)
        return [FulfillmentOrderLine.of(r) for r in rows]

    @strawberry.field(description="What is left to pick: reserved, unshipped units by bin")
    async def pick_list(self, info: strawberry.Info) -> list[PickListItem]:
        rows = await info.context.loaders.lines_by_fulfillment_order.load(self.row_id)
        return [
            PickListItem(
                sku=r.sku,
                name=r.name,
                customizations=[Customization(name=c["name"], value=c["value"]) for c in r.customizations],
                quantity=r.quantity - r.shipped,
                location_code=r.location_code,
                bin_code=r.bin_code,
            )
            for r in rows
            if r.status == AllocationStatus.RESERVED and r.quantity > r.shipped
        ]

    @strawberry.field(description="Every hold, oldest first; those with releasedAt null are in force")
    async def holds(self, info: strawberry.Info) -> list[FulfillmentHold]:
        rows = await info.context.loaders.holds_by_fulfillment_order.load(self.row_id)
        return [
            FulfillmentHold(
                reason=HoldReason(r.reason),
                note=r.note,
                actor=r.actor,
                created_at=r.created_at,
                released_at=r.released_at,
            )
            for r in rows
        ]

    @strawberry.field
    async def shipments(
        self, info: strawberry.Info
    ) -> list[Annotated[Shipment, strawberry.lazy("schema.types.shipping")]]:
        from schema.types.shipping import Shipment

        rows = await info.context.loaders.shipments_by_fulfillment_order.load(self.row_id)
        return [Shipment.of(r) for r in rows]

    @classmethod
    def of(cls, r: Any) -> FulfillmentOrder:
        return cls(
            id=strawberry.ID(to_global("FulfillmentOrder", r.id)),
            status=FulfillmentOrderStatus(r.status),
            priority=r.priority,
            ship_by=r.ship_by,
            packages=[
                Package(
                    weight_grams=p["weightGrams"],
                    length_mm=p.get("lengthMm"),
                    width_mm=p.get("widthMm"),
                    height_mm=p.get("heightMm"),
                )
                for p in r.packages
            ],
            created_at=r.created_at,
            updated_at=r.updated_at,
            row_id=r.id,
            order_id=r.order_id,
            location_id=r.location_id,
        )
