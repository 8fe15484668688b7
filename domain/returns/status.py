"""A return's state machine, as an explicit table of allowed transitions, and the words around it."""

from __future__ import annotations

from enum import StrEnum


class ReturnStatus(StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"
    IN_TRANSIT = "IN_TRANSIT"  # the customer sent it back: a return tracking number is known
    RECEIVED = "RECEIVED"  # units arrived at a location (possibly not all of them yet)
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class ReturnReason(StrEnum):
    DAMAGED = "DAMAGED"
    DEFECTIVE = "DEFECTIVE"
    WRONG_ITEM = "WRONG_ITEM"
    NOT_AS_DESCRIBED = "NOT_AS_DESCRIBED"
    SIZE_TOO_SMALL = "SIZE_TOO_SMALL"
    SIZE_TOO_LARGE = "SIZE_TOO_LARGE"
    NO_LONGER_NEEDED = "NO_LONGER_NEEDED"
    OTHER = "OTHER"


class ItemCondition(StrEnum):
    RESELLABLE = "RESELLABLE"  # back to onHand, sellable again
    DAMAGED = "DAMAGED"  # kept apart as non-sellable stock
    DEFECTIVE = "DEFECTIVE"  # likewise


class OrderReturnStatus(StrEnum):
    NO_RETURN = "NO_RETURN"
    RETURN_REQUESTED = "RETURN_REQUESTED"
    IN_PROGRESS = "IN_PROGRESS"
    PARTIALLY_RETURNED = "PARTIALLY_RETURNED"
    RETURNED = "RETURNED"


TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    ReturnStatus.REQUESTED: frozenset({ReturnStatus.APPROVED, ReturnStatus.DECLINED, ReturnStatus.CANCELLED}),
    # Closing an approved return before anything arrived ends one whose goods never come back.
    ReturnStatus.APPROVED: frozenset(
        {ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED, ReturnStatus.CLOSED, ReturnStatus.CANCELLED}
    ),
    ReturnStatus.IN_TRANSIT: frozenset({ReturnStatus.RECEIVED, ReturnStatus.CLOSED, ReturnStatus.CANCELLED}),
    ReturnStatus.RECEIVED: frozenset({ReturnStatus.CLOSED}),
    ReturnStatus.DECLINED: frozenset(),
    ReturnStatus.CLOSED: frozenset(),
    ReturnStatus.CANCELLED: frozenset(),
}

# Returns whose units still count against what an order line can return.
ACTIVE = frozenset(
    {
        ReturnStatus.REQUESTED,
        ReturnStatus.APPROVED,
        ReturnStatus.IN_TRANSIT,
        ReturnStatus.RECEIVED,
        ReturnStatus.CLOSED,
    }
)
# Returns that may still take in units.
RECEIVABLE = frozenset({ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED})


def can_move(current: ReturnStatus, target: ReturnStatus) -> bool:
    return target in TRANSITIONS[current]
