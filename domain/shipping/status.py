from __future__ import annotations

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
