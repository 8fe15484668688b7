"""The built-in risk rules: what is known about an order when it is placed and about what came before it
(History, gathered by the placement read) in, a score from 0 to 100, a level and the facts that explain
it out. Pure: values in, values out.

The score is the sum of the points of the rules that fired (the shop's weights, settings.py), clamped to
0..100; the level is the highest threshold it reaches. Every rule that fires is a fact; a good sign is
POSITIVE, a bad one NEGATIVE, and what is merely worth knowing NEUTRAL (no points)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.orders.status import RiskLevel
from domain.risk.disposable import is_disposable
from domain.risk.settings import RiskRule, RiskSettings

RANK = {RiskLevel.NONE: 0, RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}


class Sentiment(StrEnum):
    POSITIVE = "POSITIVE"
    NEUTRAL = "NEUTRAL"
    NEGATIVE = "NEGATIVE"


@dataclass(frozen=True)
class Fact:
    description: str
    sentiment: Sentiment
    rule: RiskRule | None = None
    points: int = 0


@dataclass(frozen=True)
class SkuHistory:
    lines: int  # earlier order lines of this SKU (the most recent ones, up to a cap)
    average_quantity: float


@dataclass(frozen=True)
class History:
    """What came before the order, as the placement read finds it (history.py)."""

    orders: int = 0  # earlier orders with this email
    paid_orders: int = 0  # ... of them fully paid
    unpaid_cancelled: int = 0  # ... of them cancelled without a payment
    average_total: int = 0  # their mean total, minor units (same currency as the shop's)
    address_used_before: bool = False  # an earlier order with this email went to this address
    last_hour_email: int = 0  # orders in the last hour with this email
    last_hour_phone: int = 0  # ... by customers with this phone number
    last_hour_address: int = 0  # ... to this shipping address
    last_hour_ip: int = 0  # ... placed from this client IP
    shop_orders: int = 0  # the shop's recent orders (up to a cap) ...
    shop_average_total: int = 0  # ... and their mean total
    skus: dict[str, SkuHistory] = field(default_factory=dict)


@dataclass(frozen=True)
class Placement:
    """The order being placed."""

    email: str
    total: int  # minor units
    shipping_country: str
    billing_country: str | None
    express: bool  # EXPRESS or OVERNIGHT
    lines: tuple[tuple[str, int], ...]  # (sku, quantity)


@dataclass(frozen=True)
class Assessment:
    score: int
    level: RiskLevel
    facts: tuple[Fact, ...]


VALUE_FACTOR = 3  # a total this many times the usual one is far above it
QUANTITY_FACTOR = 4  # units of a SKU this many times its usual quantity ...
QUANTITY_FLOOR = 10  # ... and at least this many
SKU_HISTORY_MIN = 3  # fewer earlier lines than this: the SKU's usual quantity is taken as 1
SHOP_HISTORY_MIN = 10  # fewer earlier shop orders than this: no shop average to compare with
RETURNING_MIN = 2  # paid orders that make a returning customer


VELOCITY = frozenset(
    {RiskRule.EMAIL_VELOCITY, RiskRule.PHONE_VELOCITY, RiskRule.ADDRESS_VELOCITY, RiskRule.IP_VELOCITY}
)


def level_of(score: int, settings: RiskSettings) -> RiskLevel:
    if score >= settings.high_at:
        return RiskLevel.HIGH
    if score >= settings.medium_at:
        return RiskLevel.MEDIUM
    if score >= settings.low_at:
        return RiskLevel.LOW
    return RiskLevel.NONE


def highest(levels: list[RiskLevel]) -> RiskLevel:
    """The order's level when several assessments exist: the highest of them."""
    return max(levels, key=RANK.__getitem__, default=RiskLevel.NONE)


