from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, Timestamps, new_id, utcnow
from domain.errors import Code, DomainError
from domain.events.base import EventSource
from domain.returns.events import ReturnStatusChanged
from domain.returns.status import ReturnReason, ReturnStatus, can_move


class Return(Timestamps, EventSource, Base):
    """A return merchandise authorization: units of one order the customer sends back."""

    __tablename__ = "returns"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("tenants.id"))
    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("orders.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[ReturnStatus] = mapped_column(String(16), default=ReturnStatus.REQUESTED)
    customer_note: Mapped[str | None] = mapped_column(String(2000))
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    carrier: Mapped[str | None] = mapped_column(String(32))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    exchange_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("orders.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_returns_order", "order_id"),
        Index("ix_returns_tenant_created", "tenant_id", "created_at", "id"),
        CheckConstraint(
            "status IN ('REQUESTED', 'APPROVED', 'DECLINED', 'IN_TRANSIT', 'RECEIVED', 'CLOSED', "
            "'CANCELLED')",
            name="status_known",
        ),
    )

    @property
    def rma_number(self) -> str:
        return rma(self.number)

    def _check(self, target: ReturnStatus) -> None:
        if not can_move(self.status, target):
            raise DomainError(
                Code.INVALID_TRANSITION,
                f"Return {self.rma_number} is {self.status} and cannot become {target}",
                ["id"],
            )

    def _move(self, target: ReturnStatus, reason: str | None = None) -> None:
        self._check(target)
        old, self.status = self.status, target
        self.record(
            ReturnStatusChanged(
                self.id,
                order_id=self.order_id,
                rma_number=self.rma_number,
                old_status=old,
                new_status=target,
                reason=reason,
                tracking_number=self.tracking_number if target == ReturnStatus.IN_TRANSIT else None,
            )
        )

    def approve(self) -> None:
        self._move(ReturnStatus.APPROVED)
        self.approved_at = utcnow()

    def decline(self, reason: str) -> None:
        self._check(ReturnStatus.DECLINED)  # a refused step changes nothing
        self.decline_reason = reason
        self._move(ReturnStatus.DECLINED, reason)

    def in_transit(self, carrier: str, tracking_number: str) -> None:
        self._check(ReturnStatus.IN_TRANSIT)
        self.carrier, self.tracking_number = carrier, tracking_number
        self._move(ReturnStatus.IN_TRANSIT)

    def received(self) -> None:
        """Units came in; the first receipt moves the return to RECEIVED."""
        if self.status != ReturnStatus.RECEIVED:
            self._move(ReturnStatus.RECEIVED)
            self.received_at = utcnow()

    def close(self) -> None:
        self._move(ReturnStatus.CLOSED)
        self.closed_at = utcnow()

    def cancel(self, reason: str | None) -> None:
        if self.exchange_order_id is not None:
            raise DomainError(
                Code.RETURN_NOT_CANCELLABLE,
                f"Return {self.rma_number} has an exchange order; close the return instead",
                ["id"],
            )
        self._check(ReturnStatus.CANCELLED)
        self.cancel_reason = reason
        self._move(ReturnStatus.CANCELLED, reason)


def rma(number: int) -> str:
    return f"RMA-{number}"


class ReturnLine(Base):
    __tablename__ = "return_lines"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    return_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("returns.id"))
    order_line_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("order_lines.id"))
    position: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[ReturnReason] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(String(2000))
    # Units received so far, by condition; resellable went back to onHand, the others to damaged.
    resellable: Mapped[int] = mapped_column(Integer, default=0)
    damaged: Mapped[int] = mapped_column(Integer, default=0)
    defective: Mapped[int] = mapped_column(Integer, default=0)
    # Units of this line already refunded or credited to an exchange.
    refunded: Mapped[int] = mapped_column(Integer, default=0)
    exchange_product_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("products.id")
    )
    exchange_sku: Mapped[str | None] = mapped_column(String(64))
    exchange_quantity: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_return_lines_return", "return_id", "position"),
        Index("ix_return_lines_order_line", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "resellable >= 0 AND damaged >= 0 AND defective >= 0 "
            "AND resellable + damaged + defective <= quantity",
            name="received_within_quantity",
        ),
        CheckConstraint("refunded >= 0 AND refunded <= quantity", name="refunded_within_quantity"),
        CheckConstraint(
            "(exchange_sku IS NULL) = (exchange_quantity IS NULL) AND "
            "(exchange_quantity IS NULL OR exchange_quantity > 0)",
            name="exchange_complete",
        ),
    )

    @property
    def received(self) -> int:
        return self.resellable + self.damaged + self.defective

    @property
    def exchanged(self) -> bool:
        return self.exchange_sku is not None
