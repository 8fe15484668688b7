from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, Timestamps, new_id, utcnow
from domain.errors import Code, DomainError
from domain.events.base import EventSource, money
from domain.orders.events import OrderPaid, OrderStatusChanged, OrderUpdated
from domain.orders.status import OPEN, AllocationStatus, OrderStatus, PaymentStatus, can_move

# How the API spells the editable attributes, for the `fields` of ORDER_UPDATED.
API_NAMES = {"shipping_address": "shippingAddress", "billing_address": "billingAddress"}


class Order(Timestamps, EventSource, Base):
    __tablename__ = "orders"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    number: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(128))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[OrderStatus] = mapped_column(String(24), default=OrderStatus.PENDING)
    payment_status: Mapped[PaymentStatus] = mapped_column(String(24), default=PaymentStatus.PENDING)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigInteger)
    shipping: Mapped[int] = mapped_column(BigInteger)
    tax: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[int] = mapped_column(BigInteger, default=0)
    shipping_method: Mapped[str] = mapped_column(String(16))
    shipping_address: Mapped[dict[str, Any]] = mapped_column(JSONB)
    billing_address: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(String(2000))
    # PostgreSQL's ARRAY: the generic one has no contains() (@>), which the tags filter uses.
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "channel", "external_id"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_orders_tenant_created", "tenant_id", "created_at", "id"),
        Index("ix_orders_tenant_email", "tenant_id", "email"),
        Index("ix_orders_tenant_status", "tenant_id", "status"),
        Index("ix_orders_tags", "tags", postgresql_using="gin"),
        CheckConstraint("subtotal >= 0 AND shipping >= 0 AND tax >= 0", name="amounts_not_negative"),
        CheckConstraint("total = subtotal + shipping + tax", name="total_adds_up"),
        CheckConstraint("paid >= 0 AND paid <= total", name="paid_within_total"),
    )

    @property
    def display_number(self) -> str:
        return f"#{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def _move(self, target: OrderStatus, code: Code, reason: str | None = None) -> None:
        if not can_move(self.status, target):
            raise DomainError(
                code,
                f"Order {self.display_number} is {self.status} and cannot become {target}",
                ["id"],
            )
        old, self.status = self.status, target
        self.record(
            OrderStatusChanged(
                self.id,
                number=self.display_number,
                old_status=old,
                new_status=target,
                reason=reason,
            )
        )

    def confirm(self) -> None:
        self._move(OrderStatus.CONFIRMED, Code.INVALID_TRANSITION)
        self.confirmed_at = utcnow()

    def cancel(self, reason: str | None) -> None:
        self._move(OrderStatus.CANCELLED, Code.ORDER_NOT_CANCELLABLE, reason)
        self.cancel_reason = reason
        self.cancelled_at = utcnow()

    def edit(self, changes: dict[str, Any]) -> None:
        """Changes the given details (note, tags, addresses) of an order that is still open."""
        if not self.is_open:
            raise DomainError(
                Code.ORDER_NOT_EDITABLE,
                f"Order {self.display_number} is {self.status}: it can no longer change",
                ["id"],
            )
        changed = sorted(name for name, value in changes.items() if getattr(self, name) != value)
        for name in changed:
            setattr(self, name, changes[name])
        if changed:
            api_names = [API_NAMES.get(name, name) for name in changed]
            self.record(OrderUpdated(self.id, number=self.display_number, fields=api_names))

    def record_payment(self, amount: int, reference: str) -> None:
        if self.status == OrderStatus.CANCELLED:
            raise DomainError(Code.INVALID_TRANSITION, "A cancelled order takes no payment", ["id"])
        if self.paid >= self.total:
            raise DomainError(
                Code.ALREADY_PAID,
                f"Order {self.display_number} is paid in full",
                ["id"],
            )
        if amount <= 0 or self.paid + amount > self.total:
            raise DomainError(
                Code.INVALID_AMOUNT,
                f"amount must be between 0 and the balance due ({self.total - self.paid} minor units)",
                ["amount"],
            )
        self.paid += amount
        self.payment_status = PaymentStatus.PAID if self.paid == self.total else PaymentStatus.PARTIALLY_PAID
        self.record(
            OrderPaid(
                self.id,
                number=self.display_number,
                amount=money(amount, self.currency),
                reference=reference,
                payment_status=self.payment_status,
            )
        )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"))
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    subtotal: Mapped[int] = mapped_column(BigInteger)
    tax: Mapped[int] = mapped_column(BigInteger)
    customizations: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)

    __table_args__ = (
        Index("ix_order_lines_order", "order_id", "position"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("subtotal = unit_price * quantity", name="subtotal_adds_up"),
    )


class OrderAllocation(Base):
    """Units of one line reserved at one location; RELEASED when the order no longer holds them."""

    __tablename__ = "order_allocations"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"))
    line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[AllocationStatus] = mapped_column(String(16), default=AllocationStatus.RESERVED)

    __table_args__ = (
        Index("ix_order_allocations_order", "order_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status IN ('RESERVED', 'RELEASED')", name="status_known"),
    )


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id", "reference"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
