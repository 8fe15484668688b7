"""The read side: a stored forecast, on the tenant's read path (row-level security and a tenant
filter). One indexed row per read; nothing is computed here."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select, text

from domain.forecasting.models import DemandForecast
from domain.forecasting.series import Point
from domain.reading import Query, Reader

MAX_DAYS = 28  # refresh.HORIZON: what is stored

_T = DemandForecast.__table__
_ONE = select(_T).where(_T.c.tenant_id == bindparam("tenant"), _T.c.sku == bindparam("sku"))
_AT_LOCATION = Query(_ONE.where(_T.c.location_id == bindparam("location")))
_EVERYWHERE = Query(_ONE.where(_T.c.location_id.is_(None)))


@dataclass(frozen=True)
class StoredForecast:
    sku: str
    location_id: uuid.UUID | None
    method: str
    intermittent: bool
    history_days: int
    history_end: date
    points: tuple[Point, ...]
    mase: float | None
    wape: float | None
    naive_mase: float | None
    naive_wape: float | None
    returned_units: int
    computed_at: datetime

    def upcoming(self, today: date, days: int) -> tuple[Point, ...]:
        return upcoming(self.points, today, days)


def upcoming(points: Sequence[Point], today: date, days: int) -> tuple[Point, ...]:
    """The first `days` points from today on (a forecast made yesterday starts yesterday)."""
    return tuple(p for p in points if p.day >= today)[:days]


async def stored(
    reader: Reader, tenant_id: uuid.UUID, sku: str, location_id: uuid.UUID | None
) -> StoredForecast | None:
    """The SKU's forecast at the location, or across all locations (location None)."""
    if location_id is None:
        row = await reader.first(_EVERYWHERE, tenant=tenant_id, sku=sku)
    else:
        row = await reader.first(_AT_LOCATION, tenant=tenant_id, sku=sku, location=location_id)
    if row is None:
        return None
    return StoredForecast(
        row.sku,
        row.location_id,
        row.method,
        row.intermittent,
        row.history_days,
        row.history_end,
        tuple(Point.from_json(p) for p in _json(row.points)),
        row.mase,
        row.wape,
        row.naive_mase,
        row.naive_wape,
        row.returned_units,
        row.computed_at,
    )


def _json(raw: Any) -> list[dict[str, Any]]:
    return json.loads(raw) if isinstance(raw, str) else list(raw)


_UNITS = text("""
SELECT (o.created_at AT TIME ZONE 'UTC')::date AS day, sum(l.quantity)::bigint AS units
FROM order_lines l JOIN orders o ON o.id = l.order_id
WHERE l.tenant_id = :tenant AND o.tenant_id = :tenant AND l.sku = :sku
  AND o.created_at >= :start AND o.created_at < :end AND o.status <> 'CANCELLED'
GROUP BY 1
""")


async def units_per_day(
    reader: Reader, tenant_id: uuid.UUID, sku: str, start: datetime, end: datetime
) -> dict[date, int]:
    """Units of the SKU on orders placed per UTC day in [start, end), cancelled orders aside: the
    demand a forecast continues (domain/forecasting/demand.py counts it the same way)."""
    rows = await reader.all(_UNITS, tenant=tenant_id, sku=sku, start=start, end=end)
    return {r.day: int(r.units) for r in rows}
