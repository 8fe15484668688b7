"""A fulfillment order's state machine and hold reasons, as explicit tables."""

from __future__ import annotations

from enum import StrEnum


class FulfillmentOrderStatus(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"  # being picked, or partly shipped
    PACKED = "PACKED"
    ON_HOLD = "ON_HOLD"
    CLOSED = "CLOSED"  # everything shipped
    CANCELLED = "CANCELLED"


class HoldReason(StrEnum):
    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    HIGH_RISK_OF_FRAUD = "HIGH_RISK_OF_FRAUD"
    INCORRECT_ADDRESS = "INCORRECT_ADDRESS"
    INVENTORY_OUT_OF_STOCK = "INVENTORY_OUT_OF_STOCK"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    OTHER = "OTHER"


S = FulfillmentOrderStatus

# Where each status may go by a direct action. ON_HOLD is entered by placing a hold and left by
# releasing the last one (back to the status held before); CLOSED comes from shipping everything.
TRANSITIONS: dict[S, frozenset[S]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.PACKED, S.ON_HOLD, S.CLOSED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.PACKED, S.ON_HOLD, S.CLOSED, S.CANCELLED}),
    S.PACKED: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.CLOSED, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.OPEN, S.IN_PROGRESS, S.PACKED, S.CANCELLED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# A picker can work on these, and stock in them can ship.
ACTIVE = frozenset({S.OPEN, S.IN_PROGRESS, S.PACKED})
# Waiting in a location's queue for a picker.
QUEUED = frozenset({S.OPEN, S.IN_PROGRESS})
DONE = frozenset({S.CLOSED, S.CANCELLED})


def can_move(current: S, target: S) -> bool:
    return target in TRANSITIONS[current]
