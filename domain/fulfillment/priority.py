"""How urgent an order is for the pickers: a score from 0 to 100 computed from rules. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.orders.status import CustomerTier, ShippingMethod

METHOD_POINTS = {
    ShippingMethod.OVERNIGHT: 40,
    ShippingMethod.EXPRESS: 25,
    ShippingMethod.PICKUP: 15,  # the customer may already be on the way to the store
    ShippingMethod.STANDARD: 5,
}
TIER_POINTS = {CustomerTier.VIP: 30, CustomerTier.GOLD: 20, CustomerTier.SILVER: 10, CustomerTier.STANDARD: 0}

# When an order must leave by, unless the channel promised a date: the method's service level.
SHIP_WITHIN = {
    ShippingMethod.OVERNIGHT: timedelta(hours=4),
    ShippingMethod.EXPRESS: timedelta(days=1),
    ShippingMethod.PICKUP: timedelta(hours=8),
    ShippingMethod.STANDARD: timedelta(days=2),
}


def default_ship_by(method: ShippingMethod, placed_at: datetime) -> datetime:
    return placed_at + SHIP_WITHIN[method]


def compute_priority(
    method: ShippingMethod, tier: CustomerTier, ship_by: datetime, placed_at: datetime
) -> int:
    """Method and customer tier, plus up to 30 points for a promise that is close to placement.
    The order's age is not part of the score: the queue breaks ties by ship-by date, then age."""
    slack = ship_by - placed_at
    if slack <= timedelta(hours=12):
        urgency = 30
    elif slack <= timedelta(days=1):
        urgency = 20
    elif slack <= timedelta(days=2):
        urgency = 10
    else:
        urgency = 0
    return min(100, METHOD_POINTS[method] + TIER_POINTS[tier] + urgency)