def assess(order: Placement, history: History, settings: RiskSettings) -> Assessment:
    found: list[tuple[RiskRule | None, str]] = []  # rules that fired; None: a neutral fact
    found += _value(order, history)
    found += _velocity(history, settings.velocity_limit)
    if order.billing_country and order.billing_country != order.shipping_country:
        found.append(
            (
                RiskRule.COUNTRY_MISMATCH,
                f"Billing country {order.billing_country} differs from shipping country "
                f"{order.shipping_country}",
            )
        )
    if is_disposable(order.email):
        found.append((RiskRule.DISPOSABLE_EMAIL, "The email address is at a disposable mailbox provider"))
    if history.orders == 0 and order.express and not history.address_used_before:
        found.append(
            (
                RiskRule.FIRST_ORDER_EXPRESS_NEW_ADDRESS,
                "First order, sent express to an address not used before",
            )
        )
    found += _quantities(order, history)
    if history.unpaid_cancelled >= 2:
        found.append(
            (
                RiskRule.UNPAID_CANCELLED,
                f"{history.unpaid_cancelled} earlier orders with this email were cancelled unpaid",
            )
        )
    if history.paid_orders >= RETURNING_MIN and history.address_used_before:
        text = f"Returning customer with {history.paid_orders} paid orders, to an address used before"
        found.append((RiskRule.RETURNING_CUSTOMER, text))
    facts = []
    velocity = 0  # one sender's orders share email, phone, address and IP: velocity counts once, its most
    for rule, text in found:
        weight = 0 if rule is None else settings.weight(rule)
        sentiment = (
            Sentiment.NEGATIVE if weight > 0 else Sentiment.POSITIVE if weight < 0 else Sentiment.NEUTRAL
        )
        if rule in VELOCITY:
            if _burst(rule, history, settings.velocity_limit):
                weight *= 2  # twice the limit: twice the points
            weight, velocity = max(0, weight - velocity), max(velocity, weight)
        facts.append(Fact(text, sentiment, rule, weight))
    score = max(0, min(100, sum(f.points for f in facts)))
    if not facts:
        facts.append(Fact("Nothing unusual about this order", Sentiment.POSITIVE))
    return Assessment(score, level_of(score, settings), tuple(facts))


def _value(order: Placement, history: History) -> list[tuple[RiskRule | None, str]]:
    if history.orders > 0 and history.average_total > 0:
        usual, whose = history.average_total, f"this customer's average over {history.orders} orders"
    elif history.shop_orders >= SHOP_HISTORY_MIN and history.shop_average_total > 0:
        usual, whose = history.shop_average_total, "the shop's average order"
    else:
        usual, whose = 0, ""
    found: list[tuple[RiskRule | None, str]] = []
    if history.orders == 0:
        found.append((None, "First order from this customer"))
    if usual and order.total >= VALUE_FACTOR * usual:
        found.append((RiskRule.VALUE_ABOVE_HISTORY, f"Total is {order.total / usual:.1f}x {whose}"))
    return found


def _counts(history: History) -> dict[RiskRule, tuple[int, str]]:
    return {
        RiskRule.EMAIL_VELOCITY: (history.last_hour_email, "with this email"),
        RiskRule.PHONE_VELOCITY: (history.last_hour_phone, "from this phone number"),
        RiskRule.ADDRESS_VELOCITY: (history.last_hour_address, "to this shipping address"),
        RiskRule.IP_VELOCITY: (history.last_hour_ip, "from this IP address"),
    }


def _burst(rule: RiskRule, history: History, limit: int) -> bool:
    return _counts(history)[rule][0] >= 2 * limit


def _velocity(history: History, limit: int) -> list[tuple[RiskRule | None, str]]:
    return [
        (rule, f"{count} other orders {what} in the last hour")
        for rule, (count, what) in _counts(history).items()
        if count >= limit
    ]


def _quantities(order: Placement, history: History) -> list[tuple[RiskRule | None, str]]:
    """One fact for all the lines far above their SKU's usual quantity."""
    outliers = []
    for sku, quantity in order.lines:
        seen = history.skus.get(sku)
        usual = seen.average_quantity if seen is not None and seen.lines >= SKU_HISTORY_MIN else 1.0
        if quantity >= max(QUANTITY_FLOOR, QUANTITY_FACTOR * usual):
            outliers.append(f"{quantity} x {sku} (usually {usual:.1f})")
    if not outliers:
        return []
    return [(RiskRule.QUANTITY_OUTLIER, "Unusual quantities: " + ", ".join(outliers))]
