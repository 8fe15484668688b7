"""Write-side loading for risk: what an order's sources said last, read inside the use case that adds an
assessment (the order locked by the caller)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import distinct_on

from domain.risk.models import RiskAssessment
from domain.uow import Transaction


async def latest_assessments(tx: Transaction, order_id: uuid.UUID) -> Sequence[Row[str, int | None]]:
    """The (level, score) of the order's latest assessment from each source, including any the session
    has just flushed."""
    return (
        await tx.session.execute(
            select(RiskAssessment.level, RiskAssessment.score)
            .where(RiskAssessment.tenant_id == tx.tenant_id, RiskAssessment.order_id == order_id)
            .order_by(RiskAssessment.source, RiskAssessment.created_at.desc(), RiskAssessment.id.desc())
            .ext(distinct_on(RiskAssessment.source))
        )
    ).all()
