"""orderRiskAssessmentCreate: an external fraud service's assessment of an order. The risk context stores
it and sets the order's risk (domain/risk/service.py); an order that becomes HIGH after it was confirmed
has its unfinished fulfillment orders held as HIGH_RISK_OF_FRAUD (fulfillment, above risk; one still
PENDING is held when it is confirmed: domain/fulfillment/opening.py). Staff release the hold; nothing
releases it by itself."""

from __future__ import annotations

from domain.fulfillment.holds import hold_for_fraud
from domain.orders.models import Order
from domain.orders.repository import lock_order
from domain.risk import service as risk
from domain.risk.assessments import assessed
from domain.risk.service import AssessmentInput
from domain.uow import UnitOfWork


async def record_assessment(uow: UnitOfWork, data: AssessmentInput) -> Order:
    source, facts = risk.check(data)
    async with uow as tx:
        order = await lock_order(tx, data.order_id, None, field="orderId")
        if await risk.apply_assessment(tx, order, source, facts, data):
            await hold_for_fraud(tx, order)
        tx.record(assessed(order, source, data.level.value, data.score))
        await uow.commit()
    return order
