"""Risk use cases: an external fraud service's assessment of an order, and the shop's risk settings.
One unit of work each.

The order's risk is the highest level among the latest assessment of each source (the built-in one,
source BATON, and each fraud service's), with the highest of their scores: a service may change its own
mind about an order, never another source's. An order that becomes HIGH after it was confirmed has its
unfinished fulfillment orders held as HIGH_RISK_OF_FRAUD (one that is still PENDING is held when it is
confirmed: domain/fulfillment/opening.py); staff release the hold, nothing releases it by itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on

from domain import validation
from domain.errors import Code, Problems
from domain.fulfillment.holds import active_holds
from domain.fulfillment.models import FulfillmentOrder
from domain.fulfillment.opening import risky
from domain.fulfillment.status import DONE, HoldReason
from domain.orders.models import Order
from domain.orders.repository import lock_order
from domain.risk.assessments import assessed
from domain.risk.models import BUILT_IN, RiskAssessment
from domain.risk.rules import RiskLevel, Sentiment, highest
from domain.risk.settings import RiskSettings, SettingsChange, changed, settings_of
from domain.tenancy.events import ShopUpdated
from domain.tenancy.models import Tenant
from domain.uow import UnitOfWork

MAX_FACTS = 20


@dataclass(frozen=True)
class AssessmentInput:
    order_id: uuid.UUID
    source: str
    level: RiskLevel
    score: int | None
    facts: list[tuple[str, Sentiment]]


def _check(data: AssessmentInput) -> tuple[str, list[dict[str, str]]]:
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


async def record_assessment(uow: UnitOfWork, data: AssessmentInput) -> Order:
    source, facts = _check(data)
    async with uow:
        order = await lock_order(uow, data.order_id, None, field="orderId")
        uow.session.add(
            RiskAssessment(
                tenant_id=uow.tenant_id,
                order_id=order.id,
                source=source,
                level=data.level.value,
                score=data.score,
                facts=facts,
                actor=uow.actor,
            )
        )
        await uow.session.flush()
        latest = (
            await uow.session.execute(
                select(RiskAssessment.level, RiskAssessment.score)
                .where(RiskAssessment.tenant_id == uow.tenant_id, RiskAssessment.order_id == order.id)
                .order_by(RiskAssessment.source, RiskAssessment.created_at.desc(), RiskAssessment.id.desc())
                .ext(distinct_on(RiskAssessment.source))
            )
        ).all()
        was = order.risk_level
        order.risk_level = highest([RiskLevel(level) for level, _ in latest]).value
        order.risk_score = max((score or 0 for _, score in latest), default=0)
        if order.risk_level == RiskLevel.HIGH and was != RiskLevel.HIGH:
            await _hold_fulfillment(uow, order)
        uow.record(assessed(order, source, data.level.value, data.score))
        await uow.commit()
    return order


async def _hold_fulfillment(uow: UnitOfWork, order: Order) -> None:
    fos = (
        await uow.session.execute(
            select(FulfillmentOrder)
            .where(FulfillmentOrder.tenant_id == uow.tenant_id, FulfillmentOrder.order_id == order.id)
            .order_by(FulfillmentOrder.id)
            .with_for_update()
        )
    ).scalars()
    for fo in fos:
        if fo.status in DONE:
            continue
        holds = await active_holds(uow, fo.id)
        if not any(h.reason == HoldReason.HIGH_RISK_OF_FRAUD for h in holds):
            uow.session.add(fo.hold(HoldReason.HIGH_RISK_OF_FRAUD, risky(order), uow.actor))


async def update_settings(uow: UnitOfWork, change: SettingsChange) -> RiskSettings:
    async with uow:
        tenant = (
            await uow.session.execute(select(Tenant).where(Tenant.id == uow.tenant_id).with_for_update())
        ).scalar_one()
        current = settings_of(tenant.risk_settings)
        new = changed(current, change)
        if new != current:
            tenant.risk_settings = new.to_json()
            uow.record(ShopUpdated(tenant.id, fields=["risk_settings"]))
        await uow.commit()
    return new
