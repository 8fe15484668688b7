"""Carrier adapters: how a carrier names itself, links to tracking, and words its statuses.
Each maps its own status vocabulary onto Baton's; add a carrier by registering another adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from domain.shipping.status import TrackingStatus

T = TrackingStatus


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    tracking_url_template: str | None  # "{number}" is replaced by the tracking number
    statuses: dict[str, TrackingStatus] = field(default_factory=dict)

    def tracking_url(self, number: str) -> str | None:
        if not self.tracking_url_template:
            return None
        return self.tracking_url_template.replace("{number}", quote(number, safe=""))

    def normalize(self, raw: str) -> TrackingStatus | None:
        """The Baton status for the carrier's wording, or None when it is not understood."""
        key = raw.strip().upper().replace("-", "_").replace(" ", "_")
        if key in TrackingStatus.__members__:
            return TrackingStatus(key)
        return self.statuses.get(key)


# Words carriers commonly use, understood by the generic adapter.
COMMON_WORDS = {
    "CREATED": T.LABEL_CREATED,
    "LABEL_PRINTED": T.LABEL_CREATED,
    "PRE_TRANSIT": T.LABEL_CREATED,
    "ACCEPTED": T.PICKED_UP,
    "COLLECTED": T.PICKED_UP,
    "PICKUP": T.PICKED_UP,
    "TRANSIT": T.IN_TRANSIT,
    "ARRIVED_AT_FACILITY": T.IN_TRANSIT,
    "DEPARTED_FACILITY": T.IN_TRANSIT,
    "OUT_FOR_DELIVERY": T.OUT_FOR_DELIVERY,
    "ATTEMPTED": T.DELIVERY_ATTEMPTED,
    "ATTEMPT_FAIL": T.DELIVERY_ATTEMPTED,
    "NOT_HOME": T.DELIVERY_ATTEMPTED,
    "DELIVERED": T.DELIVERED,
    "AVAILABLE_FOR_PICKUP": T.OUT_FOR_DELIVERY,
    "FAILURE": T.EXCEPTION,
    "DELAYED": T.EXCEPTION,
    "DAMAGED": T.EXCEPTION,
    "LOST": T.EXCEPTION,
    "RETURN_TO_SENDER": T.RETURNED_TO_SENDER,
    "RETURNED": T.RETURNED_TO_SENDER,
}

GENERIC = Carrier("generic", "Generic carrier", None, COMMON_WORDS)

CARRIERS: dict[str, Carrier] = {GENERIC.code: GENERIC}


def register(carrier: Carrier) -> None:
    CARRIERS[carrier.code] = carrier


def carrier_for(code: str) -> Carrier | None:
    return CARRIERS.get(code.strip().lower())
