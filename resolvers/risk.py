"""Fraud risk: a fraud service's assessment of an order, the shop's risk settings."""

from __future__ import annotations

from domain.orders.models import Order
from domain.risk import service
from domain.risk.rules import RiskLevel, Sentiment
from domain.risk.settings import RiskSettings, SettingsChange
from domain.tenancy.scopes import Scope
from domain.workflows import risk_assessing
from resolvers.context import Context
from resolvers.ids import require_id
from resolvers.outcome import Outcome, attempt


async def assessment_create(
    ctx: Context,
    gid: str,
    source: str,
    level: RiskLevel,
    score: int | None,
    facts: list[tuple[str, Sentiment]],
) -> Outcome[Order]:
    uow = ctx.uow(Scope.RISK_ASSESS)

    async def run() -> Order:
        order_id = require_id(gid, "Order", "orderId")
        data = service.AssessmentInput(order_id, source, level, score, facts)
        return await risk_assessing.record_assessment(uow, data)

    return await attempt(run)


async def settings_update(ctx: Context, change: SettingsChange) -> Outcome[RiskSettings]:
    uow = ctx.uow(Scope.SHOP_MANAGE)
    return await attempt(lambda: service.update_settings(uow, change))
