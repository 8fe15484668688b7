"""A purchase order's life, as an explicit table of allowed moves, and the reordering modes."""

from __future__ import annotations

from enum import StrEnum


class PurchaseOrderStatus(StrEnum):
    DRAFT = "DRAFT"  # being put together; nothing is expected yet
    SUBMITTED = "SUBMITTED"  # sent to the supplier: its units are incoming at their locations
    PARTIALLY_RECEIVED = "PARTIALLY_RECEIVED"  # some units arrived, the rest still incoming
    RECEIVED = "RECEIVED"  # every unit arrived
    CANCELLED = "CANCELLED"  # what had not arrived is no longer expected


S = PurchaseOrderStatus
TRANSITIONS: dict[PurchaseOrderStatus, frozenset[PurchaseOrderStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.PARTIALLY_RECEIVED, S.RECEIVED, S.CANCELLED}),
    S.PARTIALLY_RECEIVED: frozenset({S.PARTIALLY_RECEIVED, S.RECEIVED, S.CANCELLED}),
    S.RECEIVED: frozenset(),
    S.CANCELLED: frozenset(),
}
RECEIVABLE = frozenset({S.SUBMITTED, S.PARTIALLY_RECEIVED})
OPEN = frozenset({S.DRAFT, S.SUBMITTED, S.PARTIALLY_RECEIVED})


def can_move(current: PurchaseOrderStatus, to: PurchaseOrderStatus) -> bool:
    return to in TRANSITIONS[current]


def after_receipt(ordered: int, received: int) -> PurchaseOrderStatus:
    """The status a receipt leaves: RECEIVED once every ordered unit is in."""
    return S.RECEIVED if received >= ordered else S.PARTIALLY_RECEIVED


class AutoMode(StrEnum):
    OFF = "OFF"  # suggestions only
    DRAFT = "DRAFT"  # the worker drafts purchase orders for a buyer to submit
    SUBMIT = "SUBMIT"  # the worker drafts and submits them
