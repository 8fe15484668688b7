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
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, Timestamps, new_id, utcnow
from domain.errors import Code, DomainError
from domain.events.base import EventSource, money
from domain.orders.events import (
    OrderExceptionChanged,
    OrderPaid,
    OrderPriorityChanged,
    OrderRemainderCancelled,
    OrderReturnStatusChanged,
    OrderStatusChanged,
    OrderUpdated,
)
from domain.orders.line_models import OrderAllocation, OrderLine
from domain.orders.status import (
    EDITABLE,
    OPEN,
    FulfillmentStatus,
    OrderStatus,
    PaymentStatus,
    can_move,
    payment_status,
)

__all__ = ["EXCHANGE_CREDIT", "Order", "OrderAllocation", "OrderLine", "Payment"]

# The reference of a payment made with a return's credit (an exchange order's), before the RMA number.
EXCHANGE_CREDIT = "Exchange credit"


class Order(Timestamps, EventSource, Base):
    __tablename__ = "orders"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    number: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(128))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    # SHA-256 of the order access token handed out once by orderCreate (domain/orders/access.py).
    access_token_hash: Mapped[str | None] = mapped_column(String(64))
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
    fulfillment_status: Mapped[FulfillmentStatus] = mapped_column(
        String(24), default=FulfillmentStatus.UNFULFILLED, server_default=FulfillmentStatus.UNFULFILLED
    )
    # Computed from the rules when the order is placed; an override, when set, wins.
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    priority_override: Mapped[int | None] = mapped_column(Integer)
    ship_by: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    # Set when a carrier reports an exception on one of the order's shipments, for support to see.
    shipment_exception: Mapped[str | None] = mapped_column(String(500))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Given back so far: refunds to the customer and credit applied to exchange orders.
    refunded: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    return_status: Mapped[str] = mapped_column(String(24), default="NO_RETURN", server_default="NO_RETURN")
    # Set on an exchange order: the order whose return it replaces.
    exchange_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"))
    # Discounts (negative) and surcharges (positive) that order edits added, tax included: their sum
    # counts in the total; the list keeps each one's amount and reason (domain/orders/editing.py).
    adjustment: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    # Given back because an edit lowered the total below what had been paid: that part of the payments
    # no longer counts toward the total (it is part of `refunded` too).
    edit_refunded: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Fraud risk (domain/risk/): the highest level of the order's assessments and the highest score, the
    # built-in one made at placement included; and what velocity is counted by at placement.
    risk_level: Mapped[str] = mapped_column(String(8), default="NONE", server_default="NONE")
    risk_score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    client_ip: Mapped[str | None] = mapped_column(String(45))
    address_key: Mapped[str | None] = mapped_column(String(32))  # domain/risk/history.py address_key
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "channel", "external_id"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        UniqueConstraint("tenant_id", "access_token_hash"),
        # totals included: the risk history's sample of the shop's latest orders reads the index alone
        Index("ix_orders_tenant_created", "tenant_id", "created_at", "id", postgresql_include=["total"]),
        Index("ix_orders_tenant_email", "tenant_id", "email", "created_at"),  # by created_at: risk history
        Index("ix_orders_tenant_status", "tenant_id", "status"),
        Index("ix_orders_tags", "tags", postgresql_using="gin"),
        Index("ix_orders_tenant_risk", "tenant_id", "risk_level", "created_at"),
        Index("ix_orders_tenant_customer", "tenant_id", "customer_id", "created_at"),
        Index("ix_orders_tenant_address", "tenant_id", "address_key", "created_at"),
        Index("ix_orders_tenant_client_ip", "tenant_id", "client_ip", "created_at"),
        CheckConstraint("subtotal >= 0 AND shipping >= 0 AND tax >= 0", name="amounts_not_negative"),
        CheckConstraint("total = subtotal + shipping + tax + adjustment", name="total_adds_up"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("paid >= 0 AND paid - edit_refunded <= total", name="paid_within_total"),
        CheckConstraint(
            "edit_refunded >= 0 AND edit_refunded <= refunded", name="edit_refunded_within_refunded"
        ),
        CheckConstraint("refunded >= 0 AND refunded <= paid", name="refunded_within_paid"),
        CheckConstraint("priority BETWEEN 0 AND 100", name="priority_in_range"),
        CheckConstraint("risk_score BETWEEN 0 AND 100", name="risk_score_in_range"),
        CheckConstraint(
            "priority_override IS NULL OR priority_override BETWEEN 0 AND 100", name="override_in_range"
        ),
    )

    @property
    def display_number(self) -> str:
        return f"#{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def effective_priority(self) -> int:
        return self.priority if self.priority_override is None else self.priority_override

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

    def approve(self, note: str | None) -> None:
        """An approver let the order go on: from here it is a normal PENDING order."""
        self._move(OrderStatus.PENDING, Code.NOT_AWAITING_APPROVAL, note)

    def cancel(self, reason: str | None) -> None:
        self._move(OrderStatus.CANCELLED, Code.ORDER_NOT_CANCELLABLE, reason)
        self.cancel_reason = reason
        self.cancelled_at = utcnow()

    def edit(self, changes: dict[str, Any]) -> None:
        """Changes the given details (note, tags, addresses) of an order that is still open."""
        if self.status not in EDITABLE:
            raise DomainError(
                Code.ORDER_NOT_EDITABLE,
                f"Order {self.display_number} is {self.status}: it can no longer change",
                ["id"],
            )
        changed = sorted(name for name, value in changes.items() if getattr(self, name) != value)
        for name in changed:
            setattr(self, name, changes[name])
        if changed:
            self.record(OrderUpdated(self.id, number=self.display_number, fields=changed))

    def shipped(self, units_shipped: int, units_ordered: int) -> None:
        """After a shipment: the order is SHIPPED once every unit has left, else PARTIALLY_SHIPPED."""
        done = units_shipped >= units_ordered
        self.fulfillment_status = (
            FulfillmentStatus.FULFILLED if done else FulfillmentStatus.PARTIALLY_FULFILLED
        )
        target = OrderStatus.SHIPPED if done else OrderStatus.PARTIALLY_SHIPPED
        if target != self.status:
            self._move(target, Code.INVALID_TRANSITION)
        if done:
            self.shipped_at = utcnow()

    def cancel_remaining(self, lines: list[dict[str, object]], reason: str | None) -> None:
        """Drops the units that have not shipped: what did ship is the whole order now."""
        if self.status != OrderStatus.PARTIALLY_SHIPPED:
            hint = "cancel the whole order instead" if self.status in EDITABLE else "nothing is left to ship"
            raise DomainError(
                Code.ORDER_NOT_CANCELLABLE,
                f"Order {self.display_number} is {self.status}: {hint}",
                ["id"],
            )
        self.record(OrderRemainderCancelled(self.id, number=self.display_number, lines=lines, reason=reason))
        self.fulfillment_status = FulfillmentStatus.FULFILLED
        self._move(OrderStatus.SHIPPED, Code.ORDER_NOT_CANCELLABLE, reason)
        self.shipped_at = utcnow()

    def delivered(self, at: datetime) -> None:
        """Every shipment has arrived; `at` is when the last one did, as its carrier reported it (the
        return window starts there, not when Baton heard of it)."""
        self._move(OrderStatus.DELIVERED, Code.INVALID_TRANSITION)
        self.delivered_at = at

    def set_priority(self, override: int | None, reason: str | None) -> None:
        if override is not None and not 0 <= override <= 100:
            raise DomainError(Code.INVALID, "priority must be between 0 and 100", ["priority"])
        if override == self.priority_override:
            return
        old = self.effective_priority
        self.priority_override = override
        self.record(
            OrderPriorityChanged(
                self.id,
                number=self.display_number,
                old_priority=old,
                new_priority=self.effective_priority,
                overridden=override is not None,
                reason=reason,
            )
        )

    def flag_exception(self, note: str | None) -> None:
        """A carrier reported a problem: flag the order for support (it keeps its status)."""
        note = (note or "Carrier reported an exception")[:500]
        if self.shipment_exception != note:
            self.shipment_exception = note
            self.record(OrderExceptionChanged(self.id, number=self.display_number, exception=note))

    def clear_exception(self) -> None:
        if self.shipment_exception is not None:
            self.shipment_exception = None
            self.record(OrderExceptionChanged(self.id, number=self.display_number, exception=None))

    @property
    def paid_toward_total(self) -> int:
        """The payments that count toward the total: less what edits gave back as overpaid."""
        return self.paid - (self.edit_refunded or 0)

    @property
    def balance_due(self) -> int:
        return self.total - self.paid_toward_total

    def settle_payment_status(self) -> None:
        """The payment status from the total and the payments toward it; what edits gave back as
        overpaid is neither paid nor refunded."""
        edit_refunded = self.edit_refunded or 0
        self.payment_status = payment_status(
            self.total, self.paid - edit_refunded, (self.refunded or 0) - edit_refunded
        )

    def record_payment(self, amount: int, reference: str) -> Payment:
        """Takes a payment and returns its row, for the caller to add."""
        if self.status == OrderStatus.CANCELLED:
            raise DomainError(Code.INVALID_TRANSITION, "A cancelled order takes no payment", ["id"])
        if self.balance_due <= 0:
            raise DomainError(
                Code.ALREADY_PAID,
                f"Order {self.display_number} is paid in full",
                ["id"],
            )
        if amount <= 0 or amount > self.balance_due:
            raise DomainError(
                Code.INVALID_AMOUNT,
                f"amount must be between 0 and the balance due ({self.balance_due} minor units)",
                ["amount"],
            )
        self.paid += amount
        self.settle_payment_status()
        self.record(
            OrderPaid(
                self.id,
                number=self.display_number,
                amount=money(amount, self.currency),
                reference=reference,
                payment_status=self.payment_status,
            )
        )
        return Payment(
            tenant_id=self.tenant_id,
            order_id=self.id,
            amount=amount,
            currency=self.currency,
            reference=reference,
        )

    @property
    def refundable(self) -> int:
        return self.paid - (self.refunded or 0)

    def refund(self, total: int) -> None:
        """Gives back `total` of what was paid; the caller records the refund and its event."""
        if total > self.refundable:
            raise DomainError(
                Code.REFUND_EXCEEDS_PAID,
                f"Order {self.display_number} has {self.refundable} minor units left to refund, not {total}",
                ["amount"],
            )
        self.refunded = (self.refunded or 0) + total
        self.settle_payment_status()

    def set_return_status(self, status: str) -> None:
        if status != self.return_status:
            old, self.return_status = self.return_status, status
            self.record(
                OrderReturnStatusChanged(
                    self.id, number=self.display_number, old_status=old, new_status=status
                )
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
