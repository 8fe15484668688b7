"""Suppliers, what they sell, purchase orders and the shop's reordering policy."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, Timestamps, new_id, utcnow
from domain.errors import Code, DomainError
from domain.events.base import EventSource
from domain.purchasing.events import PurchaseOrderStatusChanged
from domain.purchasing.status import AutoMode, PurchaseOrderStatus, can_move


class Supplier(Timestamps, EventSource, Base):
    """A company the shop buys from: how long its deliveries take and what quantities it sells."""

    __tablename__ = "suppliers"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    lead_time_days: Mapped[int] = mapped_column(Integer)
    minimum_order_quantity: Mapped[int] = mapped_column(Integer, default=1)
    pack_size: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        CheckConstraint("minimum_order_quantity >= 1", name="minimum_positive"),
        CheckConstraint("pack_size >= 1", name="pack_size_positive"),
    )


class SupplierProduct(Timestamps, Base):
    """One product as a supplier sells it: their SKU and the unit cost."""

    __tablename__ = "supplier_products"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    supplier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("suppliers.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    supplier_sku: Mapped[str | None] = mapped_column(String(64))
    unit_cost: Mapped[int] = mapped_column(BigInteger)  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)  # reordering buys here first

    __table_args__ = (
        UniqueConstraint("supplier_id", "product_id"),
        Index("ix_supplier_products_product", "tenant_id", "product_id"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
    )


class PurchaseOrder(Timestamps, EventSource, Base):
    """Units ordered from one supplier, for one or more locations."""

    __tablename__ = "purchase_orders"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    number: Mapped[int] = mapped_column(Integer)
    supplier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("suppliers.id"))
    status: Mapped[PurchaseOrderStatus] = mapped_column(String(20), default=PurchaseOrderStatus.DRAFT)
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(String(500))
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)  # drafted by the reordering worker
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_purchase_orders_status", "tenant_id", "status"),
        CheckConstraint(
            "status IN ('DRAFT', 'SUBMITTED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED')",
            name="status_known",
        ),
    )

    def move_to(self, to: PurchaseOrderStatus) -> None:
        """Changes status if the table allows it (records the change); refuses otherwise."""
        current = PurchaseOrderStatus(self.status)
        if not can_move(current, to):
            raise DomainError(
                Code.INVALID_TRANSITION,
                f"A {current} purchase order cannot become {to}",
                ["id"],
            )
        if current == to:
            return
        self.status = to
        now = utcnow()
        if to == PurchaseOrderStatus.SUBMITTED:
            self.submitted_at = now
        if to in (PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CANCELLED):
            self.closed_at = now
        self.record(PurchaseOrderStatusChanged(self.id, number=self.number, old=current, new=to))

    def expect_in(self, lead_time_days: int) -> None:
        assert self.submitted_at is not None
        self.expected_at = self.submitted_at + timedelta(days=lead_time_days)


class PurchaseOrderLine(Base):
    """Units of one product ordered for one location, and how many of them have arrived."""

    __tablename__ = "purchase_order_lines"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    purchase_order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("purchase_orders.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)
    unit_cost: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("purchase_order_id", "product_id", "location_id"),
        Index("ix_purchase_order_lines_product", "tenant_id", "product_id", "location_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("received >= 0 AND received <= quantity", name="received_within_quantity"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
    )

    @property
    def outstanding(self) -> int:
        return self.quantity - self.received


class PurchaseOrderReceipt(Base):
    """One purchaseOrderReceive, kept so a repeat of its idempotency key changes nothing."""

    __tablename__ = "purchase_order_receipts"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    purchase_order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("purchase_orders.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    lines: Mapped[list[dict[str, object]]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    __table_args__ = (UniqueConstraint("tenant_id", "idempotency_key"),)


DEFAULTS: dict[str, Any] = {
    "service_level": Decimal("0.95"),
    "review_period_days": 7,
    "history_days": 56,
    "auto_mode": AutoMode.OFF,
}


class PurchasingSettings(Base):
    """A shop's reordering policy and its purchase order counter (one row, made when first needed)."""

    __tablename__ = "purchasing_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    service_level: Mapped[Decimal] = mapped_column(Numeric(4, 3), default=DEFAULTS["service_level"])
    review_period_days: Mapped[int] = mapped_column(Integer, default=DEFAULTS["review_period_days"])
    history_days: Mapped[int] = mapped_column(Integer, default=DEFAULTS["history_days"])
    auto_mode: Mapped[AutoMode] = mapped_column(String(8), default=DEFAULTS["auto_mode"])
    next_number: Mapped[int] = mapped_column(Integer, default=1001)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint("service_level >= 0.5 AND service_level <= 0.999", name="service_level_range"),
        CheckConstraint("review_period_days >= 0", name="review_period_not_negative"),
        CheckConstraint("history_days >= 7", name="history_at_least_a_week"),
        CheckConstraint("auto_mode IN ('OFF', 'DRAFT', 'SUBMIT')", name="auto_mode_known"),
    )

    @classmethod
    def defaults(cls, tenant_id: uuid.UUID) -> PurchasingSettings:
        """The policy of a shop that never set one (not stored)."""
        return cls(tenant_id=tenant_id, **DEFAULTS)
