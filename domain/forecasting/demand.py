"""Daily demand read from orders, one statement per tenant, on a system-scope connection (the
workers'), every statement filtered by the tenant.

- Demand is what was ordered, on the UTC day the order was placed: every line of an order that is not
  cancelled (a cancelled order's lines count nowhere). Per location, the units allocated there and not
  released (a line cancelled in part keeps only its shipped units there).
- Returns are tracked apart, per SKU on the day the return was requested (declined or cancelled
  returns left out): a return does not unsell, and subtracting it would hide demand.
- Days without orders count as zero demand, from a series' first day of demand up to `through`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import asyncpg

from domain.forecasting.series import Series

_DEMAND = """
WITH lines AS (
  SELECT o.id AS order_id, l.id, l.sku, l.quantity, (o.created_at AT TIME ZONE 'UTC')::date AS day
  FROM orders o JOIN order_lines l ON l.order_id = o.id AND l.tenant_id = o.tenant_id
  WHERE o.tenant_id = $1 AND o.status <> 'CANCELLED'
    AND o.created_at >= $2 AND o.created_at < $3 AND ($4::text[] IS NULL OR l.sku = ANY($4))
)
SELECT sku, NULL::uuid AS location_id, day, sum(quantity)::bigint AS units, 0::bigint AS returned
FROM lines GROUP BY sku, day
UNION ALL
SELECT ln.sku, a.location_id, ln.day, sum(a.quantity)::bigint, 0
FROM lines ln JOIN order_allocations a  -- by order: the allocations' index leads with it
  ON a.order_id = ln.order_id AND a.line_id = ln.id AND a.tenant_id = $1
WHERE a.status <> 'RELEASED'
GROUP BY ln.sku, a.location_id, ln.day
UNION ALL
SELECT l.sku, NULL, (r.created_at AT TIME ZONE 'UTC')::date, 0, sum(rl.quantity)::bigint
FROM returns r JOIN return_lines rl ON rl.return_id = r.id AND rl.tenant_id = r.tenant_id
JOIN order_lines l ON l.id = rl.order_line_id AND l.tenant_id = r.tenant_id
WHERE r.tenant_id = $1 AND r.status NOT IN ('DECLINED', 'CANCELLED')
  AND r.created_at >= $2 AND r.created_at < $3 AND ($4::text[] IS NULL OR l.sku = ANY($4))
GROUP BY l.sku, (r.created_at AT TIME ZONE 'UTC')::date
"""

# SKUs whose demand changed after `since`: orders placed, or cancelled, since then. Two arms, so each
# reads an index ((tenant_id, created_at), (tenant_id, status)) instead of all of a shop's orders.
_CHANGED = """
SELECT l.sku FROM orders o JOIN order_lines l ON l.order_id = o.id AND l.tenant_id = o.tenant_id
WHERE o.tenant_id = $1 AND o.created_at > $2
UNION
SELECT l.sku FROM orders o JOIN order_lines l ON l.order_id = o.id AND l.tenant_id = o.tenant_id
WHERE o.tenant_id = $1 AND o.status = 'CANCELLED' AND o.cancelled_at > $2
ORDER BY sku
"""


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


async def changed_skus(conn: asyncpg.Connection, tenant_id: uuid.UUID, since: datetime) -> list[str]:
    return [r["sku"] for r in await conn.fetch(_CHANGED, tenant_id, since)]


async def daily_demand(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    through: date,
    history_days: int,
    skus: list[str] | None = None,
) -> tuple[list[Series], dict[str, int]]:
    """Each SKU's series (all locations, then each location) over at most `history_days` days ending
    on `through`, and the units returned per SKU over the same days."""
    start = through - timedelta(days=history_days - 1)
    end = _midnight(through + timedelta(days=1))
    rows = await conn.fetch(_DEMAND, tenant_id, _midnight(start), end, skus)
    by_series: dict[tuple[str, str | None], dict[date, float]] = defaultdict(dict)
    returned: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["returned"]:
            returned[r["sku"]] += int(r["returned"])
            continue
        location = str(r["location_id"]) if r["location_id"] else None
        by_series[(r["sku"], location)][r["day"]] = float(r["units"])
    series = []
    for (sku, location), days in sorted(by_series.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        first = min(days)
        length = (through - first).days + 1
        values = tuple(days.get(first + timedelta(days=i), 0.0) for i in range(length))
        series.append(Series(sku, location, first, values))
    return series, dict(returned)
