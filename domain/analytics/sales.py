"""salesReport: orders, units, gross, refunds and net per bucket, and in total, in one statement.

What counts, as it stands when the report runs:
- An order counts in the bucket of its placement (`orders.created_at`), unless it is cancelled now:
  cancelled orders are counted apart (`cancelled`) and add nothing else.
- Time and channel groupings: gross is the order total (lines, tax and shipping); units are its lines'
  quantities. SKU grouping: gross is the line's subtotal plus its tax (shipping belongs to no SKU), and
  `orders` counts orders holding that SKU, so the buckets' orders add up to more than the total.
- Refunds count in the bucket of the refund (`refunds.created_at` within the period), whatever the
  order's date: money given back to the customer (`refunds.amount`; exchange credit is not money
  back). By SKU: the refund lines' amounts less their restocking fees. Refunds of cancelled orders are
  left out, as their sales are.
- Only orders in the report's currency (the shop's by default) count; nothing is converted.
- net = gross - refunds; averageOrderValue = gross / orders, rounded half up to a minor unit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import String

from domain.analytics import sales_hours
from domain.analytics.periods import TIME_GROUPINGS, Grouping, Period, capped, check_grouping, time_key
from domain.reading import Reader

GROUPINGS = frozenset({Grouping.DAY, Grouping.WEEK, Grouping.MONTH, Grouping.CHANNEL, Grouping.SKU})


@dataclass(frozen=True)
class SalesRow:
    key: str | None  # None on the totals row
    orders: int
    cancelled: int
    units: int
    gross: int
    refunds: int

    @property
    def net(self) -> int:
        return self.gross - self.refunds

    @property
    def average_order_value(self) -> int:
        return (2 * self.gross + self.orders) // (2 * self.orders) if self.orders else 0


@dataclass(frozen=True)
class SalesReport:
    currency: str
    buckets: list[SalesRow]
    totals: SalesRow


# Orders placed in the period, in the currency and channels asked for.
_PLACED = """
shop AS (SELECT coalesce(CAST(:currency AS text), t.currency) AS code FROM tenants t WHERE t.id = :tenant),
placed AS (
  SELECT o.id, {order_key} AS key, o.status = 'CANCELLED' AS cancelled, o.total
  FROM orders o, shop
  WHERE o.tenant_id = :tenant AND o.created_at >= :start AND o.created_at < :end
    AND o.currency = shop.code AND (CAST(:channels AS text[]) IS NULL OR o.channel = ANY(:channels))
),
refunded AS (
  SELECT r.id, {refund_key} AS key, r.amount
  FROM refunds r JOIN orders o ON o.id = r.order_id, shop
  WHERE r.tenant_id = :tenant AND r.created_at >= :start AND r.created_at < :end
    AND o.tenant_id = :tenant AND o.status <> 'CANCELLED' AND o.currency = shop.code
    AND (CAST(:channels AS text[]) IS NULL OR o.channel = ANY(:channels))
)"""

_ORDER_FACTS = """
facts AS (
  SELECT p.key, p.id AS order_id, p.cancelled, p.total AS gross,
         (SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.order_id = p.id) AS units,
         0::bigint AS refunds
  FROM placed p
  UNION ALL
  SELECT f.key, NULL, false, 0, 0, f.amount FROM refunded f
)"""

_SKU_FACTS = """
facts AS (
  SELECT l.sku AS key, p.id AS order_id, p.cancelled, l.subtotal + l.tax AS gross, l.quantity AS units,
         0::bigint AS refunds
  FROM placed p JOIN order_lines l ON l.order_id = p.id
  UNION ALL
  SELECT l.sku, NULL, false, 0, 0, rl.amount - rl.restocking_fee
  FROM refunded f JOIN refund_lines rl ON rl.refund_id = f.id JOIN order_lines l ON l.id = rl.order_line_id
)"""

# The empty grouping set gives the totals row, also when nothing happened in the period.
_AGGREGATE = """
SELECT (SELECT code FROM shop) AS currency, key, grouping(key) = 1 AS is_total,
  count({distinct}order_id) FILTER (WHERE NOT cancelled) AS orders,
  count({distinct}order_id) FILTER (WHERE cancelled) AS cancelled,
  coalesce(sum(units) FILTER (WHERE NOT cancelled), 0)::bigint AS units,
  coalesce(sum(gross) FILTER (WHERE NOT cancelled), 0)::bigint AS gross,
  coalesce(sum(refunds), 0)::bigint AS refunds
FROM facts
GROUP BY GROUPING SETS ((key), ())
ORDER BY is_total DESC, key
LIMIT :limit"""


def _sql(grouping: Grouping) -> str:
    """The statement for one grouping. Each row's key is computed once, where the row is read."""
    if grouping in TIME_GROUPINGS:
        order_key, refund_key = time_key("o.created_at", grouping), time_key("r.created_at", grouping)
    elif grouping == Grouping.CHANNEL:
        order_key = refund_key = "o.channel"
    else:
        order_key = refund_key = "NULL::text"  # by SKU the key is the line's
    placed = _PLACED.format(order_key=order_key, refund_key=refund_key)
    # An order is one row of the facts but by SKU, where it is one row per line: only there does
    # counting orders need DISTINCT (which sorts, where a count alone can hash).
    distinct = "DISTINCT " if grouping == Grouping.SKU else ""
    facts = _SKU_FACTS if grouping == Grouping.SKU else _ORDER_FACTS
    return f"WITH {placed},{facts}{_AGGREGATE.format(distinct=distinct)}"


_STATEMENTS = {g: text(_sql(g)).bindparams(bindparam("channels", type_=ARRAY(String))) for g in GROUPINGS}


async def report(
    reader: Reader,
    tenant_id: uuid.UUID,
    period: Period,
    channels: Sequence[str] | None,
    currency: str | None,
    hourly: bool = True,
) -> SalesReport:
    """The report, from the hourly rollup where it can answer (domain/analytics/sales_hours.py) unless
    `hourly` is false: the figures are the same, the rollup reads fewer rows."""
    check_grouping("salesReport", period.grouping, GROUPINGS)
    params = {
        "tenant": tenant_id,
        "start": period.start,
        "end": period.end,
        "tz": period.time_zone,
        "channels": list(channels) if channels else None,
        "currency": currency,
    }
    if hourly and sales_hours.answers(period):
        first, last = sales_hours.hour_bounds(period)
        rows = await capped(reader, sales_hours.STATEMENTS[period.grouping], first=first, last=last, **params)
    else:
        rows = await capped(reader, _STATEMENTS[period.grouping], **params)
    built = [SalesRow(r.key, r.orders, r.cancelled, r.units, r.gross, r.refunds) for r in rows]
    code = rows[0].currency if rows else currency or ""
    return SalesReport(code, built[1:], built[0])
