"""Shipments (units handed to a carrier), their lines, and the carrier's tracking events."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, Timestamps, new_id, utcnow
from domain.events.base import EventSource
from domain.secrets import Sealed
from domain.shipping.status import TrackingStatus


class Shipment(Timestamps, EventSource, Base):
    __tablename__ = "shipments"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"))
    fulfillment_order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fulfillment_orders.id"))
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id"))
    carrier: Mapped[str] = mapped_column(String(32))
    service: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str] = mapped_column(String(64))
    tracking_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[TrackingStatus] = mapped_column(String(24), default=TrackingStatus.LABEL_CREATED)
    # The time of the latest tracking event applied, so late arrivals do not roll the status back.
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("tenant_id", "carrier", "tracking_number"),
        Index("ix_shipments_order", "order_id", "created_at"),
        Index("ix_shipments_fulfillment_order", "fulfillment_order_id", "created_at"),
    )


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"))
    allocation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_allocations.id"))
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_shipment_lines_shipment", "shipment_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class TrackingEvent(Base):
    __tablename__ = "tracking_events"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"))
    status: Mapped[TrackingStatus] = mapped_column(String(24))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000))  # the carrier's own words
    raw_status: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    # The carrier's id for the event: a repeat of the same id is stored once.
    carrier_event_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("shipment_id", "carrier_event_id"),
        Index("ix_tracking_events_shipment", "shipment_id", "occurred_at"),
    )


class CarrierAccount(Timestamps, Base):
    """A tenant's shared secret with one carrier, for signing its tracking webhooks."""

    __tablename__ = "carrier_accounts"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    carrier: Mapped[str] = mapped_column(String(32))
    secret: Mapped[str] = mapped_column(Sealed)  # encrypted at rest (domain/secrets.py)

    __table_args__ = (UniqueConstraint("tenant_id", "carrier"),)
