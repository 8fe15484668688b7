"""Where reordering learns how much sells: a small, replaceable function. Today it is the mean and
spread of daily demand over recent order history; a demand forecast can take its place by giving the
same answer (a daily mean and the error around it) per SKU and location."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, cast, func, select

from domain.orders.models import Order, OrderAllocation
from domain.orders.status import AllocationStatus, OrderStatus
from domain.purchasing.rules import DemandStats, demand_stats
from domain.reading import Reader

Key = tuple[uuid.UUID, uuid.UUID]  # (product, location)
# (reader, tenant, products, today, days of history) -> demand per (product, location) with any.
DemandSource = Callable[[Reader, uuid.UUID, list[uuid.UUID], date, int], Awaitable[dict[Key, DemandStats]]]

_orders = Order.__table__
_allocations = OrderAllocation.__table__


async def daily_history(
    reader: Reader, tenant_id: uuid.UUID, product_ids: list[uuid.UUID], today: date, days: int
) -> dict[Key, list[int]]:
    """Units ordered per day over the last `days` days (today the last of them), per product and the
    location the units were allocated at: cancelled orders and released units left out, days without
    sales as 0."""
    start = today - timedelta(days=days - 1)
    a, o = _allocations.c, _orders.c
    day = cast(func.timezone("UTC", o.created_at), Date)
    rows = await reader.all(
        select(a.product_id, a.location_id, day.label("day"), func.sum(a.quantity).label("units"))
        .join(_orders, o.id == a.order_id)
        .where(
            a.tenant_id == tenant_id,
            o.tenant_id == tenant_id,
            a.product_id.in_(product_ids),
            a.status != AllocationStatus.RELEASED.value,
            o.status != OrderStatus.CANCELLED.value,
            o.created_at >= datetime.combine(start, time.min, UTC),
            o.created_at < datetime.combine(today + timedelta(days=1), time.min, UTC),
        )
        .group_by(a.product_id, a.location_id, day)
    )
    history: dict[Key, list[int]] = defaultdict(lambda: [0] * days)
    for r in rows:
        history[r.product_id, r.location_id][(r.day - start).days] = int(r.units)
    return dict(history)


async def from_order_history(
    reader: Reader, tenant_id: uuid.UUID, product_ids: list[uuid.UUID], today: date, days: int
) -> dict[Key, DemandStats]:
    """The default DemandSource: mean and standard deviation of daily demand."""
    history = await daily_history(reader, tenant_id, product_ids, today, days)
    return {key: demand_stats(daily) for key, daily in history.items()}
