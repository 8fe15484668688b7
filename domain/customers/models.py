from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, Timestamps, new_id


class Customer(Timestamps, Base):
    """A buyer, known per tenant by email (stored lower-cased)."""

    __tablename__ = "customers"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    email: Mapped[str] = mapped_column(String(254))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Weighs in an order's fulfillment priority (STANDARD, SILVER, GOLD, VIP).
    tier: Mapped[str] = mapped_column(String(16), default="STANDARD", server_default="STANDARD")

    # By phone: the fraud rules count a phone number's recent orders (domain/risk/history.py).
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        Index("ix_customers_tenant_phone", "tenant_id", "phone"),
    )
