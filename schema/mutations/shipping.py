"""shipmentCreate, shipmentTrackingEventAdd, carrierSecretCreate."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.shipping.service import ShipmentInput
from domain.shipping.tracking import TrackingInput
from resolvers import shipping as resolve
from resolvers.fulfillment import picks
from resolvers.ids import require_id
from schema.errors import UserError, user_errors
from schema.mutations.fulfillment import FulfillmentOrderLineInput, line_pairs
from schema.types.shipping import Shipment


@strawberry.input
class ShipmentCreateInput:
    fulfillment_order_id: strawberry.ID
    lines: list[FulfillmentOrderLineInput] | None = strawberry.field(
        default=None, description="Units to ship; leave out to ship everything reserved and not yet shipped"
    )
    carrier: str = strawberry.field(description='A carrier code from `carriers`, e.g. "generic"')
    service: str | None = None
    tracking_number: str
    tracking_url: str | None = strawberry.field(
        default=None, description="Defaults to the carrier's tracking page, when it has one"
    )

    def to_domain(self) -> ShipmentInput:
        """Refuses a fulfillment order ID, then line IDs, that are not ours (NOT_FOUND)."""
        return ShipmentInput(
            fulfillment_order_id=require_id(
                self.fulfillment_order_id, "FulfillmentOrder", "fulfillmentOrderId"
            ),
            carrier=self.carrier,
            tracking_number=self.tracking_number,
            lines=picks(line_pairs(self.lines)),
            service=self.service,
            tracking_url=self.tracking_url,
        )


@strawberry.input
class ShipmentTrackingEventAddInput:
    shipment_id: strawberry.ID
    status: str = strawberry.field(
        description="A TrackingStatus name, or the carrier's own word for it (mapped by its adapter)"
    )
    occurred_at: datetime | None = strawberry.field(default=None, description="Defaults to now")
    location: str | None = None
    description: str | None = strawberry.field(default=None, description="The carrier's own text")
    event_id: str | None = strawberry.field(
        default=None, description="The carrier's id for the event: a repeat is stored once"
    )

    def to_domain(self) -> TrackingInput:
        return TrackingInput(
            status=self.status,
            occurred_at=self.occurred_at,
            location=self.location,
            description=self.description,
            carrier_event_id=self.event_id,
        )


@strawberry.input
class CarrierSecretCreateInput:
    carrier: str


@strawberry.type
class ShipmentPayload:
    shipment: Shipment | None
    user_errors: list[UserError]


@strawberry.type
class ShipmentTrackingEventAddPayload:
    shipment: Shipment | None
    stored: bool = strawberry.field(description="False when this event id had been recorded before")
    user_errors: list[UserError]


@strawberry.type
class CarrierSecretCreatePayload:
    secret: str | None = strawberry.field(
        description="Sign the carrier's tracking webhooks with it. Shown once; creating another replaces it"
    )
    user_errors: list[UserError]


@strawberry.type
class ShippingMutations:
    @strawberry.mutation(
        description="Hands units of a fulfillment order to a carrier: they leave onHand and committed, "
        "and the order becomes PARTIALLY_SHIPPED or SHIPPED. Shipping more than is left is refused "
        "with EXCEEDS_UNSHIPPED. STAFF, PARTNER and ADMIN keys."
    )
    async def shipment_create(self, info: strawberry.Info, input: ShipmentCreateInput) -> ShipmentPayload:
        outcome = await resolve.create(info.context, input)
        shipment = Shipment.of(outcome.value) if outcome.value else None
        return ShipmentPayload(shipment=shipment, user_errors=user_errors(outcome.errors))

    @strawberry.mutation(
        description="Records a tracking event. When every shipment of a SHIPPED order is DELIVERED the "
        "order becomes DELIVERED; EXCEPTION flags the order for support. STAFF, PARTNER and ADMIN keys."
    )
    async def shipment_tracking_event_add(
        self, info: strawberry.Info, input: ShipmentTrackingEventAddInput
    ) -> ShipmentTrackingEventAddPayload:
        outcome = await resolve.add_tracking(info.context, input.shipment_id, input.to_domain())
        tracked = outcome.value
        return ShipmentTrackingEventAddPayload(
            shipment=Shipment.of(tracked.shipment) if tracked else None,
            stored=bool(tracked and tracked.stored),
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="A new secret for a carrier's tracking webhooks (POST /carriers/{carrier}/tracking). "
        "ADMIN keys."
    )
    async def carrier_secret_create(
        self, info: strawberry.Info, input: CarrierSecretCreateInput
    ) -> CarrierSecretCreatePayload:
        outcome = await resolve.create_carrier_secret(info.context, input.carrier)
        return CarrierSecretCreatePayload(secret=outcome.value, user_errors=user_errors(outcome.errors))
