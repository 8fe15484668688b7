"""The default fraud rules on the seeded synthetic set of bench/risk.py: the floors its command prints."""

from __future__ import annotations

from bench.risk import FRAUD, PRECISION_FLOOR, RECALL_FLOOR, by_pattern, cases, score
from domain.risk.rules import RiskLevel


def test_the_seeded_set_is_the_same_every_time() -> None:
    first, again = cases(), cases()
    assert [(c.pattern, c.placement) for c in first] == [(c.pattern, c.placement) for c in again]
    assert sum(c.fraud for c in first) == 200 and len(first) == 1000


def test_the_default_rules_hold_mostly_fraud_and_most_of_it() -> None:
    held = score(cases(), flagged_at=RiskLevel.HIGH)

    assert held.precision >= PRECISION_FLOOR, held
    assert held.recall >= RECALL_FLOOR, held


def test_every_fraud_pattern_but_the_clean_one_is_caught_and_returning_customers_never_are() -> None:
    levels = by_pattern(cases())

    for pattern in FRAUD:
        caught = levels[pattern][RiskLevel.HIGH.value] / sum(levels[pattern].values())
        assert (caught == 0) if pattern == "clean fraud" else (caught >= 0.5), (pattern, levels[pattern])
    assert set(levels["returning"]) == {RiskLevel.NONE.value}
