"""Lead-time demand from a stored forecast, for reorder points: the mean of the demand over the next
`lead_time_days` days and its standard deviation. Pure (a forecast's points in, two numbers out), with
a reader-side helper for callers that have a SKU and a location."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.forecasting import queries
from domain.forecasting.series import Point
from domain.reading import Reader

Z95 = 1.959964  # the 95% interval is mean ± Z95 sigma for a normal day


@dataclass(frozen=True)
class LeadTimeDemand:
    mean: float
    sigma: float


def lead_time_demand(points: Sequence[Point], lead_time_days: int) -> LeadTimeDemand:
    """Sums the first `lead_time_days` days: means add, and so do variances, days being taken as
    independent. Each day's sigma is read from the upper half of its 95% interval (the lower half is cut
    at zero). Past the forecast's end the last week's average day is repeated."""
    if lead_time_days <= 0 or not points:
        return LeadTimeDemand(0.0, 0.0)
    days = [(p.mean, ((p.hi95 - p.mean) / Z95) ** 2) for p in points[:lead_time_days]]
    missing = lead_time_days - len(days)
    if missing > 0:
        tail = days[-7:]
        mean = sum(m for m, _ in tail) / len(tail)
        variance = sum(v for _, v in tail) / len(tail)
        days += [(mean, variance)] * missing
    return LeadTimeDemand(sum(m for m, _ in days), math.sqrt(sum(v for _, v in days)))


async def for_sku(
    reader: Reader,
    tenant_id: uuid.UUID,
    sku: str,
    location_id: uuid.UUID | None,
    lead_time_days: int,
    today: date,
) -> LeadTimeDemand | None:
    """The lead-time demand of a SKU at a location (None: all locations) from today, or None while
    no forecast is stored for it."""
    found = await queries.stored(reader, tenant_id, sku, location_id)
    if found is None:
        return None
    return lead_time_demand(found.upcoming(today, queries.MAX_DAYS), lead_time_days)
