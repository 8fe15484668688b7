"""Fraud risk: an order's combined risk, its assessments and their facts, and the shop's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from domain.risk.rules import RiskLevel, Sentiment
from domain.risk.settings import RiskRule, RiskSettings
from resolvers.ids import to_global
from schema.enums import RiskFactSentimentEnum, RiskLevelEnum, RiskRuleEnum


@strawberry.type(description="One reason behind an assessment, for staff to read.")
class RiskFact:
    description: str
    sentiment: RiskFactSentimentEnum  # type: ignore[valid-type]

    @classmethod
    def of(cls, fact: dict[str, Any]) -> RiskFact:
        return cls(description=fact["description"], sentiment=Sentiment(fact["sentiment"]))


@strawberry.type(
    description="One assessment of an order: Baton's own at placement (source BATON) or a fraud service's."
)
class RiskAssessment:
    id: strawberry.ID
    source: str = strawberry.field(description='Who assessed: "BATON", or the fraud service\'s name')
    level: RiskLevelEnum  # type: ignore[valid-type]
    score: int | None = strawberry.field(description="0 to 100, when the source gives one")
    facts: list[RiskFact]
    created_at: datetime

    @classmethod
    def of(cls, r: Any) -> RiskAssessment:
        return cls(
            id=strawberry.ID(to_global("RiskAssessment", r.id)),
            source=r.source,
            level=RiskLevel(r.level),
            score=r.score,
            facts=[RiskFact.of(f) for f in r.facts],
            created_at=r.created_at,
        )


@strawberry.type(
    description="An order's fraud risk: the highest level among the latest assessment of each source, "
    "the highest of their scores, and their facts."
)
class OrderRisk:
    level: RiskLevelEnum  # type: ignore[valid-type]
    score: int = strawberry.field(description="0 to 100")
    facts: list[RiskFact] = strawberry.field(
        description="The facts of the assessments that count (each source's latest), Baton's first"
    )
    assessments: list[RiskAssessment] = strawberry.field(description="Every assessment, oldest first")

    @classmethod
    def of(cls, level: str, score: int, rows: list[Any]) -> OrderRisk:
        assessments = [RiskAssessment.of(r) for r in rows]
        latest: dict[str, RiskAssessment] = {}
        for a in assessments:
            latest[a.source] = a
        counted = sorted(latest.values(), key=lambda a: (a.source != "BATON", a.source))
        return cls(
            level=RiskLevel(level),
            score=score,
            facts=[f for a in counted for f in a.facts],
            assessments=assessments,
        )


@strawberry.type(description="The points a built-in rule adds to the score when it fires.")
class RiskWeight:
    rule: RiskRuleEnum  # type: ignore[valid-type]
    points: int = strawberry.field(description="-100 to 100; 0 turns the rule off, below 0 is a good sign")


@strawberry.type(name="RiskSettings", description="The shop's fraud-risk thresholds and weights.")
class RiskSettingsType:
    low_at: int = strawberry.field(description="A score at or above this is LOW")
    medium_at: int = strawberry.field(description="A score at or above this is MEDIUM")
    high_at: int = strawberry.field(
        description="A score at or above this is HIGH: the order's fulfillment is held as HIGH_RISK_OF_FRAUD"
    )
    velocity_limit: int = strawberry.field(
        description="Earlier orders in the last hour by one email, phone, address or IP that make velocity "
        "a risk"
    )
    weights: list[RiskWeight]

    @classmethod
    def of(cls, s: RiskSettings) -> RiskSettingsType:
        return cls(
            low_at=s.low_at,
            medium_at=s.medium_at,
            high_at=s.high_at,
            velocity_limit=s.velocity_limit,
            weights=[RiskWeight(rule=r, points=s.weight(r)) for r in RiskRule],
        )
