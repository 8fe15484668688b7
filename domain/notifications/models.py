"""Customer emails: per-tenant sender and templates, and one row per email (the dedupe record)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, new_id


class NotificationStatus(StrEnum):
    PENDING = "PENDING"
    SENDING = "SENDING"  # handed to the mail server; if the process dies here, see sender.py
    SENT = "SENT"
    FAILED = "FAILED"


class NotificationSettings(Base):
    __tablename__ = "notification_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    sender_name: Mapped[str | None] = mapped_column(String(200))
    # template name -> {"subject": ..., "body": ...}; a missing one falls back to the default
    templates: Mapped[dict[str, dict[str, str]]] = mapped_column(JSONB, default=dict)


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    template: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))

    __table_args__ = (
        # The dedupe key: one email per event and template, however often the event is read.
        UniqueConstraint("event_id", "template"),
        Index("ix_notifications_order", "tenant_id", "order_id", "created_at"),
        Index("ix_notifications_due", "next_attempt_at", postgresql_where=text("status = 'PENDING'")),
    )
