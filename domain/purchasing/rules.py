"""The buyer's arithmetic, pure: demand statistics, reorder point and order-up-to level, and order
quantities rounded to what a supplier sells. Values in, values out; unit-tested without a database."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MIN_SERVICE_LEVEL = 0.5
MAX_SERVICE_LEVEL = 0.999


@dataclass(frozen=True)
class DemandStats:
    mean: float  # units per day
    sd: float  # standard deviation of daily demand (the forecast error of a mean forecast)


def demand_stats(daily: Sequence[int]) -> DemandStats:
    """Mean and sample standard deviation of daily demand; days without a sale must be in as zeros."""
    if not daily:
        return DemandStats(0.0, 0.0)
    mean = statistics.fmean(daily)
    sd = statistics.stdev(daily) if len(daily) > 1 else 0.0
    return DemandStats(mean, sd)


def z_score(service_level: float) -> float:
    """How many standard deviations of demand the safety stock covers for a cycle service level
    (the chance of not running out before a replenishment arrives)."""
    if not MIN_SERVICE_LEVEL <= service_level <= MAX_SERVICE_LEVEL:
        raise ValueError(f"service level must be between {MIN_SERVICE_LEVEL} and {MAX_SERVICE_LEVEL}")
    return statistics.NormalDist().inv_cdf(service_level)


@dataclass(frozen=True)
class Levels:
    lead_time_demand: float  # expected units sold while a purchase order is on its way
    safety_stock: float  # z * sd * sqrt(lead time)
    reorder_point: int  # order when available + incoming falls to this
    order_up_to: int  # and order enough to bring it back up to this


def reorder_levels(
    stats: DemandStats,
    lead_time_days: int,
    review_period_days: int,
    service_level: float,
    floor: int = 0,
) -> Levels:
    """A periodic-review (R, s, S) policy: s covers demand over the lead time plus safety stock,
    S covers demand over the lead time and one review period. `floor` is a reorder point set by
    hand on the level (inventorySet reorderPoint): the computed one never goes below it."""
    z = z_score(service_level)
    lead = max(lead_time_days, 0)
    cover = lead + max(review_period_days, 0)
    lead_time_demand = stats.mean * lead
    safety = z * stats.sd * math.sqrt(lead)
    reorder_point = max(_units(lead_time_demand + safety), floor)
    order_up_to = _units(stats.mean * cover + z * stats.sd * math.sqrt(cover))
    return Levels(lead_time_demand, safety, reorder_point, max(order_up_to, reorder_point + 1))


def _units(value: float) -> int:
    """Whole units, rounded up (a float's noise below 1e-9 is not a unit)."""
    return max(0, math.ceil(value - 1e-9))


def needs_reorder(position: int, reorder_point: int) -> bool:
    """Whether available + incoming + on order has fallen to the reorder point. A reorder point of 0
    asks for stock only once units are owed (backorders make the position negative)."""
    return position < reorder_point or (position == reorder_point and reorder_point > 0)


def order_quantity(need: int, minimum: int, pack_size: int) -> int:
    """What to order to cover `need` units: at least the supplier's minimum, in whole packs."""
    if need <= 0:
        return 0
    pack = max(pack_size, 1)
    wanted = max(need, minimum)
    return -(-wanted // pack) * pack


def is_orderable(quantity: int, minimum: int, pack_size: int) -> bool:
    """Whether a supplier takes this quantity as it is."""
    return quantity >= minimum and quantity % max(pack_size, 1) == 0
