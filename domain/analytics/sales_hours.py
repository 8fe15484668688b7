"""salesReport from the hourly rollup (domain/analytics/rollup.py), for the groupings it can answer:
days, weeks and months in a time zone whose offsets are whole hours over the period, and channels.

The period's whole hours come from the rollup, except the hours it does not hold exactly yet (dirty:
orders with events after the tenant's mark); those, the partial hours at either end, and the whole
period when the tenant has no rollup yet, are read from the orders and refunds as salesReport always
did. The figures are the same either way (tests/api/test_sales_rollup.py compares them).

Each window is read by its own index range (a LATERAL subquery the planner may not flatten: OFFSET 0).
Flattened, the row-level-security filter makes the planner expect a few thousand rows of a shop's
orders and scan them all: 1.3 s instead of milliseconds for a shop of a million orders."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import String

from domain.analytics.periods import TIME_GROUPINGS, Grouping, Period, time_key
from domain.analytics.rollup import DIRTY_HOURS

GROUPINGS = frozenset({Grouping.DAY, Grouping.WEEK, Grouping.MONTH, Grouping.CHANNEL})
CHANNELS = "(CAST(:channels AS text[]) IS NULL OR {column} = ANY(:channels))"

_SQL = """
WITH shop AS (
  SELECT coalesce(CAST(:currency AS text), t.currency) AS code FROM tenants t WHERE t.id = :tenant
),
mark AS (SELECT position FROM sales_hours_marks WHERE tenant_id = :tenant),
{dirty},
windows AS (
  SELECT CAST(:start AS timestamptz) AS a, CAST(:first AS timestamptz) AS b WHERE EXISTS (SELECT 1 FROM mark)
  UNION ALL SELECT :last, :end WHERE EXISTS (SELECT 1 FROM mark)
  UNION ALL SELECT hour, hour + interval '1 hour' FROM dirty
    WHERE hour >= :first AND hour < :last AND EXISTS (SELECT 1 FROM mark)
  UNION ALL SELECT :start, :end WHERE NOT EXISTS (SELECT 1 FROM mark)
),
rolled AS (
  SELECT {hour_key} AS key, s.orders, s.cancelled, s.units, s.gross, s.refunds
  FROM sales_hours s, shop
  WHERE s.tenant_id = :tenant AND s.hour >= :first AND s.hour < :last AND s.currency = shop.code
    AND {hour_channels} AND EXISTS (SELECT 1 FROM mark)
    AND s.hour NOT IN (SELECT hour FROM dirty WHERE hour IS NOT NULL)
),
placed AS (
  SELECT {order_key} AS key, o.id, o.status = 'CANCELLED' AS cancelled, o.total
  FROM windows w CROSS JOIN LATERAL (
    SELECT * FROM orders o WHERE o.tenant_id = :tenant AND o.created_at >= w.a AND o.created_at < w.b
    OFFSET 0
  ) o, shop
  WHERE o.currency = shop.code AND {order_channels}
),
refunded AS (
  SELECT {refund_key} AS key, r.amount
  FROM windows w CROSS JOIN LATERAL (
    SELECT * FROM refunds r WHERE r.tenant_id = :tenant AND r.created_at >= w.a AND r.created_at < w.b
    OFFSET 0
  ) r JOIN orders o ON o.id = r.order_id, shop
  WHERE o.tenant_id = :tenant AND o.status <> 'CANCELLED' AND o.currency = shop.code AND {order_channels}
),
facts AS (
  SELECT key, orders, cancelled, units, gross, refunds FROM rolled
  UNION ALL
  SELECT p.key, CASE WHEN p.cancelled THEN 0 ELSE 1 END, CASE WHEN p.cancelled THEN 1 ELSE 0 END,
    CASE WHEN p.cancelled THEN 0
         ELSE (SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.order_id = p.id) END,
    CASE WHEN p.cancelled THEN 0 ELSE p.total END, 0
  FROM placed p
  UNION ALL
  SELECT f.key, 0, 0, 0, 0, f.amount FROM refunded f
)
SELECT (SELECT code FROM shop) AS currency, key, grouping(key) = 1 AS is_total,
  coalesce(sum(orders), 0)::bigint AS orders, coalesce(sum(cancelled), 0)::bigint AS cancelled,
  coalesce(sum(units), 0)::bigint AS units, coalesce(sum(gross), 0)::bigint AS gross,
  coalesce(sum(refunds), 0)::bigint AS refunds
FROM facts
GROUP BY GROUPING SETS ((key), ())
ORDER BY is_total DESC, key
LIMIT :limit"""


def _sql(grouping: Grouping) -> str:
    if grouping in TIME_GROUPINGS:
        keys = {
            "hour_key": time_key("s.hour", grouping),
            "order_key": time_key("o.created_at", grouping),
            "refund_key": time_key("r.created_at", grouping),
        }
    else:
        keys = {"hour_key": "s.channel", "order_key": "o.channel", "refund_key": "o.channel"}
    dirty = DIRTY_HOURS.format(
        tenant=":tenant",
        after="(SELECT position FROM mark)",
        unpublished="e.position IS NULL",
    )
    return _SQL.format(
        dirty=dirty,
        hour_channels=CHANNELS.format(column="s.channel"),
        order_channels=CHANNELS.format(column="o.channel"),
        **keys,
    )


STATEMENTS = {g: text(_sql(g)).bindparams(bindparam("channels", type_=ARRAY(String))) for g in GROUPINGS}


def whole_hours(time_zone: str, start: datetime, end: datetime) -> bool:
    """Whether every offset of the zone from UTC in the period is whole hours (a week apart and at
    both ends: the shifts of daylight saving time are whole hours wherever the offsets are)."""
    if time_zone == "UTC":
        return True
    zone = zoneinfo.ZoneInfo(time_zone)
    moment = start
    while True:
        offset = moment.astimezone(zone).utcoffset()
        if offset is None or offset % timedelta(hours=1):
            return False
        if moment >= end:
            return True
        moment = min(moment + timedelta(days=7), end)


def answers(period: Period) -> bool:
    """Whether the rollup can answer this period and grouping."""
    return period.grouping in GROUPINGS and whole_hours(period.time_zone, period.start, period.end)


def hour_bounds(period: Period) -> tuple[datetime, datetime]:
    """The first whole hour of the period and the end of its last; both the start when it holds none."""
    first = period.start.replace(minute=0, second=0, microsecond=0)
    if first < period.start:
        first += timedelta(hours=1)
    last = period.end.replace(minute=0, second=0, microsecond=0)
    return (first, last) if first < last else (period.start, period.start)
