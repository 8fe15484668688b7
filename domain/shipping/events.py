from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

from domain.events.base import Event


@dataclasses.dataclass(frozen=True)
class ShipmentEvent(Event):
    aggregate_type: ClassVar[str] = "Shipment"
    order_id: uuid.UUID

    def timeline_subject(self) -> uuid.UUID | None:
        return self.order_id


@dataclasses.dataclass(frozen=True)
class ShipmentCreated(ShipmentEvent):
    type: ClassVar[str] = "SHIPMENT_CREATED"
    fulfillment_order_id: uuid.UUID
    location_id: uuid.UUID
    carrier: str
    service: str | None
    tracking_number: str
    tracking_url: str | None
    lines: list[dict[str, object]]

    def message(self) -> str:
        units = sum(int(str(line["quantity"])) for line in self.lines)
        return f"Shipped {units} unit(s) with {self.carrier}, tracking {self.tracking_number}"


@dataclasses.dataclass(frozen=True)
class ShipmentTracked(ShipmentEvent):
    type: ClassVar[str] = "SHIPMENT_TRACKING_UPDATED"
    tracking_number: str
    status: str
    occurred_at: str
    location: str | None
    description: str | None

    def message(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"Tracking {self.tracking_number}: {self.status}{where}"
