"""The inventory report: per SKU, across every location, what is in stock, how fast it sells, how long it
lasts, how long it was out of stock, how often it turns, and whether it is dead stock.

Balances in the past come from the movement ledger, read backwards from today's levels: a day's closing
balance is today's balance less the changes of every later day. So one scan of the movements since the
period's start, summed per SKU and UTC day, gives each day's closing balance, which counts for the whole
day: the days that closed without sellable units (onHand - committed ≤ 0, summed over locations) and the
average onHand, counted from the product's creation when that falls inside the period. Demand is the
units of orders placed in the period and not cancelled, per day the product existed; shipped units come
from the SHIPPED movements."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text

from domain.analytics.periods import Period, listed
from domain.reading import Reader

FLOOR, CEILING = datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
_SQL = text("""
WITH lvl AS (
  SELECT v.product_id, sum(v.on_hand)::bigint AS on_hand, sum(v.on_hand - v.committed)::bigint AS available,
    sum(v.incoming)::bigint AS incoming,
    greatest(CAST(:start AS timestamptz), min(p.created_at)) AS tracked_from
  FROM inventory_levels v JOIN products p ON p.id = v.product_id AND p.tenant_id = :tenant
  WHERE v.tenant_id = :tenant
  GROUP BY v.product_id
),
moved AS (
  SELECT m.product_id, m.created_at, m.kind, m.on_hand_delta,
    m.on_hand_delta - m.committed_delta AS available_delta
  FROM inventory_movements m WHERE m.tenant_id = :tenant AND m.created_at >= :start
),
daily AS (
  SELECT product_id, date_trunc('day', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
    sum(on_hand_delta) AS on_hand_delta, sum(available_delta) AS available_delta
  FROM moved GROUP BY 1, 2
),
closing AS (
  SELECT d.product_id, d.day,
    l.available - coalesce(sum(d.available_delta) OVER later, 0) AS available,
    l.on_hand - coalesce(sum(d.on_hand_delta) OVER later, 0) AS on_hand
  FROM daily d JOIN lvl l USING (product_id)
  WINDOW later AS (PARTITION BY d.product_id ORDER BY d.day DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
opening AS (
  SELECT l.product_id, l.available - coalesce(sum(d.available_delta), 0) AS available,
    l.on_hand - coalesce(sum(d.on_hand_delta), 0) AS on_hand
  FROM lvl l LEFT JOIN daily d USING (product_id)
  GROUP BY l.product_id, l.available, l.on_hand
),
balances AS (
  SELECT o.product_id, o.available, o.on_hand, l.tracked_from AS since, 0 AS seq
  FROM opening o JOIN lvl l USING (product_id)
  UNION ALL
  SELECT c.product_id, c.available, c.on_hand, greatest(c.day, l.tracked_from), 1
  FROM closing c JOIN lvl l USING (product_id) WHERE c.day < :stop
),
spans AS (
  SELECT product_id, available, on_hand, extract(epoch FROM
    coalesce(lead(since) OVER (PARTITION BY product_id ORDER BY since, seq), :stop) - since) AS seconds
  FROM balances
),
held AS (
  SELECT product_id,
    coalesce(sum(seconds) FILTER (WHERE available <= 0), 0) / 86400.0 AS stockout_days,
    sum(on_hand * seconds) / nullif(sum(seconds), 0) AS average_on_hand
  FROM spans WHERE seconds > 0 GROUP BY product_id
),
ordered AS (
  SELECT ol.product_id, sum(ol.quantity)::bigint AS units
  FROM order_lines ol JOIN orders o ON o.id = ol.order_id
  WHERE ol.tenant_id = :tenant AND o.tenant_id = :tenant AND o.created_at >= :start AND o.created_at < :end
    AND o.status <> 'CANCELLED'
  GROUP BY ol.product_id
),
shipped AS (
  SELECT product_id, -sum(on_hand_delta)::bigint AS units
  FROM moved WHERE kind = 'SHIPPED' AND created_at < :end GROUP BY product_id
)
SELECT p.sku, p.name, l.on_hand, l.available, l.incoming,
  coalesce(o.units, 0) AS ordered, coalesce(s.units, 0) AS shipped,
  coalesce(h.stockout_days, 0) AS stockout_days, coalesce(h.average_on_hand, l.on_hand) AS average_on_hand,
  greatest(extract(epoch FROM CAST(:stop AS timestamptz) - l.tracked_from), 0) / 86400.0 AS days
FROM lvl l
  JOIN products p ON p.id = l.product_id AND p.tenant_id = :tenant
  LEFT JOIN ordered o ON o.product_id = l.product_id
  LEFT JOIN shipped s ON s.product_id = l.product_id
  LEFT JOIN held h ON h.product_id = l.product_id
ORDER BY p.sku
LIMIT :limit
""")


@dataclass(frozen=True)
class StockRow:
    sku: str
    name: str
    on_hand: int
    available: int  # onHand - committed, summed over locations (safety stock not deducted)
    incoming: int
    units_ordered: int
    units_shipped: int
    stockout_days: float
    average_on_hand: float
    days: float  # the days of the period (up to now) since the product was created

    @property
    def demand_per_day(self) -> float:
        """Units ordered per day the product existed in the period; a product younger than a day counts
        its first day whole, so that a minute's orders are not taken for a day's pace."""
        return self.units_ordered / max(self.days, 1.0)

    @property
    def days_of_cover(self) -> float | None:
        """How long today's available units last at the period's rate of demand; None without demand."""
        rate = self.demand_per_day
        return max(self.available, 0) / rate if rate > 0 else None

    @property
    def turnover(self) -> float | None:
        """Units shipped over the average units on hand; None when nothing was on hand."""
        return self.units_shipped / self.average_on_hand if self.average_on_hand > 0 else None

    @property
    def dead_stock(self) -> bool:
        """Units on hand and not one ordered in the period."""
        return self.on_hand > 0 and self.units_ordered == 0


@dataclass(frozen=True)
class InventoryReport:
    rows: list[StockRow]

    @property
    def out_of_stock(self) -> int:
        return sum(1 for r in self.rows if r.available <= 0)

    @property
    def dead_stock(self) -> int:
        return sum(1 for r in self.rows if r.dead_stock)


async def report(reader: Reader, tenant_id: uuid.UUID, period: Period, now: datetime) -> InventoryReport:
    """Every SKU with a stock level, by SKU; refused past MAX_BUCKETS SKUs, like the other reports."""
    # No stock moved before 1970; and asyncpg sends datetime.min and .max as ±infinity, which SQL
    # cannot subtract.
    start, end = (min(max(moment, FLOOR), CEILING) for moment in (period.start, period.end))
    stop = min(end, max(now, start))
    rows = await listed(reader, _SQL, tenant=tenant_id, start=start, end=end, stop=stop)
    return InventoryReport(
        [
            StockRow(
                r.sku,
                r.name,
                r.on_hand,
                r.available,
                r.incoming,
                r.ordered,
                r.shipped,
                round(float(r.stockout_days), 2),
                float(r.average_on_hand),
                float(r.days),
            )
            for r in rows
        ]
    )
