from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum


class TrackingStatus(StrEnum):
    LABEL_CREATED = "LABEL_CREATED"
    PICKED_UP = "PICKED_UP"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERY_ATTEMPTED = "DELIVERY_ATTEMPTED"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"
    RETURNED_TO_SENDER = "RETURNED_TO_SENDER"


class TrackingSource(StrEnum):
    API = "API"  # shipmentTrackingEventAdd, by a partner or staff
    CARRIER = "CARRIER"  # the carrier's signed webhook


def last_arrival(shipments: Iterable[tuple[str, datetime | None]]) -> datetime | None:
    """When an order's last shipment arrived, as the carriers reported it, once every one of its
    shipments (status, delivered_at) is DELIVERED; None before that, or with no shipments."""
    found = list(shipments)
    if not found or any(status != TrackingStatus.DELIVERED for status, _ in found):
        return None
    times = [at for _, at in found if at is not None]
    return max(times) if times else None
