"""The built-in fraud rules and the shop's risk settings, without a database."""

from __future__ import annotations

import pytest

from domain.errors import Rejected
from domain.risk.disposable import is_disposable
from domain.risk.rules import (
    History,
    Placement,
    RiskLevel,
    Sentiment,
    SkuHistory,
    assess,
    highest,
    level_of,
)
from domain.risk.settings import (
    DEFAULT_SETTINGS,
    RiskRule,
    SettingsChange,
    changed,
    settings_of,
)


def placement(**overrides: object) -> Placement:
    values: dict[str, object] = {
        "email": "ada@example.com",
        "total": 5_000,
        "shipping_country": "US",
        "billing_country": None,
        "express": False,
        "lines": (("MUG", 1),),
    }
    values.update(overrides)
    return Placement(**values)  # type: ignore[arg-type]


def rules_of(assessment: object) -> set[RiskRule | None]:
    return {f.rule for f in assessment.facts}  # type: ignore[attr-defined]


def test_an_ordinary_first_order_has_no_risk_and_says_it_is_a_first_order() -> None:
    risk = assess(placement(), History(), DEFAULT_SETTINGS)
    assert (risk.score, risk.level) == (0, RiskLevel.NONE)
    assert [(f.description, f.sentiment) for f in risk.facts] == [
        ("First order from this customer", Sentiment.NEUTRAL)
    ]


def test_a_returning_customer_is_a_good_sign_and_the_score_never_goes_below_zero() -> None:
    history = History(orders=4, paid_orders=4, average_total=5_000, address_used_before=True)
    risk = assess(placement(), history, DEFAULT_SETTINGS)
    assert risk.score == 0
    (fact,) = risk.facts
    assert fact.sentiment == Sentiment.POSITIVE and fact.rule == RiskRule.RETURNING_CUSTOMER
    # to an address never used before, paid orders are no good sign: an account may have been taken over
    elsewhere = History(orders=4, paid_orders=4, average_total=5_000)
    assert RiskRule.RETURNING_CUSTOMER not in rules_of(assess(placement(), elsewhere, DEFAULT_SETTINGS))


def test_a_total_far_above_the_customers_average_is_negative() -> None:
    history = History(orders=2, paid_orders=1, average_total=2_000)
    risk = assess(placement(total=9_000), history, DEFAULT_SETTINGS)
    assert rules_of(risk) == {RiskRule.VALUE_ABOVE_HISTORY}
    assert risk.facts[0].description == "Total is 4.5x this customer's average over 2 orders"
    assert (risk.score, risk.level) == (25, RiskLevel.MEDIUM)


def test_a_first_order_is_compared_with_the_shops_average() -> None:
    history = History(shop_orders=50, shop_average_total=1_000)
    risk = assess(placement(total=3_000), history, DEFAULT_SETTINGS)
    assert RiskRule.VALUE_ABOVE_HISTORY in rules_of(risk)
    assert assess(placement(total=2_999), history, DEFAULT_SETTINGS).score == 0


def test_velocity_fires_at_the_limit_and_counts_once_for_one_sender() -> None:
    at_limit = History(orders=5, last_hour_email=5, last_hour_address=5, last_hour_ip=5, average_total=5_000)
    risk = assess(placement(), at_limit, DEFAULT_SETTINGS)
    velocity = {RiskRule.EMAIL_VELOCITY, RiskRule.ADDRESS_VELOCITY, RiskRule.IP_VELOCITY}
    assert rules_of(risk) == velocity
    assert all(f.sentiment == Sentiment.NEGATIVE for f in risk.facts)
    assert risk.score == 25  # the largest velocity weight (IP), not the sum
    below = History(orders=4, last_hour_email=4, average_total=5_000)
    assert assess(placement(), below, DEFAULT_SETTINGS).score == 0
    burst = History(orders=10, last_hour_email=10, last_hour_ip=9, average_total=5_000)
    assert assess(placement(), burst, DEFAULT_SETTINGS).score == 40  # twice the limit: twice the points


def test_a_country_mismatch_a_disposable_email_and_express_to_a_new_address_make_a_high_risk() -> None:
    risk = assess(
        placement(email="x@mailinator.com", billing_country="NG", express=True), History(), DEFAULT_SETTINGS
    )
    assert rules_of(risk) >= {
        RiskRule.COUNTRY_MISMATCH,
        RiskRule.DISPOSABLE_EMAIL,
        RiskRule.FIRST_ORDER_EXPRESS_NEW_ADDRESS,
    }
    assert (risk.score, risk.level) == (70, RiskLevel.HIGH)
    assert "Billing country NG differs from shipping country US" in [f.description for f in risk.facts]


