"""Write-side loading of shipments for the use cases that change them or their order. Tracking locks the
order first (as every order use case does), then the shipment."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from domain.errors import Code, DomainError
from domain.shipping.models import Shipment, TrackingEvent
from domain.uow import Transaction


async def find_shipment(
    tx: Transaction,
    shipment_id: uuid.UUID | None,
    carrier: str | None,
    tracking_number: str | None,
    lock: bool = False,
) -> Shipment:
    """The shop's shipment by ID, else by carrier and tracking number; with `lock`, locked and reloaded
    with what the lock found. NOT_FOUND (on shipmentId) or UNKNOWN_TRACKING_NUMBER when there is none."""
    stmt = select(Shipment).where(Shipment.tenant_id == tx.tenant_id)
    if shipment_id is not None:
        stmt = stmt.where(Shipment.id == shipment_id)
    else:
        stmt = stmt.where(
            Shipment.carrier == carrier, Shipment.tracking_number == (tracking_number or "").strip()
        )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    shipment = (await tx.session.execute(stmt)).scalar_one_or_none()
    if shipment is None:
        if shipment_id is not None:
            raise DomainError(Code.NOT_FOUND, "Shipment not found", ["shipmentId"])
        raise DomainError(
            Code.UNKNOWN_TRACKING_NUMBER,
            f"No {carrier} shipment with this tracking number",
            ["trackingNumber"],
        )
    return shipment


async def tracking_event_seen(tx: Transaction, shipment_id: uuid.UUID, event_id: str) -> bool:
    """Whether the shipment already has the carrier's event with this id."""
    found = await tx.session.execute(
        select(TrackingEvent.id).where(
            TrackingEvent.tenant_id == tx.tenant_id,
            TrackingEvent.shipment_id == shipment_id,
            TrackingEvent.carrier_event_id == event_id,
        )
    )
    return found.first() is not None


async def order_shipments(tx: Transaction, order_id: uuid.UUID) -> list[tuple[str, datetime | None]]:
    """The (status, delivered_at) of each of the order's shipments."""
    rows = await tx.session.execute(
        select(Shipment.status, Shipment.delivered_at).where(
            Shipment.tenant_id == tx.tenant_id, Shipment.order_id == order_id
        )
    )
    return [(status, at) for status, at in rows.all()]
