"""An order is DELIVERED once every one of its shipments has arrived: a step of tracking a shipment
(tracking.py) and of cancelling what remains of a partly shipped order (domain/workflows/remainder.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from domain.orders.models import Order
from domain.orders.status import OrderStatus
from domain.shipping.models import Shipment
from domain.shipping.status import last_arrival
from domain.uow import Transaction


async def order_shipments(tx: Transaction, order_id: uuid.UUID) -> list[tuple[str, datetime | None]]:
    """The (status, delivered_at) of each of the order's shipments."""
    rows = await tx.session.execute(
        select(Shipment.status, Shipment.delivered_at).where(
            Shipment.tenant_id == tx.tenant_id, Shipment.order_id == order_id
        )
    )
    return [(status, at) for status, at in rows.all()]


def deliver_if_arrived(order: Order, shipments: list[tuple[str, datetime | None]]) -> None:
    """A SHIPPED order whose shipments (order_shipments) have all arrived is DELIVERED, when the last did."""
    arrived = last_arrival(shipments)
    if order.status == OrderStatus.SHIPPED and arrived is not None:
        order.delivered(arrived)
