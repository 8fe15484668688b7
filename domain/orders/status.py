"""The order's state machines as explicit tables of allowed transitions."""

from __future__ import annotations

from enum import StrEnum

# The order's shipping method is one the shop prices; the shop's settings (below orders) define them.
from domain.tenancy.shop import ShippingMethod as ShippingMethod


class OrderStatus(StrEnum):
    PENDING_APPROVAL = "PENDING_APPROVAL"  # an approval rule matched: stock reserved, waiting for staff
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"


class SalesChannel(StrEnum):
    WEB = "WEB"
    MOBILE_APP = "MOBILE_APP"
    PHONE = "PHONE"
    SOCIAL = "SOCIAL"
    POS = "POS"
    MARKETPLACE = "MARKETPLACE"


class AllocationStatus(StrEnum):
    RESERVED = "RESERVED"  # units set aside from stock on hand (counted in the level's committed)
    BACKORDERED = "BACKORDERED"  # units sold without stock, waiting for a receipt at their location
    RELEASED = "RELEASED"


class FulfillmentStatus(StrEnum):
    UNFULFILLED = "UNFULFILLED"
    PARTIALLY_FULFILLED = "PARTIALLY_FULFILLED"
    FULFILLED = "FULFILLED"


class CustomerTier(StrEnum):
    STANDARD = "STANDARD"
    SILVER = "SILVER"
    GOLD = "GOLD"
    VIP = "VIP"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    # Approved: on as a normal PENDING order; rejected: cancelled (domain/workflows/approving.py).
    OrderStatus.PENDING_APPROVAL: frozenset({OrderStatus.PENDING, OrderStatus.CANCELLED}),
    OrderStatus.PENDING: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset(
        {OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CANCELLED}
    ),
    OrderStatus.PARTIALLY_SHIPPED: frozenset({OrderStatus.SHIPPED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# Orders keep their stock reserved in these states.
OPEN = frozenset(
    {OrderStatus.PENDING_APPROVAL, OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED}
)
# Orders whose details (note, tags, addresses) may still change: nothing has left the building.
EDITABLE = frozenset({OrderStatus.PENDING_APPROVAL, OrderStatus.PENDING, OrderStatus.CONFIRMED})


def payment_status(total: int, paid: int, refunded: int) -> PaymentStatus:
    if refunded > 0:
        return PaymentStatus.REFUNDED if refunded >= paid else PaymentStatus.PARTIALLY_REFUNDED
    if paid == 0:
        return PaymentStatus.PENDING
    return PaymentStatus.PAID if paid >= total else PaymentStatus.PARTIALLY_PAID


def can_move(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[current]


class RiskLevel(StrEnum):
    """The order's fraud risk (domain/risk/ assesses it; approval rules and the order keep it)."""

    NONE = "NONE"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
