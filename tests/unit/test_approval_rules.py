"""Approval rules as values: which rule an order's facts meet, the first in the shop's order, and what
a rule set may say. No database."""

from __future__ import annotations

import uuid

from domain.errors import Problems
from domain.orders.approval_rules import (
    ApprovalRule,
    OrderFacts,
    RuleInput,
    check_rules,
    first_match,
    matches,
)
from domain.orders.status import OrderStatus, can_move

FACTS = OrderFacts(
    total=50_000,
    currency="USD",
    channel="WEB",
    new_customer=True,
    customer_tier="STANDARD",
    shipping_country="US",
    skus=frozenset({"TEE", "MUG"}),
)


def rule(position: int = 0, **conditions) -> ApprovalRule:
    return ApprovalRule(id=uuid.uuid4(), name=f"rule {position}", position=position, **conditions)


def test_a_rule_without_conditions_holds_every_order():
    assert matches(rule(), FACTS)


def test_the_minimum_total_counts_in_its_own_currency_only():
    assert matches(rule(min_total=50_000, currency="USD"), FACTS)
    assert not matches(rule(min_total=50_001, currency="USD"), FACTS)
    assert not matches(rule(min_total=1, currency="EUR"), FACTS)


def test_each_condition_given_must_hold():
    assert matches(rule(channels=("WEB", "PHONE")), FACTS)
    assert not matches(rule(channels=("PHONE",)), FACTS)
    assert matches(rule(new_customer=True), FACTS) and not matches(rule(new_customer=False), FACTS)
    assert not matches(rule(customer_tiers=("VIP", "GOLD")), FACTS)
    assert matches(rule(shipping_countries=("US",)), FACTS)
    assert not matches(rule(shipping_countries=("CA",)), FACTS)
    assert matches(rule(skus=("MUG", "HAT")), FACTS) and not matches(rule(skus=("HAT",)), FACTS)
    assert not matches(rule(min_total=1, currency="USD", channels=("PHONE",)), FACTS)


def test_the_first_rule_in_the_shops_order_wins():
    late, early = rule(position=2), rule(position=1, channels=("WEB",))
    never = rule(position=0, channels=("POS",))

    assert first_match([late, early, never], FACTS) == early
    assert first_match([never], FACTS) is None
    assert first_match([], FACTS) is None


def test_a_rule_set_is_checked_whole_and_each_problem_names_its_rule():
    problems = Problems()
    given = [
        RuleInput(name="Big", min_total="100"),
        RuleInput(name="big", approver_roles=["STOREFRONT"]),
        RuleInput(name="Late", min_total="1.234", auto_reject_after_hours=0),
    ]

    checked = check_rules(problems, given, "USD")

    assert [(e.code, e.field) for e in problems.errors] == [
        ("DUPLICATE", ["rules", "1", "name"]),
        ("INVALID", ["rules", "1", "approverRoles"]),
        ("INVALID_AMOUNT", ["rules", "2", "minTotal"]),
        ("INVALID", ["rules", "2", "autoRejectAfterHours"]),
    ]
    assert (checked[0].min_total, checked[0].currency, checked[0].position) == (10_000, "USD", 0)


def test_a_checked_rule_is_normalised_and_keeps_a_given_id():
    kept = uuid.uuid4()
    problems = Problems()

    (checked,) = check_rules(
        problems,
        [RuleInput(name=" Abroad ", id=kept, shipping_countries=["ca", "mx", "CA"], skus=[" TEE ", ""])],
        "USD",
    )

    assert not problems
    assert (checked.id, checked.name, checked.shipping_countries, checked.skus) == (
        kept,
        "Abroad",
        ("CA", "MX"),
        ("TEE",),
    )
    assert (checked.approver_roles, checked.four_eyes, checked.min_total) == (("ADMIN", "STAFF"), True, None)


def test_an_order_waiting_for_approval_goes_on_or_is_cancelled_and_nothing_else():
    assert can_move(OrderStatus.PENDING_APPROVAL, OrderStatus.PENDING)
    assert can_move(OrderStatus.PENDING_APPROVAL, OrderStatus.CANCELLED)
    assert not can_move(OrderStatus.PENDING_APPROVAL, OrderStatus.CONFIRMED)
    assert not can_move(OrderStatus.PENDING, OrderStatus.PENDING_APPROVAL)


def test_a_risk_level_condition_holds_orders_at_that_level_or_higher():
    risky = rule(risk_level_at_least="MEDIUM")
    assert not matches(risky, FACTS)  # NONE
    assert not matches(risky, OrderFacts(**{**FACTS.__dict__, "risk_level": "LOW"}))
    assert matches(risky, OrderFacts(**{**FACTS.__dict__, "risk_level": "MEDIUM"}))
    assert matches(risky, OrderFacts(**{**FACTS.__dict__, "risk_level": "HIGH"}))
    problems = Problems()
    (checked,) = check_rules(problems, [RuleInput(name="Risky", risk_level_at_least="HIGH")], "USD")
    assert not problems and checked.risk_level_at_least == "HIGH"
