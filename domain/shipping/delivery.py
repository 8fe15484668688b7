"""An order is DELIVERED once every one of its shipments has arrived: a step of tracking a shipment
(tracking.py) and of cancelling what remains of a partly shipped order (domain/workflows/remainder.py),
with the shipments repository.py order_shipments loads."""

from __future__ import annotations

from datetime import datetime

from domain.orders.models import Order
from domain.orders.status import OrderStatus
from domain.shipping.status import last_arrival


def deliver_if_arrived(order: Order, shipments: list[tuple[str, datetime | None]]) -> None:
    """A SHIPPED order whose shipments (order_shipments) have all arrived is DELIVERED, when the last did."""
    arrived = last_arrival(shipments)
    if order.status == OrderStatus.SHIPPED and arrived is not None:
        order.delivered(arrived)