def test_quantity_outliers_compare_with_the_skus_usual_quantity() -> None:
    history = History(skus={"MUG": SkuHistory(lines=20, average_quantity=1.5)})
    assert assess(placement(lines=(("MUG", 9),)), history, DEFAULT_SETTINGS).score == 0
    risk = assess(placement(lines=(("MUG", 10), ("CAP", 12))), history, DEFAULT_SETTINGS)
    (fact,) = [f for f in risk.facts if f.rule == RiskRule.QUANTITY_OUTLIER]
    assert fact.description == "Unusual quantities: 10 x MUG (usually 1.5), 12 x CAP (usually 1.0)"
    assert risk.score == 20  # one fact for every outlying line


def test_earlier_orders_cancelled_unpaid_stand_for_failed_payments() -> None:
    history = History(orders=3, unpaid_cancelled=2, average_total=5_000)
    assert RiskRule.UNPAID_CANCELLED in rules_of(assess(placement(), history, DEFAULT_SETTINGS))


def test_a_shops_weights_and_thresholds_decide_the_level() -> None:
    settings = changed(
        DEFAULT_SETTINGS, SettingsChange(medium_at=20, high_at=35, weights={RiskRule.COUNTRY_MISMATCH: 40})
    )
    risk = assess(placement(billing_country="CA"), History(orders=1, average_total=5_000), settings)
    assert (risk.score, risk.level) == (40, RiskLevel.HIGH)
    off = changed(DEFAULT_SETTINGS, SettingsChange(weights={RiskRule.COUNTRY_MISMATCH: 0}))
    fact = assess(placement(billing_country="CA"), History(orders=1, average_total=5_000), off).facts[0]
    assert (fact.rule, fact.sentiment, fact.points) == (RiskRule.COUNTRY_MISMATCH, Sentiment.NEUTRAL, 0)


def test_levels_follow_the_thresholds_and_the_highest_assessment_wins() -> None:
    assert [level_of(s, DEFAULT_SETTINGS) for s in (0, 9, 10, 24, 25, 49, 50, 100)] == [
        RiskLevel.NONE,
        RiskLevel.NONE,
        RiskLevel.LOW,
        RiskLevel.LOW,
        RiskLevel.MEDIUM,
        RiskLevel.MEDIUM,
        RiskLevel.HIGH,
        RiskLevel.HIGH,
    ]
    assert highest([RiskLevel.LOW, RiskLevel.HIGH, RiskLevel.MEDIUM]) == RiskLevel.HIGH
    assert highest([]) == RiskLevel.NONE


def test_settings_changes_are_checked_all_at_once_and_change_nothing_when_refused() -> None:
    with pytest.raises(Rejected) as refused:
        changed(
            DEFAULT_SETTINGS,
            SettingsChange(low_at=0, medium_at=80, high_at=70, weights={RiskRule.IP_VELOCITY: 101}),
        )
    assert [e.field for e in refused.value.errors] == [["lowAt"], ["highAt"], ["weights"]]
    assert DEFAULT_SETTINGS.high_at == 50


def test_stored_settings_round_trip_and_missing_rules_take_their_defaults() -> None:
    settings = changed(DEFAULT_SETTINGS, SettingsChange(velocity_limit=3, weights={RiskRule.IP_VELOCITY: 5}))
    stored = settings.to_json()
    del stored["weights"]["COUNTRY_MISMATCH"]
    again = settings_of(stored)
    assert again.velocity_limit == 3 and again.weight(RiskRule.IP_VELOCITY) == 5
    assert again.weight(RiskRule.COUNTRY_MISMATCH) == 25
    assert settings_of(None) == DEFAULT_SETTINGS
    assert changed(settings, SettingsChange(reset=True)) == DEFAULT_SETTINGS


def test_disposable_domains_are_recognised_with_their_subdomains() -> None:
    assert is_disposable("A@Mailinator.com") and is_disposable("a@x.yopmail.com")
    assert not is_disposable("a@example.com") and not is_disposable("a@notmailinator.com")
