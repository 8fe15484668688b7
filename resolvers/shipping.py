"""Shipping operations: create shipments, record tracking, manage carrier secrets."""

from __future__ import annotations

from domain.shipping import service
from domain.shipping.models import Shipment
from domain.shipping.service import ShipmentInput
from domain.shipping.tracking import Tracked, TrackingInput, add_tracking_event
from domain.tenancy.scopes import Scope
from resolvers.context import Context
from resolvers.ids import require_id
from resolvers.inputs import DomainInput
from resolvers.outcome import Outcome, attempt


async def create(ctx: Context, data: DomainInput[ShipmentInput]) -> Outcome[Shipment]:
    uow = ctx.uow(Scope.FULFILLMENT_WRITE)

    async def run() -> Shipment:
        shipped = await service.ship(uow, data.to_domain())
        # The payload's lines are what the use case just wrote: no second transaction to read them.
        ctx.loaders.lines_by_shipment.prime(shipped.shipment.id, shipped.lines)
        return shipped.shipment

    return await attempt(run)


async def add_tracking(ctx: Context, shipment_gid: str, data: TrackingInput) -> Outcome[Tracked]:
    uow = ctx.uow(Scope.FULFILLMENT_WRITE)
    return await attempt(
        lambda: add_tracking_event(uow, data, shipment_id=require_id(shipment_gid, "Shipment", "shipmentId"))
    )


async def create_carrier_secret(ctx: Context, carrier: str) -> Outcome[str]:
    uow = ctx.uow(Scope.SHOP_MANAGE)
    return await attempt(lambda: service.create_carrier_secret(uow, carrier))
