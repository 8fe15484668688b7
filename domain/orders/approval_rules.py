"""Approval rules as values: what a shop's rule asks of an order, and which rule (the first, in the
shop's order) an order meets. Pure: placement gathers the order's facts and asks `first_match`.

A condition left empty (None, or no values) asks nothing; a rule with no condition at all matches every
order (a shop that approves everything by hand). Adding a condition is one field here, one in
OrderFacts, and one line in `matches`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from domain.errors import Code, Problems
from domain.money import AmountError, to_minor
from domain.orders.status import CustomerTier, RiskLevel, SalesChannel
from domain.tenancy.models import Role

APPROVER_ROLES = frozenset({Role.ADMIN, Role.STAFF})
MAX_RULES = 50
MAX_VALUES = 100  # per condition: countries, SKUs, channels, tiers
MAX_AUTO_REJECT_HOURS = 24 * 90
RISK_ORDER = tuple(RiskLevel)  # NONE < LOW < MEDIUM < HIGH


@dataclass(frozen=True)
class OrderFacts:
    """What the rules look at, as placement knows it before the order is written."""

    total: int  # minor units of `currency`
    currency: str
    channel: str
    new_customer: bool  # no earlier order under this email
    customer_tier: str
    shipping_country: str
    skus: frozenset[str]
    risk_level: str = RiskLevel.NONE  # the built-in assessment's, made just before (domain/risk/)


@dataclass(frozen=True)
class ApprovalRule:
    id: uuid.UUID
    name: str
    position: int
    # conditions: every one given must hold
    min_total: int | None = None  # minor units of `currency`: total >= min_total
    currency: str | None = None
    channels: tuple[str, ...] = ()
    new_customer: bool | None = None  # True: only new customers; False: only returning ones
    customer_tiers: tuple[str, ...] = ()
    shipping_countries: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()  # any of these SKUs on the order
    risk_level_at_least: str | None = None  # the order's fraud risk is this level or higher
    # the decision
    approver_roles: tuple[str, ...] = (Role.ADMIN, Role.STAFF)
    four_eyes: bool = True  # the key that placed the order may not decide it
    auto_reject_after_hours: int | None = None

    @classmethod
    def of(cls, r: Any) -> ApprovalRule:
        """From a row (an object or a dict of the approval_rules columns)."""

        def get(name: str) -> Any:
            return r[name] if isinstance(r, dict) else getattr(r, name)

        return cls(
            id=uuid.UUID(str(get("id"))),
            name=get("name"),
            position=get("position"),
            min_total=get("min_total"),
            currency=get("currency"),
            channels=tuple(get("channels") or ()),
            new_customer=get("new_customer"),
            customer_tiers=tuple(get("customer_tiers") or ()),
            shipping_countries=tuple(get("shipping_countries") or ()),
            skus=tuple(get("skus") or ()),
            risk_level_at_least=get("risk_level_at_least"),
            approver_roles=tuple(get("approver_roles") or ()),
            four_eyes=get("four_eyes"),
            auto_reject_after_hours=get("auto_reject_after_hours"),
        )


def matches(rule: ApprovalRule, facts: OrderFacts) -> bool:
    if rule.min_total is not None and (facts.currency != rule.currency or facts.total < rule.min_total):
        return False
    if rule.channels and facts.channel not in rule.channels:
        return False
    if rule.new_customer is not None and facts.new_customer != rule.new_customer:
        return False
    if rule.customer_tiers and facts.customer_tier not in rule.customer_tiers:
        return False
    if rule.shipping_countries and facts.shipping_country not in rule.shipping_countries:
        return False
    floor = rule.risk_level_at_least
    if floor and RISK_ORDER.index(RiskLevel(facts.risk_level)) < RISK_ORDER.index(RiskLevel(floor)):
        return False
    return not rule.skus or not facts.skus.isdisjoint(rule.skus)


def first_match(rules: list[ApprovalRule], facts: OrderFacts) -> ApprovalRule | None:
    for rule in sorted(rules, key=lambda r: r.position):
        if matches(rule, facts):
            return rule
    return None


@dataclass(frozen=True)
class RuleInput:
    """One rule as a request states it; `id` keeps an existing rule (its orders keep pointing at it)."""

    name: str
    id: uuid.UUID | None = None
    min_total: str | None = None  # a decimal amount in the shop's currency
    channels: list[str] = field(default_factory=list)
    new_customer: bool | None = None
    customer_tiers: list[str] = field(default_factory=list)
    shipping_countries: list[str] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)
    risk_level_at_least: str | None = None
    approver_roles: list[str] = field(default_factory=lambda: [Role.ADMIN, Role.STAFF])
    four_eyes: bool = True
    auto_reject_after_hours: int | None = None


def check_rules(problems: Problems, rules: list[RuleInput], currency: str) -> list[ApprovalRule]:
    """The rules in the order given (their positions), or the problems found, each with its index."""
    if len(rules) > MAX_RULES:
        problems.add(Code.INVALID, f"A shop has at most {MAX_RULES} approval rules", "rules")
        return []
    checked, names = [], set()
    for i, r in enumerate(rules):
        here = ("rules", i)
        name = r.name.strip()
        if not name or len(name) > 200:
            problems.add(Code.INVALID, "A rule needs a name of 1 to 200 characters", *here, "name")
        elif name.lower() in names:
            problems.add(Code.DUPLICATE, f"Two rules are named {name!r}", *here, "name")
        names.add(name.lower())
        min_total = None
        if r.min_total is not None:
            try:
                min_total = to_minor(r.min_total, currency)
            except AmountError as exc:
                problems.add(Code.INVALID_AMOUNT, f"minTotal: {exc}", *here, "minTotal")
            else:
                if min_total < 0:
                    problems.add(Code.INVALID_AMOUNT, "minTotal cannot be negative", *here, "minTotal")
        for label, values in (
            ("channels", r.channels),
            ("customerTiers", r.customer_tiers),
            ("shippingCountries", r.shipping_countries),
            ("skus", r.skus),
        ):
            if len(values) > MAX_VALUES:
                problems.add(Code.INVALID, f"{label} takes at most {MAX_VALUES} values", *here, label)
        roles = sorted(set(r.approver_roles))
        if not roles or not set(roles) <= APPROVER_ROLES:
            problems.add(Code.INVALID, "approverRoles: ADMIN and/or STAFF", *here, "approverRoles")
        hours = r.auto_reject_after_hours
        if hours is not None and not 1 <= hours <= MAX_AUTO_REJECT_HOURS:
            message = f"autoRejectAfterHours must be between 1 and {MAX_AUTO_REJECT_HOURS}"
            problems.add(Code.INVALID, message, *here, "autoRejectAfterHours")
        checked.append(
            ApprovalRule(
                id=r.id or uuid.uuid4(),
                name=name,
                position=i,
                min_total=min_total,
                currency=currency if min_total is not None else None,
                channels=tuple(sorted({SalesChannel(c) for c in r.channels})),
                new_customer=r.new_customer,
                customer_tiers=tuple(sorted({CustomerTier(t) for t in r.customer_tiers})),
                shipping_countries=tuple(sorted({c.strip().upper() for c in r.shipping_countries})),
                skus=tuple(sorted({s.strip() for s in r.skus if s.strip()})),
                risk_level_at_least=RiskLevel(r.risk_level_at_least) if r.risk_level_at_least else None,
                approver_roles=tuple(roles),
                four_eyes=r.four_eyes,
                auto_reject_after_hours=hours,
            )
        )
    return checked
