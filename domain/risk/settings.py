"""A shop's risk settings: the score at which each level starts, the points each rule adds when it fires,
and how many orders in an hour make velocity suspicious. Stored as JSON on the tenant (tenants.risk_settings,
NULL for the defaults); pure values in, values out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from domain.errors import Code, Problems


class RiskRule(StrEnum):
    """The built-in rules, each worth its weight in points when it fires."""

    VALUE_ABOVE_HISTORY = "VALUE_ABOVE_HISTORY"  # far above the customer's (or the shop's) usual order
    EMAIL_VELOCITY = "EMAIL_VELOCITY"  # many orders from this email in the last hour
    PHONE_VELOCITY = "PHONE_VELOCITY"  # ... from this phone number
    ADDRESS_VELOCITY = "ADDRESS_VELOCITY"  # ... to this shipping address
    IP_VELOCITY = "IP_VELOCITY"  # ... from this client IP address
    COUNTRY_MISMATCH = "COUNTRY_MISMATCH"  # billing and shipping countries differ
    DISPOSABLE_EMAIL = "DISPOSABLE_EMAIL"  # a throwaway mailbox
    FIRST_ORDER_EXPRESS_NEW_ADDRESS = "FIRST_ORDER_EXPRESS_NEW_ADDRESS"
    QUANTITY_OUTLIER = "QUANTITY_OUTLIER"  # far more units of a SKU than its orders usually hold
    UNPAID_CANCELLED = "UNPAID_CANCELLED"  # earlier orders cancelled without ever being paid
    RETURNING_CUSTOMER = "RETURNING_CUSTOMER"  # paid orders before: negative points, a good sign


DEFAULT_WEIGHTS: dict[RiskRule, int] = {
    RiskRule.VALUE_ABOVE_HISTORY: 25,
    RiskRule.EMAIL_VELOCITY: 20,
    RiskRule.PHONE_VELOCITY: 20,
    RiskRule.ADDRESS_VELOCITY: 20,
    RiskRule.IP_VELOCITY: 25,
    RiskRule.COUNTRY_MISMATCH: 25,
    RiskRule.DISPOSABLE_EMAIL: 30,
    RiskRule.FIRST_ORDER_EXPRESS_NEW_ADDRESS: 15,
    RiskRule.QUANTITY_OUTLIER: 20,
    RiskRule.UNPAID_CANCELLED: 25,
    RiskRule.RETURNING_CUSTOMER: -20,
}
MAX_WEIGHT = 100


@dataclass(frozen=True)
class RiskSettings:
    low_at: int = 10  # a score at or above this is LOW ...
    medium_at: int = 25  # ... MEDIUM ...
    high_at: int = 50  # ... HIGH: the order's fulfillment is held when it is confirmed
    velocity_limit: int = 5  # this many earlier orders in the last hour by one email/phone/address/IP
    weights: dict[RiskRule, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    def weight(self, rule: RiskRule) -> int:
        return self.weights.get(rule, DEFAULT_WEIGHTS[rule])

    def to_json(self) -> dict[str, Any]:
        return {
            "lowAt": self.low_at,
            "mediumAt": self.medium_at,
            "highAt": self.high_at,
            "velocityLimit": self.velocity_limit,
            "weights": {r.value: self.weight(r) for r in RiskRule},
        }


DEFAULT_SETTINGS = RiskSettings()


def settings_of(stored: dict[str, Any] | None) -> RiskSettings:
    """The settings kept on the tenant; what is missing (or a rule added since) takes its default."""
    if not stored:
        return DEFAULT_SETTINGS
    weights = dict(DEFAULT_WEIGHTS)
    for name, points in (stored.get("weights") or {}).items():
        if name in RiskRule.__members__:
            weights[RiskRule(name)] = int(points)
    d = DEFAULT_SETTINGS
    return RiskSettings(
        int(stored.get("lowAt", d.low_at)),
        int(stored.get("mediumAt", d.medium_at)),
        int(stored.get("highAt", d.high_at)),
        int(stored.get("velocityLimit", d.velocity_limit)),
        weights,
    )


@dataclass(frozen=True)
class SettingsChange:
    """What riskSettingsUpdate asks; None keeps a value, `weights` change only the rules named."""

    low_at: int | None = None
    medium_at: int | None = None
    high_at: int | None = None
    velocity_limit: int | None = None
    weights: dict[RiskRule, int] = field(default_factory=dict)
    reset: bool = False  # back to the defaults first


def changed(current: RiskSettings, change: SettingsChange) -> RiskSettings:
    """The settings after the change; raises one userError per problem, changing nothing."""
    base = DEFAULT_SETTINGS if change.reset else current
    new = replace(
        base,
        low_at=base.low_at if change.low_at is None else change.low_at,
        medium_at=base.medium_at if change.medium_at is None else change.medium_at,
        high_at=base.high_at if change.high_at is None else change.high_at,
        velocity_limit=base.velocity_limit if change.velocity_limit is None else change.velocity_limit,
        weights={**base.weights, **change.weights},
    )
    problems = Problems()
    for name, value in (("lowAt", new.low_at), ("mediumAt", new.medium_at), ("highAt", new.high_at)):
        if not 1 <= value <= 100:
            problems.add(Code.INVALID, f"{name} must be between 1 and 100, not {value}", name)
    if not new.low_at < new.medium_at < new.high_at:
        problems.add(Code.INVALID, "The thresholds must rise: lowAt < mediumAt < highAt", "highAt")
    if not 1 <= new.velocity_limit <= 100:
        problems.add(Code.INVALID, "velocityLimit must be between 1 and 100", "velocityLimit")
    for rule, points in change.weights.items():
        if not -MAX_WEIGHT <= points <= MAX_WEIGHT:
            problems.add(
                Code.INVALID, f"The weight of {rule} must be between -100 and 100, not {points}", "weights"
            )
    problems.raise_if_any()
    return new
