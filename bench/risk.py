"""How well the default fraud rules separate a seeded synthetic set of legitimate and fraudulent orders.

    python -m bench.risk [--seed 15] [--legit 800] [--fraud 200]   (or: make bench-risk)

Each case is what the placement read would find (domain/risk/rules.py History) and the order itself
(Placement), drawn from a few patterns: for legitimate orders, returning customers, new customers, gifts
billed abroad and honest bulk buyers; for fraud, card testing (velocity), account takeover, reshippers
(express to a new address, billed abroad), resale with throwaway mailboxes, and "clean" fraud that looks
like any new customer (no rule can see it: it keeps recall honest); and
travellers, known customers sending express to a hotel abroad, whose big orders look like takeovers. A case counts as flagged when its
level is HIGH, the level that holds fulfillment; MEDIUM and above is printed too. The rules are scored
as the shop's defaults stand (domain/risk/settings.py), without a database. tests/unit/test_risk_evaluation.py
asserts the floors below on the default seed."""

from __future__ import annotations

import argparse
import random
from collections import Counter
from dataclasses import dataclass

from domain.risk.rules import RANK, History, Placement, RiskLevel, SkuHistory, assess
from domain.risk.settings import DEFAULT_SETTINGS, RiskSettings

SEED = 15
PRECISION_FLOOR = 0.90  # of the orders held as HIGH, this share at least is fraud ...
RECALL_FLOOR = 0.70  # ... and at least this share of the fraud is held
SKUS = ("TEE", "MUG", "CAP", "HOODIE", "SOCKS")
HOMES = ("US", "US", "US", "CA", "GB", "DE")
ABROAD = ("NG", "RU", "BR", "VN", "ID")


@dataclass(frozen=True)
class Case:
    pattern: str
    fraud: bool
    placement: Placement
    history: History


@dataclass(frozen=True)
class Scores:
    flagged_at: RiskLevel
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        fraud = self.true_positives + self.false_negatives
        return self.true_positives / fraud if fraud else 1.0


def _skus(rng: random.Random) -> dict[str, SkuHistory]:
    return {sku: SkuHistory(rng.randint(20, 200), rng.uniform(1.0, 2.0)) for sku in SKUS}


def _email(rng: random.Random, disposable: float) -> str:
    domain = "mailinator.com" if rng.random() < disposable else rng.choice(("gmail.com", "example.com"))
    return f"buyer{rng.randint(1, 10**6)}@{domain}"


def _lines(rng: random.Random, most: int = 2) -> tuple[tuple[str, int], ...]:
    return tuple((sku, rng.randint(1, most)) for sku in rng.sample(SKUS, rng.randint(1, 3)))


def _shop(rng: random.Random, skus: dict[str, SkuHistory], **values: object) -> History:
    return History(shop_orders=500, shop_average_total=6_000, skus=skus, **values)  # type: ignore[arg-type]


