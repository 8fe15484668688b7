from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.catalog.events import LocationChanged, ProductChanged
from domain.db import Base, Timestamps, new_id
from domain.events.base import EventSource


class BackorderPolicy(StrEnum):
    DENY = "DENY"
    ALLOW = "ALLOW"


class LocationKind(StrEnum):
    WAREHOUSE = "WAREHOUSE"
    STORE = "STORE"


class Location(Timestamps, EventSource, Base):
    """A place stock is kept and shipped from. Lower `priority` values are tried first."""

    __tablename__ = "locations"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[LocationKind] = mapped_column(String(16), default=LocationKind.WAREHOUSE)
    priority: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    def changed(self, fields: list[str]) -> None:
        self.record(LocationChanged(self.id, fields=sorted(fields)))


class Product(Timestamps, EventSource, Base):
    __tablename__ = "products"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    price: Mapped[int] = mapped_column(BigInteger)  # minor units of `currency`
    currency: Mapped[str] = mapped_column(String(3))
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    backorder_policy: Mapped[BackorderPolicy] = mapped_column(String(8), default=BackorderPolicy.DENY)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # domain/catalog/customization.py: Option.to_json() of each declared option, in order
    customization_options: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "sku"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("weight_grams IS NULL OR weight_grams >= 0", name="weight_not_negative"),
        CheckConstraint("backorder_policy IN ('DENY', 'ALLOW')", name="backorder_policy_known"),
    )

    def changed(self, fields: list[str]) -> None:
        self.record(ProductChanged(self.id, sku=self.sku, fields=sorted(fields)))
