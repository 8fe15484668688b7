"""A shop's approval rules, and the approval an order waits for (or got): who placed it, which rule sent
it to PENDING_APPROVAL, and how it was decided. The approval keeps what its rule said when the order was
placed (name, roles, four eyes), so changing or deleting the rule later does not change pending orders."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, Timestamps, new_id


class Decision(StrEnum):
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ApprovalRuleRow(Timestamps, Base):
    __tablename__ = "approval_rules"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    min_total: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    channels: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    new_customer: Mapped[bool | None] = mapped_column(Boolean)
    customer_tiers: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    shipping_countries: Mapped[list[str]] = mapped_column(ARRAY(String(2)), default=list)
    skus: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    risk_level_at_least: Mapped[str | None] = mapped_column(String(8))
    approver_roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    four_eyes: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_reject_after_hours: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_approval_rules_tenant_position", "tenant_id", "position"),
        CheckConstraint("min_total IS NULL OR min_total >= 0", name="min_total_not_negative"),
    )


class OrderApproval(Base):
    """One per order that a rule sent to PENDING_APPROVAL; `decision` is null until it is decided."""

    __tablename__ = "order_approvals"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    # The rule that matched; no foreign key: a rule replaced or deleted later leaves its orders be.
    rule_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    rule_name: Mapped[str] = mapped_column(String(200))
    approver_roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    four_eyes: Mapped[bool] = mapped_column(Boolean)
    requested_by: Mapped[str | None] = mapped_column(String(64))  # the actor that placed the order
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # auto-rejected after this
    decision: Mapped[str | None] = mapped_column(String(16))  # APPROVED, REJECTED
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(String(500))  # the approver's note or the rejection's reason

    __table_args__ = (
        Index("ix_order_approvals_rule", "tenant_id", "rule_id"),
        Index("ix_order_approvals_due", "due_at", postgresql_where="decision IS NULL AND due_at IS NOT NULL"),
        CheckConstraint("decision IS NULL OR decision IN ('APPROVED', 'REJECTED')", name="decision_known"),
    )
