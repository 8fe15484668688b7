from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from typing import ClassVar

from domain.events.base import Event
from domain.ids import to_global
from domain.inventory.allocation import Allocation


@dataclasses.dataclass(frozen=True)
class OrderCreated(Event):
    type: ClassVar[str] = "ORDER_CREATED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    channel: str
    total: dict[str, str]

    def message(self) -> str:
        return f"Order {self.number} was placed via {self.channel}"


@dataclasses.dataclass(frozen=True)
class OrderStatusChanged(Event):
    type: ClassVar[str] = "ORDER_STATUS_CHANGED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    old_status: str
    new_status: str
    reason: str | None = None

    def message(self) -> str:
        text = f"Status changed from {self.old_status} to {self.new_status}"
        return f"{text}: {self.reason}" if self.reason else text


@dataclasses.dataclass(frozen=True)
class OrderUpdated(Event):
    type: ClassVar[str] = "ORDER_UPDATED"
    aggregate_type: ClassVar[str] = "Order"
    renamed_fields: ClassVar[dict[str, str] | None] = {}
    number: str
    fields: list[str]  # the attributes that changed

    def message(self) -> str:
        return f"Changed {', '.join(self.api_fields())}"


@dataclasses.dataclass(frozen=True)
class OrderPaid(Event):
    type: ClassVar[str] = "ORDER_PAYMENT_RECORDED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    amount: dict[str, str]
    reference: str
    payment_status: str

    def message(self) -> str:
        return f"Payment {self.reference} recorded; payment status {self.payment_status}"


@dataclasses.dataclass(frozen=True)
class StockReserved(Event):
    type: ClassVar[str] = "ORDER_STOCK_RESERVED"
    aggregate_type: ClassVar[str] = "Order"
    allocations: list[dict[str, object]]

    @classmethod
    def of(
        cls, order_id: uuid.UUID, taken: Iterable[Allocation], skus: Sequence[str | None]
    ) -> StockReserved:
        """What a reservation took: each allocation's SKU (its line's, by index), location and units."""
        return cls(
            order_id,
            allocations=[
                {
                    "sku": skus[a.index],
                    "locationId": to_global("Location", a.location_id),
                    "quantity": a.quantity,
                    "backordered": a.backordered,
                }
                for a in taken
            ],
        )

    def message(self) -> str:
        units = sum(int(str(a["quantity"])) for a in self.allocations)
        places = len({a["locationId"] for a in self.allocations})
        return f"{units} unit(s) reserved at {places} location(s)"


@dataclasses.dataclass(frozen=True)
class StockReleased(Event):
    type: ClassVar[str] = "ORDER_STOCK_RELEASED"
    aggregate_type: ClassVar[str] = "Order"
    units: int

    def message(self) -> str:
        return f"{self.units} reserved unit(s) released"


@dataclasses.dataclass(frozen=True)
class OrderPriorityChanged(Event):
    type: ClassVar[str] = "ORDER_PRIORITY_CHANGED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    old_priority: int
    new_priority: int
    overridden: bool
    reason: str | None = None

    def message(self) -> str:
        how = "set by hand" if self.overridden else "back to the computed value"
        text = f"Priority {self.old_priority} -> {self.new_priority} ({how})"
        return f"{text}: {self.reason}" if self.reason else text


@dataclasses.dataclass(frozen=True)
class OrderExceptionChanged(Event):
    type: ClassVar[str] = "ORDER_SHIPMENT_EXCEPTION_CHANGED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    exception: str | None

    def message(self) -> str:
        return f"Shipment exception: {self.exception}" if self.exception else "Shipment exception cleared"


@dataclasses.dataclass(frozen=True)
class OrderRemainderCancelled(Event):
    type: ClassVar[str] = "ORDER_REMAINDER_CANCELLED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    lines: list[dict[str, object]]
    reason: str | None = None

    def message(self) -> str:
        units = sum(int(str(line["quantity"])) for line in self.lines)
        text = f"{units} unshipped unit(s) cancelled"
        return f"{text}: {self.reason}" if self.reason else text


@dataclasses.dataclass(frozen=True)
class OrderReturnStatusChanged(Event):
    type: ClassVar[str] = "ORDER_RETURN_STATUS_CHANGED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    old_status: str
    new_status: str

    def message(self) -> str:
        return f"Return status {self.old_status} -> {self.new_status}"


@dataclasses.dataclass(frozen=True)
class BackorderAllocated(Event):
    type: ClassVar[str] = "ORDER_BACKORDER_ALLOCATED"
    aggregate_type: ClassVar[str] = "Order"
    sku: str
    location_id: uuid.UUID
    quantity: int
    still_backordered: int

    def message(self) -> str:
        rest = f"; {self.still_backordered} still backordered" if self.still_backordered else ""
        return f"{self.quantity} backordered unit(s) of {self.sku} reserved from new stock{rest}"


@dataclasses.dataclass(frozen=True)
class OrderApprovalRequested(Event):
    """An approval rule matched at placement: the order waits in PENDING_APPROVAL."""

    type: ClassVar[str] = "ORDER_APPROVAL_REQUESTED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    rule_name: str
    approver_roles: list[str]
    due_at: str | None = None

    def message(self) -> str:
        due = f"; rejected automatically after {self.due_at}" if self.due_at else ""
        return f"Waiting for approval ({self.rule_name}) by {' or '.join(self.approver_roles)}{due}"


@dataclasses.dataclass(frozen=True)
class OrderApproved(Event):
    type: ClassVar[str] = "ORDER_APPROVED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    rule_name: str
    note: str | None = None

    def message(self) -> str:
        return f"Approved ({self.rule_name}): {self.note}" if self.note else f"Approved ({self.rule_name})"


@dataclasses.dataclass(frozen=True)
class OrderRejected(Event):
    type: ClassVar[str] = "ORDER_REJECTED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    rule_name: str
    reason: str
    automatic: bool = False  # the rule's deadline passed without a decision

    def message(self) -> str:
        how = "Rejected automatically" if self.automatic else "Rejected"
        return f"{how} ({self.rule_name}): {self.reason}"


@dataclasses.dataclass(frozen=True)
class OrderEdited(Event):
    type: ClassVar[str] = "ORDER_EDITED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    edit_id: uuid.UUID
    changes: list[dict[str, object]]
    old_total: dict[str, str]
    total: dict[str, str]
    notify_customer: bool

    def message(self) -> str:
        return (
            f"Edited: {len(self.changes)} change(s); total {self.old_total['amount']} -> "
            f"{self.total['amount']} {self.total['currencyCode']}"
        )


@dataclasses.dataclass(frozen=True)
class OrderRiskAssessed(Event):
    """A fraud-risk assessment was recorded: the built-in one at placement, or a fraud service's."""

    type: ClassVar[str] = "ORDER_RISK_ASSESSED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    source: str
    level: str
    score: int | None
    order_level: str  # the order's level now: the highest of its assessments

    def message(self) -> str:
        scored = "" if self.score is None else f" (score {self.score})"
        return f"Risk assessed by {self.source}: {self.level}{scored}; the order's risk is {self.order_level}"
