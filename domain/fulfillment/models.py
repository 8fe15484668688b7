"""Fulfillment orders: the units of one order to be picked, packed and shipped from one location."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, Timestamps, new_id, utcnow
from domain.errors import Code, DomainError
from domain.events.base import EventSource
from domain.fulfillment.events import (
    FulfillmentOrderHoldPlaced,
    FulfillmentOrderHoldReleased,
    FulfillmentOrderStatusChanged,
)
from domain.fulfillment.status import FulfillmentOrderStatus, HoldReason, can_move

S = FulfillmentOrderStatus


class FulfillmentOrder(Timestamps, EventSource, Base):
    __tablename__ = "fulfillment_orders"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"))
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[S] = mapped_column(String(16), default=S.OPEN)
    # What a fulfillment order on hold returns to when its last hold is released.
    resume_status: Mapped[S | None] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    ship_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    packages: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)

    __table_args__ = (
        Index("ix_fulfillment_orders_order", "order_id"),
        # The picking queue: a location's open work, most urgent first, in the queue's own order.
        Index(
            "ix_fulfillment_orders_queue",
            "tenant_id",
            "location_id",
            text("priority DESC"),
            "ship_by",
            "created_at",
            "id",
            postgresql_where=text("status IN ('OPEN', 'IN_PROGRESS')"),
        ),
        CheckConstraint(
            "status IN ('OPEN', 'IN_PROGRESS', 'PACKED', 'ON_HOLD', 'CLOSED', 'CANCELLED')",
            name="status_known",
        ),
    )

    def _move(self, target: S) -> None:
        if not can_move(self.status, target):
            raise DomainError(
                Code.INVALID_TRANSITION,
                f"The fulfillment order is {self.status} and cannot become {target}",
                ["id"],
            )
        old, self.status = self.status, target
        self.record(
            FulfillmentOrderStatusChanged(self.id, order_id=self.order_id, old_status=old, new_status=target)
        )

    def _require_workable(self) -> None:
        if self.status == S.ON_HOLD:
            raise DomainError(Code.FULFILLMENT_ON_HOLD, "The fulfillment order is on hold", ["id"])

    def start_picking(self) -> None:
        self._require_workable()
        self._move(S.IN_PROGRESS)

    def mark_packed(self, packages: list[dict[str, Any]]) -> None:
        self._require_workable()
        self._move(S.PACKED)
        self.packages = packages

    def shipped(self, everything: bool) -> None:
        """After a shipment: CLOSED once nothing is left, else back in progress for the rest."""
        target = S.CLOSED if everything else S.IN_PROGRESS
        if target != self.status:
            self._move(target)

    def restart(self) -> None:
        """At a new location the picking starts over (an ON_HOLD one resumes there as OPEN)."""
        if self.status == S.ON_HOLD:
            self.resume_status = S.OPEN
        elif self.status != S.OPEN:
            old, self.status = self.status, S.OPEN
            self.record(
                FulfillmentOrderStatusChanged(
                    self.id, order_id=self.order_id, old_status=old, new_status=S.OPEN
                )
            )

    def cancel(self) -> None:
        if self.status not in (S.CLOSED, S.CANCELLED):
            self._move(S.CANCELLED)

    def hold(self, reason: HoldReason, note: str | None, actor: str | None) -> FulfillmentHold:
        if self.status in (S.CLOSED, S.CANCELLED):
            raise DomainError(
                Code.INVALID_TRANSITION, f"A {self.status} fulfillment order cannot be held", ["id"]
            )
        if self.status != S.ON_HOLD:
            self.resume_status = self.status
            self._move(S.ON_HOLD)
        self.record(FulfillmentOrderHoldPlaced(self.id, order_id=self.order_id, reason=reason, note=note))
        return FulfillmentHold(
            tenant_id=self.tenant_id, fulfillment_order_id=self.id, reason=reason, note=note, actor=actor
        )

    def release(self, hold: FulfillmentHold, holds_left: int) -> None:
        """Releases one hold; the others stay in force. The last one out resumes the work."""
        hold.released_at = utcnow()
        self.record(
            FulfillmentOrderHoldReleased(
                self.id, order_id=self.order_id, reason=hold.reason, holds_left=holds_left
            )
        )
        if holds_left == 0 and self.status == S.ON_HOLD:
            self._move(self.resume_status or S.OPEN)
            self.resume_status = None

    def release_reason(self, active: list[FulfillmentHold], reason: HoldReason) -> int:
        """Releases the holds of one reason among this order's `active` holds; returns how many."""
        matching = [h for h in active if h.reason == reason]
        left = len(active)
        for h in matching:
            left -= 1
            self.release(h, left)
        return len(matching)


class FulfillmentHold(Base):
    __tablename__ = "fulfillment_holds"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    fulfillment_order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fulfillment_orders.id"))
    reason: Mapped[HoldReason] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_fulfillment_holds_fulfillment_order", "fulfillment_order_id", "created_at"),)
