"""The fraud hold a HIGH risk puts on an order's unfinished fulfillment orders."""

from __future__ import annotations

from domain.fulfillment.opening import risky
from domain.fulfillment.repository import active_holds, lock_fulfillment_orders
from domain.fulfillment.status import DONE, HoldReason
from domain.orders.models import Order
from domain.uow import Transaction


async def hold_for_fraud(tx: Transaction, order: Order) -> None:
    """The order, locked by the caller, just became HIGH risk: each of its fulfillment orders not yet done
    is held as HIGH_RISK_OF_FRAUD, unless it already is. Staff release the hold."""
    fos = await lock_fulfillment_orders(tx, order.id, key_share=False)
    for fo in fos.values():
        if fo.status in DONE:
            continue
        holds = await active_holds(tx, fo.id)
        if not any(h.reason == HoldReason.HIGH_RISK_OF_FRAUD for h in holds):
            tx.session.add(fo.hold(HoldReason.HIGH_RISK_OF_FRAUD, risky(order), tx.actor))
