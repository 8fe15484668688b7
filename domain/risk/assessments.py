"""Recording an assessment: its facts as stored and shown, and the order's event."""

from __future__ import annotations

from domain.orders.events import OrderRiskAssessed
from domain.orders.models import Order
from domain.orders.rows import NewAssessment
from domain.risk.models import BUILT_IN
from domain.risk.rules import Assessment, Fact


def facts_json(facts: tuple[Fact, ...] | list[Fact]) -> list[dict[str, str]]:
    return [{"description": f.description, "sentiment": f.sentiment.value} for f in facts]


def built_in_assessment(risk: Assessment, actor: str | None) -> NewAssessment:
    return NewAssessment(BUILT_IN, risk.level.value, risk.score, facts_json(risk.facts), actor)


def assessed(order: Order, source: str, level: str, score: int | None) -> OrderRiskAssessed:
    return OrderRiskAssessed(
        order.id,
        number=order.display_number,
        source=source,
        level=level,
        score=score,
        order_level=order.risk_level,
    )
