"""Order edit sessions: one staff member's staged changes to one order, kept until committed,
discarded or expired. Staging reserves nothing; the order's version when the session began tells the
commit whether anything else changed the order meanwhile."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, Timestamps, new_id, utcnow
from domain.errors import Code, DomainError

TTL = timedelta(hours=24)  # a session left alone this long expires
MAX_CHANGES = 100


class EditStatus(StrEnum):
    OPEN = "OPEN"
    COMMITTED = "COMMITTED"
    DISCARDED = "DISCARDED"


class OrderEdit(Timestamps, Base):
    __tablename__ = "order_edits"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"))
    status: Mapped[EditStatus] = mapped_column(String(16), default=EditStatus.OPEN)
    base_version: Mapped[int] = mapped_column(Integer)
    # The staged changes in the order they were made (domain/orders/editing.py reads them).
    changes: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    actor: Mapped[str | None] = mapped_column(String(64))
    staff_note: Mapped[str | None] = mapped_column(String(2000))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_order_edits_order", "order_id", "created_at"),
        CheckConstraint("status IN ('OPEN', 'COMMITTED', 'DISCARDED')", name="status_known"),
    )

    def require_open(self, now: datetime) -> None:
        if self.status != EditStatus.OPEN:
            raise DomainError(Code.EDIT_CLOSED, f"This edit was {self.status.lower()} already", ["editId"])
        if now >= self.expires_at:
            raise DomainError(
                Code.EDIT_EXPIRED, "This edit expired: begin a new one to change the order", ["editId"]
            )

    def stage(self, change: dict[str, Any], now: datetime) -> None:
        if len(self.changes) >= MAX_CHANGES:
            raise DomainError(Code.INVALID, f"An edit stages at most {MAX_CHANGES} changes", ["editId"])
        self.changes = [*self.changes, change]  # a new list, so the session sees the change
        self.expires_at = now + TTL

    def close(self, status: EditStatus, now: datetime) -> None:
        self.status, self.closed_at = status, now


def new_edit(tenant_id: uuid.UUID, order_id: uuid.UUID, version: int, actor: str | None) -> OrderEdit:
    now = utcnow()
    return OrderEdit(
        id=new_id(),
        tenant_id=tenant_id,
        order_id=order_id,
        status=EditStatus.OPEN,
        base_version=version,
        changes=[],
        actor=actor,
        expires_at=now + TTL,
        created_at=now,
        updated_at=now,
    )
