"""Risk steps and use cases: an external fraud service's assessment of an order (the step; the use case,
which may also hold fulfillment, is domain/workflows/risk_assessing.py), and the shop's risk settings.

The order's risk is the highest level among the latest assessment of each source (the built-in one,
source BATON, and each fraud service's), with the highest of their scores: a service may change its own
mind about an order, never another source's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain import validation
from domain.errors import Code, Problems
from domain.orders.models import Order
from domain.risk.models import BUILT_IN, RiskAssessment
from domain.risk.repository import latest_assessments
from domain.risk.rules import RiskLevel, Sentiment, highest
from domain.risk.settings import RiskSettings, SettingsChange, changed, settings_of
from domain.tenancy.events import ShopUpdated
from domain.tenancy.repository import lock_tenant
from domain.uow import Transaction, UnitOfWork

MAX_FACTS = 20


@dataclass(frozen=True)
class AssessmentInput:
    order_id: uuid.UUID
    source: str
    level: RiskLevel
    score: int | None
    facts: list[tuple[str, Sentiment]]


def check(data: AssessmentInput) -> tuple[str, list[dict[str, str]]]:
    problems = Problems()
    source = validation.text(problems, data.source, ("source",), 64) or ""
    if source.upper() == BUILT_IN:
        problems.add(Code.INVALID, f"The source {BUILT_IN} is Baton's own assessment", "source")
    if data.score is not None and not 0 <= data.score <= 100:
        problems.add(Code.INVALID, "score is between 0 and 100", "score")
    if len(data.facts) > MAX_FACTS:
        problems.add(Code.INVALID, f"At most {MAX_FACTS} facts", "facts")
    facts = []
    for i, (description, sentiment) in enumerate(data.facts[:MAX_FACTS]):
        text = validation.text(problems, description, ("facts", i, "description"), 500) or ""
        facts.append({"description": text, "sentiment": sentiment.value})
    problems.raise_if_any()
    return source, facts


async def apply_assessment(
    tx: Transaction, order: Order, source: str, facts: list[dict[str, str]], data: AssessmentInput
) -> bool:
    """Stores the assessment of the order (locked by the caller) and sets the order's risk from the latest
    of every source. True when that made the order HIGH: the caller holds its fulfillment."""
    tx.session.add(
        RiskAssessment(
            tenant_id=tx.tenant_id,
            order_id=order.id,
            source=source,
            level=data.level.value,
            score=data.score,
            facts=facts,
            actor=tx.actor,
        )
    )
    await tx.session.flush()
    latest = await latest_assessments(tx, order.id)
    was = order.risk_level
    order.risk_level = highest([RiskLevel(level) for level, _ in latest]).value
    order.risk_score = max((score or 0 for _, score in latest), default=0)
    return order.risk_level == RiskLevel.HIGH and was != RiskLevel.HIGH


async def update_settings(uow: UnitOfWork, change: SettingsChange) -> RiskSettings:
    async with uow as tx:
        tenant = await lock_tenant(tx)
        current = settings_of(tenant.risk_settings)
        new = changed(current, change)
        if new != current:
            tenant.risk_settings = new.to_json()
            tx.record(ShopUpdated(tenant.id, fields=["risk_settings"]))
        await uow.commit()
    return new
