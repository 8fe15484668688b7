"""orderRiskAssessmentCreate (a fraud service's assessment), riskSettingsUpdate (ADMIN keys)."""

from __future__ import annotations

import strawberry

from domain.risk.rules import RiskLevel, Sentiment
from domain.risk.settings import RiskRule, SettingsChange
from resolvers import risk as resolve
from schema.enums import RiskFactSentimentEnum, RiskLevelEnum, RiskRuleEnum
from schema.errors import UserError, user_errors
from schema.mutations.orders import OrderPayload
from schema.types.orders import Order
from schema.types.risk import RiskSettingsType


@strawberry.input(description="One reason behind an assessment.")
class RiskFactInput:
    description: str = strawberry.field(description="For staff to read; at most 500 characters")
    sentiment: RiskFactSentimentEnum  # type: ignore[valid-type]


@strawberry.input
class OrderRiskAssessmentCreateInput:
    order_id: strawberry.ID
    source: str = strawberry.field(
        description="The fraud service's name, at most 64 characters; its latest assessment replaces its "
        "earlier ones in the order's level (BATON is reserved for the built-in one)"
    )
    risk_level: RiskLevelEnum  # type: ignore[valid-type]
    score: int | None = strawberry.field(default=None, description="0 to 100, if the service gives one")
    facts: list[RiskFactInput] = strawberry.field(default_factory=list, description="At most 20")


@strawberry.input(description="A rule's points.")
class RiskWeightInput:
    rule: RiskRuleEnum  # type: ignore[valid-type]
    points: int = strawberry.field(description="-100 to 100; 0 turns the rule off")


@strawberry.input
class RiskSettingsUpdateInput:
    low_at: int | None = strawberry.field(default=None, description="1 to 100, below mediumAt")
    medium_at: int | None = strawberry.field(default=None, description="Below highAt")
    high_at: int | None = strawberry.field(default=None, description="At most 100")
    velocity_limit: int | None = strawberry.field(
        default=None, description="1 to 100 earlier orders in the last hour"
    )
    weights: list[RiskWeightInput] | None = strawberry.field(
        default=None, description="Only the rules named change"
    )
    reset: bool = strawberry.field(default=False, description="Back to the defaults before the changes")

    def to_domain(self) -> SettingsChange:
        return SettingsChange(
            low_at=self.low_at,
            medium_at=self.medium_at,
            high_at=self.high_at,
            velocity_limit=self.velocity_limit,
            weights={RiskRule(w.rule): w.points for w in self.weights or []},
            reset=self.reset,
        )


@strawberry.type
class RiskSettingsUpdatePayload:
    risk_settings: RiskSettingsType | None
    user_errors: list[UserError]


@strawberry.type
class RiskMutations:
    @strawberry.mutation(
        description="Records a fraud service's assessment of an order. The order's risk becomes the highest "
        "level among each source's latest assessment (Baton's own included); an order that becomes HIGH "
        "has its unfinished fulfillment orders held as HIGH_RISK_OF_FRAUD. Keys with risk:assess (ADMIN, "
        "STAFF, and PARTNER keys issued with it)."
    )
    async def order_risk_assessment_create(
        self, info: strawberry.Info, input: OrderRiskAssessmentCreateInput
    ) -> OrderPayload:
        outcome = await resolve.assessment_create(
            info.context,
            input.order_id,
            input.source,
            RiskLevel(input.risk_level),
            input.score,
            [(f.description, Sentiment(f.sentiment)) for f in input.facts],
        )
        return OrderPayload(
            order=Order.shown(info, outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="Changes the shop's fraud-risk thresholds, velocity limit and rule weights; applies to "
        "orders placed from then on. ADMIN keys."
    )
    async def risk_settings_update(
        self, info: strawberry.Info, input: RiskSettingsUpdateInput
    ) -> RiskSettingsUpdatePayload:
        outcome = await resolve.settings_update(info.context, input.to_domain())
        return RiskSettingsUpdatePayload(
            risk_settings=RiskSettingsType.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )
