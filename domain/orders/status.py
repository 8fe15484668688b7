"""The order's state machines as explicit tables of allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"


class SalesChannel(StrEnum):
    WEB = "WEB"
    MOBILE_APP = "MOBILE_APP"
    PHONE = "PHONE"
    SOCIAL = "SOCIAL"
    POS = "POS"
    MARKETPLACE = "MARKETPLACE"


class ShippingMethod(StrEnum):
    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"
    OVERNIGHT = "OVERNIGHT"
    PICKUP = "PICKUP"


class AllocationStatus(StrEnum):
    RESERVED = "RESERVED"
    RELEASED = "RELEASED"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.CANCELLED}),
    OrderStatus.CANCELLED: frozenset(),
}

# Orders keep their stock reserved in these states.
OPEN = frozenset({OrderStatus.PENDING, OrderStatus.CONFIRMED})


def can_move(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[current]
