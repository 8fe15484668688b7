"""returnsReport: of the units sold in the period, how many came back, by SKU or by reason.

A cohort rate: the units of orders placed in the period (cancelled orders left out), and the units of
those same orders' return lines, whenever the return was requested, unless the return was declined or
cancelled. rate = returned / sold. By reason, a bucket's rate is its returned units over every unit
sold in the period (a reason has no sales of its own). A SKU bucket lists its returns by reason too."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import text

from domain.analytics.periods import MAX_BUCKETS, Grouping, Period, check_grouping, too_many
from domain.reading import Reader

GROUPINGS = frozenset({Grouping.SKU, Grouping.REASON})


@dataclass
class ReturnsRow:
    key: str | None  # None on the totals row
    sold: int
    returned: int
    by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.returned / self.sold if self.sold else None


@dataclass(frozen=True)
class ReturnsReport:
    buckets: list[ReturnsRow]
    totals: ReturnsRow


_FACTS = """
WITH sold AS (
  SELECT l.id, l.sku, l.quantity
  FROM orders o JOIN order_lines l ON l.order_id = o.id
  WHERE o.tenant_id = :tenant AND o.created_at >= :start AND o.created_at < :end AND o.status <> 'CANCELLED'
),
facts AS (
  SELECT s.sku, NULL::text AS reason, s.quantity AS sold, 0 AS returned FROM sold s
  UNION ALL
  SELECT s.sku, rl.reason, 0, rl.quantity
  FROM sold s JOIN return_lines rl ON rl.order_line_id = s.id JOIN returns r ON r.id = rl.return_id
  WHERE r.status NOT IN ('DECLINED', 'CANCELLED')
)"""

# By SKU: a bucket per SKU, its reasons (sku, reason), and the totals (); sold units carry no reason.
_BY_SKU = """
SELECT sku AS key, reason, grouping(sku) = 1 AS is_total, grouping(reason) = 0 AS by_reason,
  sum(sold)::bigint AS sold, sum(returned)::bigint AS returned
FROM facts
GROUP BY GROUPING SETS ((sku), (sku, reason), ())
ORDER BY is_total DESC, key, by_reason, reason"""

_BY_REASON = """
SELECT reason AS key, NULL AS reason, grouping(reason) = 1 AS is_total, false AS by_reason,
  sum(sold)::bigint AS sold, sum(returned)::bigint AS returned
FROM facts
GROUP BY GROUPING SETS ((reason), ())
ORDER BY is_total DESC, key"""

_STATEMENTS = {Grouping.SKU: text(_FACTS + _BY_SKU), Grouping.REASON: text(_FACTS + _BY_REASON)}


async def report(reader: Reader, tenant_id: uuid.UUID, period: Period) -> ReturnsReport:
    check_grouping("returnsReport", period.grouping, GROUPINGS)
    rows = await reader.all(
        _STATEMENTS[period.grouping], tenant=tenant_id, start=period.start, end=period.end
    )
    totals = ReturnsRow(None, 0, 0)
    buckets: dict[str, ReturnsRow] = {}
    for r in rows:
        if r.is_total:
            totals = ReturnsRow(None, r.sold or 0, r.returned or 0)
        elif r.by_reason:
            if r.reason is not None:  # sold units form a (sku, NULL) group: not a reason
                buckets[r.key].by_reason[r.reason] = r.returned
        elif period.grouping == Grouping.REASON and r.key is None:
            continue  # the sold units, which have no reason: counted in the totals
        else:
            buckets[r.key] = ReturnsRow(r.key, r.sold, r.returned)
    if len(buckets) > MAX_BUCKETS:
        raise too_many(len(buckets))
    if period.grouping == Grouping.REASON:
        for row in buckets.values():
            row.sold = totals.sold
            row.by_reason = {row.key or "": row.returned}
    totals.by_reason = (
        _reasons(buckets.values())
        if period.grouping == Grouping.SKU
        else {row.key or "": row.returned for row in buckets.values()}
    )
    return ReturnsReport(list(buckets.values()), totals)


def _reasons(rows: Iterable[ReturnsRow]) -> dict[str, int]:
    counted: dict[str, int] = defaultdict(int)
    for row in rows:
        for reason, units in row.by_reason.items():
            counted[reason] += units
    return dict(counted)