def _case(rng: random.Random, pattern: str, skus: dict[str, SkuHistory]) -> Case:
    home = rng.choice(HOMES)
    if pattern == "returning":
        orders = rng.randint(1, 12)
        average = rng.randint(3_000, 9_000)
        history = _shop(
            rng,
            skus,
            orders=orders,
            paid_orders=orders - (rng.random() < 0.2),
            average_total=average,
            address_used_before=rng.random() < 0.9,
            last_hour_email=int(rng.random() < 0.05),
        )
        total = int(average * rng.uniform(0.4, 2.2))
        placement = Placement(_email(rng, 0), total, home, home, rng.random() < 0.3, _lines(rng))
    elif pattern == "new":
        placement = Placement(
            _email(rng, 0.03),
            rng.randint(1_500, 14_000),
            home,
            rng.choice((None, home, home, home)),
            rng.random() < 0.2,
            _lines(rng),
        )
        history = _shop(rng, skus, last_hour_ip=int(rng.random() < 0.1))
    elif pattern == "gift abroad":
        placement = Placement(
            _email(rng, 0), rng.randint(2_000, 12_000), rng.choice(HOMES), "US", False, _lines(rng)
        )
        history = _shop(rng, skus, orders=rng.randint(0, 3), average_total=rng.randint(4_000, 8_000))
    elif pattern == "traveller":  # a known customer sending express to a hotel abroad
        orders = rng.randint(2, 10)
        average = rng.randint(3_000, 8_000)
        placement = Placement(
            _email(rng, 0), int(average * rng.uniform(0.5, 4)), rng.choice(ABROAD), home, True, _lines(rng)
        )
        history = _shop(
            rng, skus, orders=orders, paid_orders=orders, average_total=average, address_used_before=False
        )
    elif pattern == "bulk buyer":
        orders = rng.randint(2, 8)
        placement = Placement(
            _email(rng, 0), rng.randint(20_000, 60_000), home, home, False, (("SOCKS", rng.randint(10, 40)),)
        )
        history = _shop(
            rng, skus, orders=orders, paid_orders=orders, average_total=30_000, address_used_before=True
        )
    elif pattern == "card testing":
        burst = rng.randint(5, 25)
        placement = Placement(
            _email(rng, 0.5), rng.randint(500, 3_000), home, rng.choice((None, home)), False, _lines(rng, 1)
        )
        history = _shop(
            rng,
            skus,
            orders=burst,
            average_total=rng.randint(500, 3_000),
            unpaid_cancelled=rng.randint(0, burst // 2),
            last_hour_email=burst,
            last_hour_ip=burst + rng.randint(0, 5),
            last_hour_address=burst,
        )
    elif pattern == "account takeover":
        orders = rng.randint(2, 15)
        average = rng.randint(3_000, 8_000)
        placement = Placement(
            _email(rng, 0),
            int(average * rng.uniform(3.5, 10)),
            rng.choice(ABROAD),
            home if rng.random() < 0.6 else rng.choice(ABROAD),
            rng.random() < 0.7,
            _lines(rng, 3),
        )
        history = _shop(
            rng, skus, orders=orders, paid_orders=orders, average_total=average, address_used_before=False
        )
    elif pattern == "reshipper":
        placement = Placement(
            _email(rng, 0.4),
            rng.randint(15_000, 80_000),
            home,
            rng.choice(ABROAD) if rng.random() < 0.7 else home,
            True,
            _lines(rng, 4),
        )
        history = _shop(rng, skus, last_hour_ip=rng.randint(0, 6))
    elif pattern == "resale":
        placement = Placement(
            _email(rng, 0.7),
            rng.randint(30_000, 90_000),
            home,
            rng.choice((None, home, rng.choice(ABROAD))),
            rng.random() < 0.5,
            ((rng.choice(SKUS), rng.randint(12, 50)),),
        )
        history = _shop(rng, skus)
    else:  # "clean fraud": a stolen card used like any new customer would
        placement = Placement(
            _email(rng, 0), rng.randint(2_000, 12_000), home, None, rng.random() < 0.2, _lines(rng)
        )
        history = _shop(rng, skus)
    return Case(pattern, pattern in FRAUD, placement, history)


LEGIT = {"returning": 0.53, "new": 0.34, "gift abroad": 0.06, "traveller": 0.03, "bulk buyer": 0.04}
FRAUD = {"card testing": 0.25, "account takeover": 0.2, "reshipper": 0.2, "resale": 0.2, "clean fraud": 0.15}


def cases(seed: int = SEED, legit: int = 800, fraud: int = 200) -> list[Case]:
    """The seeded synthetic set: the same cases for the same seed and sizes."""
    rng = random.Random(seed)
    skus = _skus(rng)
    drawn = []
    for count, mix in ((legit, LEGIT), (fraud, FRAUD)):
        patterns = rng.choices(list(mix), weights=list(mix.values()), k=count)
        drawn += [_case(rng, p, skus) for p in patterns]
    return drawn


def score(
    data: list[Case], settings: RiskSettings = DEFAULT_SETTINGS, flagged_at: RiskLevel = RiskLevel.HIGH
) -> Scores:
    tally: Counter[tuple[bool, bool]] = Counter()
    for case in data:
        flagged = RANK[assess(case.placement, case.history, settings).level] >= RANK[flagged_at]
        tally[case.fraud, flagged] += 1
    return Scores(flagged_at, tally[True, True], tally[False, True], tally[True, False], tally[False, False])


def by_pattern(data: list[Case], settings: RiskSettings = DEFAULT_SETTINGS) -> dict[str, Counter[str]]:
    levels: dict[str, Counter[str]] = {}
    for case in data:
        level = assess(case.placement, case.history, settings).level
        levels.setdefault(case.pattern, Counter())[level.value] += 1
    return levels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--legit", type=int, default=800)
    parser.add_argument("--fraud", type=int, default=200)
    args = parser.parse_args()
    data = cases(args.seed, args.legit, args.fraud)
    print(
        f"{len(data)} synthetic orders (seed {args.seed}): {args.legit} legitimate, {args.fraud} fraudulent"
    )
    print(f"{'pattern':<18} {'fraud':<6} {'NONE':>5} {'LOW':>5} {'MEDIUM':>7} {'HIGH':>5}")
    for pattern, levels in by_pattern(data).items():
        counts = [levels[level.value] for level in RiskLevel]
        print(
            f"{pattern:<18} {pattern in FRAUD!s:<6} {counts[0]:>5} {counts[1]:>5} {counts[2]:>7} {counts[3]:>5}"
        )
    for flagged_at in (RiskLevel.HIGH, RiskLevel.MEDIUM):
        s = score(data, flagged_at=flagged_at)
        print(
            f"flagged at {flagged_at.value}+: precision {s.precision:.3f}, recall {s.recall:.3f} "
            f"(TP {s.true_positives}, FP {s.false_positives}, FN {s.false_negatives}, TN {s.true_negatives})"
        )
    print(
        f"floors asserted by the tests (HIGH, default seed): precision {PRECISION_FLOOR}, recall {RECALL_FLOOR}"
    )


if __name__ == "__main__":
    main()
