"""The outbox and event log: every event, written in the same transaction as the change it describes.

A row is written with `position` NULL. The relay (domain/events/relay.py) later gives committed rows
of one tenant consecutive positions under a lock on that tenant's head row, so `position` is a
gap-free, ordered cursor per tenant, and `aggregate_seq` counts the events of one aggregate."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, new_id, utcnow


class OutboxEvent(Base):
    __tablename__ = "outbox_events"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    # Write order (ids from a sequence commit out of order: readers never page by this).
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=False))
    type: Mapped[str] = mapped_column(String(64))
    aggregate_type: Mapped[str] = mapped_column(String(32))
    aggregate_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    actor: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    # Set by the relay: the tenant's cursor, and the event's number within its aggregate.
    position: Mapped[int | None] = mapped_column(BigInteger)
    aggregate_seq: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_outbox_events_aggregate", "aggregate_type", "aggregate_id"),
        Index("uq_outbox_events_tenant_position", "tenant_id", "position", unique=True),
        Index(
            "ix_outbox_events_unpublished",
            "tenant_id",
            "seq",
            postgresql_where=text("position IS NULL"),
        ),
        Index("ix_outbox_events_occurred_at", "occurred_at"),
    )


class EventLogHead(Base):
    """One row per tenant: the last position given out. The relay locks it to assign the next ones."""

    __tablename__ = "event_log_heads"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class EventStream(Base):
    """The last sequence number given to an event of one aggregate (kept when old events are pruned)."""

    __tablename__ = "event_streams"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    aggregate_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    aggregate_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)


class TimelineEntry(Base):
    """What happened to an order (or another subject), when and by which key; kept for good."""

    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    type: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    actor: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    __table_args__ = (Index("ix_timeline_entries_subject", "tenant_id", "subject_id", "id"),)


class ConsumerCursor(Base):
    """How far a background consumer of the log (e.g. customer emails) has read, per tenant."""

    __tablename__ = "consumer_cursors"

    consumer: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
