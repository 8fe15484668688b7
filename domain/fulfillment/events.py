from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

from domain.events.base import Event


@dataclasses.dataclass(frozen=True)
class FulfillmentEvent(Event):
    """Happens to a fulfillment order and shows on its order's timeline."""

    aggregate_type: ClassVar[str] = "FulfillmentOrder"
    order_id: uuid.UUID

    def timeline_subject(self) -> uuid.UUID | None:
        return self.order_id


@dataclasses.dataclass(frozen=True)
class FulfillmentOrderCreated(FulfillmentEvent):
    type: ClassVar[str] = "FULFILLMENT_ORDER_CREATED"
    location_id: uuid.UUID
    status: str
    units: int

    def message(self) -> str:
        return f"Fulfillment order for {self.units} unit(s) created ({self.status})"


@dataclasses.dataclass(frozen=True)
class FulfillmentOrderStatusChanged(FulfillmentEvent):
    type: ClassVar[str] = "FULFILLMENT_ORDER_STATUS_CHANGED"
    old_status: str
    new_status: str

    def message(self) -> str:
        return f"Fulfillment order {self.old_status} -> {self.new_status}"


@dataclasses.dataclass(frozen=True)
class FulfillmentOrderHoldPlaced(FulfillmentEvent):
    type: ClassVar[str] = "FULFILLMENT_ORDER_HOLD_PLACED"
    reason: str
    note: str | None

    def message(self) -> str:
        return f"Fulfillment held: {self.reason}" + (f" ({self.note})" if self.note else "")


@dataclasses.dataclass(frozen=True)
class FulfillmentOrderHoldReleased(FulfillmentEvent):
    type: ClassVar[str] = "FULFILLMENT_ORDER_HOLD_RELEASED"
    reason: str
    holds_left: int

    def message(self) -> str:
        rest = f"; {self.holds_left} hold(s) still in force" if self.holds_left else ""
        return f"Hold {self.reason} released{rest}"


@dataclasses.dataclass(frozen=True)
class FulfillmentOrderMoved(FulfillmentEvent):
    type: ClassVar[str] = "FULFILLMENT_ORDER_MOVED"
    from_location_id: uuid.UUID
    to_location_id: uuid.UUID
    units: int
    moved_to_id: uuid.UUID

    def message(self) -> str:
        return f"{self.units} unit(s) moved to another location"
