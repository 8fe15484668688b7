"""A seeded synthetic demand history for evaluating the methods: smooth SKUs with a trend, a weekly
cycle and promotions (a few days of extra demand, with a dip after), and intermittent SKUs that sell
a few units on one day in several. The same seed gives the same history."""

from __future__ import annotations

import math
import random
from datetime import date

from domain.forecasting.series import Series

START = date(2026, 1, 1)
WEEKLY = (0.8, 0.9, 0.95, 1.0, 1.15, 1.35, 0.85)  # Monday … Sunday


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:  # normal approximation, for speed
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def smooth(rng: random.Random, sku: str, days: int) -> Series:
    level = rng.uniform(8, 60)
    trend = rng.uniform(-0.3, 0.6) * level / days  # up to +60% or -30% over the history
    promotions = {rng.randrange(days) for _ in range(days // 60)}
    values = []
    for t in range(days):
        weekday = (START.toordinal() + t) % 7
        mean = (level + trend * t) * WEEKLY[weekday]
        if any(0 <= t - p < 3 for p in promotions):
            mean *= 1.8
        elif any(3 <= t - p < 6 for p in promotions):
            mean *= 0.8  # customers bought ahead
        values.append(float(_poisson(rng, mean)))
    return Series(sku, None, START, tuple(values))


def intermittent(rng: random.Random, sku: str, days: int) -> Series:
    chance = rng.uniform(0.08, 0.35)
    size = rng.uniform(1, 4)
    values = [float(1 + _poisson(rng, size - 1)) if rng.random() < chance else 0.0 for _ in range(days)]
    return Series(sku, None, START, tuple(values))


def history(seed: int = 7, skus: int = 40, days: int = 240, intermittent_share: float = 0.4) -> list[Series]:
    rng = random.Random(seed)
    n_intermittent = round(skus * intermittent_share)
    return [
        intermittent(rng, f"SLOW-{i:03d}", days) if i < n_intermittent else smooth(rng, f"FAST-{i:03d}", days)
        for i in range(skus)
    ]
