"""The holds in force on a fulfillment order, locked; and the fraud hold a HIGH risk puts on an order's
unfinished fulfillment orders. Kept apart from repository.py, which imports the inventory service."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.fulfillment.models import FulfillmentHold, FulfillmentOrder
from domain.fulfillment.opening import risky
from domain.fulfillment.status import DONE, HoldReason
from domain.orders.models import Order
from domain.uow import Transaction


async def active_holds(tx: Transaction, fo_id: uuid.UUID) -> list[FulfillmentHold]:
    return list(
        (
            await tx.session.execute(
                select(FulfillmentHold)
                .where(
                    FulfillmentHold.tenant_id == tx.tenant_id,
                    FulfillmentHold.fulfillment_order_id == fo_id,
                    FulfillmentHold.released_at.is_(None),
                )
                .order_by(FulfillmentHold.created_at, FulfillmentHold.id)
                .with_for_update()
            )
        ).scalars()
    )


async def hold_for_fraud(tx: Transaction, order: Order) -> None:
    """The order, locked by the caller, just became HIGH risk: each of its fulfillment orders not yet done
    is held as HIGH_RISK_OF_FRAUD, unless it already is. Staff release the hold."""
    fos = (
        await tx.session.execute(
            select(FulfillmentOrder)
            .where(FulfillmentOrder.tenant_id == tx.tenant_id, FulfillmentOrder.order_id == order.id)
            .order_by(FulfillmentOrder.id)
            .with_for_update()
        )
    ).scalars()
    for fo in fos:
        if fo.status in DONE:
            continue
        holds = await active_holds(tx, fo.id)
        if not any(h.reason == HoldReason.HIGH_RISK_OF_FRAUD for h in holds):
            tx.session.add(fo.hold(HoldReason.HIGH_RISK_OF_FRAUD, risky(order), tx.actor))
