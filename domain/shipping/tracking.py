"""Tracking events, from a partner (shipmentTrackingEventAdd) or the carrier's webhook."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from domain import validation
from domain.db import utcnow
from domain.errors import Code, Problems
from domain.orders.repository import lock_order
from domain.shipping.carriers import carrier_for
from domain.shipping.delivery import deliver_if_arrived
from domain.shipping.events import ShipmentTracked
from domain.shipping.models import CarrierAccount, Shipment, TrackingEvent
from domain.shipping.repository import find_shipment, order_shipments, tracking_event_seen
from domain.shipping.status import TrackingSource, TrackingStatus
from domain.uow import UnitOfWork

SIGNATURE_TOLERANCE = timedelta(minutes=5)


@dataclass
class TrackingInput:
    status: str  # Baton's status name, or the carrier's own word for it
    occurred_at: datetime | None = None
    location: str | None = None
    description: str | None = None
    carrier_event_id: str | None = None


@dataclass(frozen=True)
class Tracked:
    shipment: Shipment
    stored: bool  # False when the carrier's event id was seen before


def _clean(data: TrackingInput, carrier_code: str) -> tuple[TrackingStatus, datetime]:
    problems = Problems()
    carrier = carrier_for(carrier_code)
    status = (
        carrier.normalize(data.status) if carrier and not validation.UNSTORABLE.search(data.status) else None
    )
    if status is None:
        problems.add(Code.INVALID, f"Unknown tracking status {data.status[:40]!r}", "status")
    when = validation.moment(problems, data.occurred_at or utcnow(), "occurredAt", future=timedelta(hours=1))
    data.location = validation.text(problems, data.location, ("location",), 200, required=False)
    data.description = validation.text(problems, data.description, ("description",), 1000, required=False)
    data.carrier_event_id = validation.text(
        problems, data.carrier_event_id, ("eventId",), 128, required=False
    )
    problems.raise_if_any()
    assert status is not None
    return status, when


async def add_tracking_event(
    uow: UnitOfWork,
    data: TrackingInput,
    shipment_id: uuid.UUID | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
    source: TrackingSource = TrackingSource.API,
) -> Tracked:
    """Stores the event once (per carrier event id) and applies it: the shipment's status follows
    its latest event; all shipments DELIVERED delivers a SHIPPED order; EXCEPTION flags the order.
    Deliveries of one event queue on the order's lock, so the second finds the first's row."""
    async with uow as tx:
        shipment = await find_shipment(tx, shipment_id, carrier, tracking_number)
        status, when = _clean(data, shipment.carrier)
        order = await lock_order(tx, shipment.order_id, refresh=True)
        shipment = await find_shipment(tx, shipment.id, None, None, lock=True)
        if data.carrier_event_id and await tracking_event_seen(tx, shipment.id, data.carrier_event_id):
            return Tracked(shipment, stored=False)
        tx.session.add(
            TrackingEvent(
                tenant_id=tx.tenant_id,
                shipment_id=shipment.id,
                status=status,
                occurred_at=when,
                location=data.location,
                description=data.description,
                raw_status=data.status[:64],
                source=source,
                carrier_event_id=data.carrier_event_id,
            )
        )
        if shipment.status_at is None or when >= shipment.status_at:
            shipment.status, shipment.status_at = status, when
            if status == TrackingStatus.DELIVERED:
                shipment.delivered_at = when
        shipment.record(
            ShipmentTracked(
                shipment.id,
                order_id=order.id,
                tracking_number=shipment.tracking_number,
                status=status,
                occurred_at=when.astimezone(UTC).isoformat(),
                location=data.location,
                description=data.description,
            )
        )
        await tx.session.flush()
        siblings = await order_shipments(tx, order.id)
        if any(s == TrackingStatus.EXCEPTION for s, _ in siblings):
            if status == TrackingStatus.EXCEPTION:
                order.flag_exception(data.description)
        else:
            order.clear_exception()
        deliver_if_arrived(order, siblings)
        await uow.commit()
        return Tracked(shipment, stored=True)


async def carrier_secret(uow: UnitOfWork, carrier: str) -> str | None:
    async with uow as tx:
        return (
            await tx.session.execute(
                select(CarrierAccount.secret).where(
                    CarrierAccount.tenant_id == tx.tenant_id, CarrierAccount.carrier == carrier
                )
            )
        ).scalar_one_or_none()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The carrier webhook signature: hex HMAC-SHA256 over "<timestamp>.<body>"."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_ok(
    secret: str, timestamp: str, body: bytes, signature: str, now: datetime | None = None
) -> bool:
    try:
        sent = datetime.fromtimestamp(int(timestamp), UTC)
    except (ValueError, OverflowError, OSError):
        return False
    if abs((now or utcnow()) - sent) > SIGNATURE_TOLERANCE:
        return False
    given = signature.removeprefix("sha256=").strip()
    return hmac.compare_digest(sign(secret, timestamp, body), given)
