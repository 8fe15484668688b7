"""An order's risk assessments: the built-in one made at placement (source BATON) and those a partner's
fraud service sends (orderRiskAssessmentCreate). Append-only; the order keeps the combined level."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, new_id, utcnow

BUILT_IN = "BATON"  # the source of the built-in assessment


class RiskAssessment(Base):
    __tablename__ = "order_risk_assessments"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"))
    source: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))
    score: Mapped[int | None] = mapped_column(Integer)
    facts: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)  # [{description, sentiment}]
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_order_risk_assessments_order", "tenant_id", "order_id", "created_at"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_in_range"),
    )
