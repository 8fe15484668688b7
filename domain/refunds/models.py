from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, new_id, utcnow


class Refund(Base):
    """Money given back on an order. `amount` goes back to the customer's payment; `credited` paid an
    exchange order instead. lines + shipping + extra - restocking fee = amount + credited."""

    __tablename__ = "refunds"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("tenants.id"))
    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("orders.id"))
    return_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("returns.id"))
    currency: Mapped[str] = mapped_column(String(3))
    lines_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    shipping_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    extra_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    restocking_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    amount: Mapped[int] = mapped_column(BigInteger)
    credited: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(500))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_refunds_order", "order_id", "created_at"),
        Index("ix_refunds_return", "return_id"),
        CheckConstraint(
            "lines_amount >= 0 AND shipping_amount >= 0 AND extra_amount >= 0 AND restocking_fee >= 0 "
            "AND amount >= 0 AND credited >= 0 AND amount + credited > 0",
            name="amounts_valid",
        ),
        CheckConstraint(
            "amount + credited = lines_amount + shipping_amount + extra_amount - restocking_fee",
            name="amounts_add_up",
        ),
    )

    @property
    def total(self) -> int:
        return self.amount + self.credited


class RefundLine(Base):
    __tablename__ = "refund_lines"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    refund_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("refunds.id"))
    order_line_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("order_lines.id"))
    return_line_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("return_lines.id")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)  # the units' share of subtotal and tax
    restocking_fee: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        Index("ix_refund_lines_refund", "refund_id"),
        Index("ix_refund_lines_order_line", "order_line_id"),
        CheckConstraint("quantity > 0 AND amount >= 0 AND restocking_fee >= 0", name="amounts_valid"),
    )
