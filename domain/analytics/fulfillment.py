"""fulfillmentReport: how fast orders leave and arrive, per bucket and in total, in one statement.

Every shipment created in the period counts once, in the bucket of its creation (day/week/month in the
report's time zone), of its channel (the order's) or of its location (where it left from):
- placement → ship: the shipment's creation minus the order's placement;
- ship → delivery: the carrier's delivery time minus the shipment's creation (delivered ones only);
- on time: created no later than its fulfillment order's shipBy.
Every backorder filled in the period (an allocation whose units arrived after placement) counts in the
bucket of its filling, its order's channel or its location:
- backorder fill time: when its units were reserved minus the order's placement, per filled allocation.
Percentiles are continuous (percentile_cont), in hours; null when nothing has the measure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text

from domain.analytics.periods import TIME_GROUPINGS, Grouping, Period, capped, check_grouping, time_key
from domain.reading import Reader

GROUPINGS = frozenset({Grouping.DAY, Grouping.WEEK, Grouping.MONTH, Grouping.CHANNEL, Grouping.LOCATION})


@dataclass(frozen=True)
class FulfillmentRow:
    key: str | None  # None on the totals row
    shipments: int
    delivered: int
    on_time: int
    to_ship_p50: float | None
    to_ship_p90: float | None
    to_deliver_p50: float | None
    to_deliver_p90: float | None
    backordered_units_filled: int = 0
    to_fill_p50: float | None = None
    to_fill_p90: float | None = None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.shipments if self.shipments else None


@dataclass(frozen=True)
class FulfillmentReport:
    buckets: list[FulfillmentRow]
    totals: FulfillmentRow


_SQL = """
WITH facts AS (
  SELECT {key} AS key,
    extract(epoch FROM s.created_at - o.created_at) / 3600.0 AS to_ship,
    extract(epoch FROM s.delivered_at - s.created_at) / 3600.0 AS to_deliver,
    s.created_at <= f.ship_by AS on_time, NULL::float8 AS to_fill, 0 AS filled, true AS shipped
  FROM shipments s
    JOIN orders o ON o.id = s.order_id
    JOIN fulfillment_orders f ON f.id = s.fulfillment_order_id
    JOIN locations l ON l.id = s.location_id
  WHERE s.tenant_id = :tenant AND s.created_at >= :start AND s.created_at < :end AND o.tenant_id = :tenant
  UNION ALL
  SELECT {fill_key}, NULL, NULL, NULL, extract(epoch FROM a.filled_at - o.created_at) / 3600.0, a.quantity,
    false
  FROM order_allocations a
    JOIN orders o ON o.id = a.order_id
    JOIN locations l ON l.id = a.location_id
  WHERE a.tenant_id = :tenant AND a.filled_at >= :start AND a.filled_at < :end AND o.tenant_id = :tenant
)
SELECT key, grouping(key) = 1 AS is_total, count(*) FILTER (WHERE shipped) AS shipments,
  count(to_deliver) AS delivered, count(*) FILTER (WHERE on_time) AS on_time,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY to_ship) AS to_ship_p50,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY to_ship) AS to_ship_p90,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY to_deliver) AS to_deliver_p50,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY to_deliver) AS to_deliver_p90,
  sum(filled) AS filled,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY to_fill) AS to_fill_p50,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY to_fill) AS to_fill_p90
FROM facts
GROUP BY GROUPING SETS ((key), ())
ORDER BY is_total DESC, key
LIMIT :limit"""


def _key(grouping: Grouping, moment: str) -> str:
    if grouping in TIME_GROUPINGS:
        return time_key(moment, grouping)
    return "o.channel" if grouping == Grouping.CHANNEL else "l.code"


_STATEMENTS = {
    g: text(_SQL.format(key=_key(g, "s.created_at"), fill_key=_key(g, "a.filled_at"))) for g in GROUPINGS
}


async def report(reader: Reader, tenant_id: uuid.UUID, period: Period) -> FulfillmentReport:
    check_grouping("fulfillmentReport", period.grouping, GROUPINGS)
    rows = await capped(
        reader,
        _STATEMENTS[period.grouping],
        tenant=tenant_id,
        start=period.start,
        end=period.end,
        tz=period.time_zone,
    )
    built = [
        FulfillmentRow(
            r.key,
            r.shipments,
            r.delivered,
            r.on_time,
            _float(r.to_ship_p50),
            _float(r.to_ship_p90),
            _float(r.to_deliver_p50),
            _float(r.to_deliver_p90),
            int(r.filled or 0),
            _float(r.to_fill_p50),
            _float(r.to_fill_p90),
        )
        for r in rows
    ]
    return FulfillmentReport(built[1:], built[0])


def _float(value: object) -> float | None:
    return None if value is None else round(float(value), 3)  # type: ignore[arg-type]
