"""Shipments and their tracking timeline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.shipping.carriers import carrier_for
from domain.shipping.status import TrackingSource, TrackingStatus
from resolvers.ids import to_global
from schema.enums import TrackingSourceEnum, TrackingStatusEnum
from schema.node import Node
from schema.types.catalog import Location

if TYPE_CHECKING:
    from schema.types.fulfillment import FulfillmentOrder
    from schema.types.orders import Order


@strawberry.type
class Carrier:
    code: str
    name: str
    tracking_url_template: str | None


@strawberry.type
class ShipmentLine:
    order_line_id: strawberry.ID
    sku: str
    quantity: int


@strawberry.type(description="What a carrier reported, normalized, with its own words kept.")
class TrackingEvent:
    status: TrackingStatusEnum  # type: ignore[valid-type]
    occurred_at: datetime
    location: str | None
    description: str | None = strawberry.field(description="The carrier's own text")
    carrier_status: str | None = strawberry.field(description="The carrier's status word, as sent")
    source: TrackingSourceEnum  # type: ignore[valid-type]


@strawberry.type(description="Units handed to a carrier under one tracking number.")
class Shipment(Node):
    id: strawberry.ID
    carrier: Carrier
    service: str | None
    tracking_number: str
    tracking_url: str | None
    status: TrackingStatusEnum  # type: ignore[valid-type]
    delivered_at: datetime | None
    created_at: datetime
    row_id: strawberry.Private[uuid.UUID]
    order_id: strawberry.Private[uuid.UUID]
    fulfillment_order_id: strawberry.Private[uuid.UUID]
    location_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def order(self, info: strawberry.Info) -> Annotated[Order, strawberry.lazy("schema.types.orders")]:
        from schema.types.orders import Order

        return Order.required(info, await info.context.loaders.order_by_id.load(self.order_id))

    @strawberry.field
    async def fulfillment_order(
        self, info: strawberry.Info
    ) -> Annotated[FulfillmentOrder, strawberry.lazy("schema.types.fulfillment")]:
        from schema.types.fulfillment import FulfillmentOrder

        return FulfillmentOrder.of(
            await info.context.loaders.fulfillment_order_by_id.load(self.fulfillment_order_id)
        )

    @strawberry.field(description="Where it shipped from")
    async def location(self, info: strawberry.Info) -> Location:
        return Location.of(await info.context.loaders.location_by_id.load(self.location_id))

    @strawberry.field
    async def lines(self, info: strawberry.Info) -> list[ShipmentLine]:
        rows = await info.context.loaders.lines_by_shipment.load(self.row_id)
        return [
            ShipmentLine(
                order_line_id=strawberry.ID(to_global("OrderLine", r.order_line_id)),
                sku=r.sku,
                quantity=r.quantity,
            )
            for r in rows
        ]

    @strawberry.field(description="The tracking timeline, oldest first")
    async def tracking_events(self, info: strawberry.Info) -> list[TrackingEvent]:
        rows = await info.context.loaders.tracking_by_shipment.load(self.row_id)
        return [
            TrackingEvent(
                status=TrackingStatus(r.status),
                occurred_at=r.occurred_at,
                location=r.location,
                description=r.description,
                carrier_status=r.raw_status,
                source=TrackingSource(r.source),
            )
            for r in rows
        ]

    @classmethod
    def of(cls, r: Any) -> Shipment:
        adapter = carrier_for(r.carrier)
        return cls(
            id=strawberry.ID(to_global("Shipment", r.id)),
            carrier=Carrier(
                code=r.carrier,
                name=adapter.name if adapter else r.carrier,
                tracking_url_template=adapter.tracking_url_template if adapter else None,
            ),
            service=r.service,
            tracking_number=r.tracking_number,
            tracking_url=r.tracking_url,
            status=TrackingStatus(r.status),
            delivered_at=r.delivered_at,
            created_at=r.created_at,
            row_id=r.id,
            order_id=r.order_id,
            fulfillment_order_id=r.fulfillment_order_id,
            location_id=r.location_id,
        )
