"""An order's lines and the allocations that hold stock for them (Order itself is in models.py,
which re-exports both)."""

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
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, new_id, utcnow
from domain.orders.status import AllocationStatus


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
        # a SKU's usual quantity, from the index alone
        Index("ix_order_lines_tenant_product", "tenant_id", "product_id", postgresql_include=["quantity"]),
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
    # Units of this allocation that have left in shipments; the rest is still held for the order.
    shipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The fulfillment order these units are picked in; set when the order is confirmed.
    fulfillment_order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("fulfillment_orders.id"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    # When backordered units were reserved by a receipt (domain/fulfillment/backorders.py); else null.
    filled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_order_allocations_order", "order_id"),
        Index("ix_order_allocations_fulfillment_order", "fulfillment_order_id"),
        Index(
            "ix_order_allocations_backordered",
            "tenant_id",
            "product_id",
            "location_id",
            postgresql_where="status = 'BACKORDERED'",
        ),
        Index(
            "ix_order_allocations_filled", "tenant_id", "filled_at", postgresql_where="filled_at IS NOT NULL"
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("shipped >= 0 AND shipped <= quantity", name="shipped_within_quantity"),
        CheckConstraint("status IN ('RESERVED', 'BACKORDERED', 'RELEASED')", name="status_known"),
    )

    @property
    def unshipped(self) -> int:
        return self.quantity - self.shipped

    def split_off(
        self,
        quantity: int,
        location_id: uuid.UUID,
        fulfillment_order_id: uuid.UUID | None,
        filled_at: datetime | None = None,
    ) -> OrderAllocation:
        """Takes `quantity` unshipped units into a new RESERVED allocation; the rest stay here."""
        self.quantity -= quantity
        return OrderAllocation(
            filled_at=filled_at,
            tenant_id=self.tenant_id,
            order_id=self.order_id,
            line_id=self.line_id,
            product_id=self.product_id,
            location_id=location_id,
            quantity=quantity,
            status=AllocationStatus.RESERVED,
            fulfillment_order_id=fulfillment_order_id,
        )
