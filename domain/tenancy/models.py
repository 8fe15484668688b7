from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, false
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, Timestamps, new_id
from domain.secrets import Sealed
from domain.tenancy.shop import MAX_RETURN_WINDOW_DAYS

DEFAULT_SHIPPING_RATES = {
    "STANDARD": "5.00",
    "EXPRESS": "15.00",
    "OVERNIGHT": "30.00",
    "PICKUP": "0",
}


class Role(StrEnum):
    ADMIN = "ADMIN"
    STAFF = "STAFF"
    STOREFRONT = "STOREFRONT"
    PARTNER = "PARTNER"


class Tenant(Timestamps, Base):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # Tax applied to lines and shipping, in basis points (825 = 8.25 %).
    tax_rate_bps: Mapped[int] = mapped_column(Integer, default=0)
    # Flat rate per shipping method, as decimal strings in the order's currency.
    shipping_rates: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=lambda: dict(DEFAULT_SHIPPING_RATES)
    )
    # The shop's fraud-risk thresholds and weights (domain/risk/settings.py); NULL: the defaults.
    risk_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    next_order_number: Mapped[int] = mapped_column(Integer, default=1001)
    next_return_number: Mapped[int] = mapped_column(Integer, default=1001, server_default="1001")
    # Days after delivery (or, until then, after the last shipment) that returns are accepted.
    return_window_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # Kept from refunds of NO_LONGER_NEEDED returns, in basis points of the units' value.
    restocking_fee_bps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Signs customer access tokens (domain/customers/tokens.py). After a rotation the previous secret
    # still verifies until `previous_customer_secret_until`, so signed-in customers are not logged out.
    customer_secret: Mapped[str | None] = mapped_column(Sealed)  # encrypted at rest (domain/secrets.py)
    previous_customer_secret: Mapped[str | None] = mapped_column(Sealed)
    previous_customer_secret_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("tax_rate_bps >= 0 AND tax_rate_bps <= 10000", name="tax_rate_range"),
        CheckConstraint(
            f"return_window_days BETWEEN 0 AND {MAX_RETURN_WINDOW_DAYS}", name="return_window_range"
        ),
        CheckConstraint("restocking_fee_bps BETWEEN 0 AND 10000", name="restocking_fee_range"),
    )


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(16))
    # The public part of the key, used to find it; the whole key is only stored as a hash.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    # Narrows the role's scopes (domain/tenancy/scopes.py); NULL: everything the role gives.
    scopes: Mapped[list[str] | None] = mapped_column(ARRAY(String(32)))
    # Allow-list mode: the key runs only documents its tenant registered (domain/documents).
    registered_documents_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("role IN ('ADMIN', 'STAFF', 'STOREFRONT', 'PARTNER')", name="role_known"),
    )
