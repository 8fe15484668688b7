"""Writing forecasts and the run state (worker side, system-scope connection, tenant in every
statement)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime

import asyncpg

from domain.forecasting import methods
from domain.forecasting.series import Forecast

LEASE = "15 minutes"

_CLAIM = f"""
UPDATE forecast_runs SET leased_until = now() + interval '{LEASE}'
WHERE tenant_id = $1 AND (leased_until IS NULL OR leased_until < now())
RETURNING watermark, full_day, now() AS started
"""
_ENSURE = "INSERT INTO forecast_runs (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING"

_SAVE = """
INSERT INTO demand_forecasts AS f (id, tenant_id, sku, location_id, method, intermittent, history_days,
  history_end, points, mase, wape, naive_mase, naive_wape, returned_units, computed_at)
SELECT gen_random_uuid(), $1, v.sku, v.location_id, v.method, v.intermittent, v.history_days,
  v.history_end, v.points::jsonb, v.mase, v.wape, v.naive_mase, v.naive_wape, v.returned_units, now()
FROM unnest($2::text[], $3::uuid[], $4::text[], $5::bool[], $6::int[], $7::date[], $8::text[],
            $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::int[])
  AS v(sku, location_id, method, intermittent, history_days, history_end, points, mase, wape,
       naive_mase, naive_wape, returned_units)
ON CONFLICT (tenant_id, sku, location_id) DO UPDATE SET
  method = excluded.method, intermittent = excluded.intermittent, history_days = excluded.history_days,
  history_end = excluded.history_end, points = excluded.points, mase = excluded.mase,
  wape = excluded.wape, naive_mase = excluded.naive_mase, naive_wape = excluded.naive_wape,
  returned_units = excluded.returned_units, computed_at = excluded.computed_at
"""

# After a full run: forecasts of SKUs that no longer had any demand in the history window.
_FORGET = """
DELETE FROM demand_forecasts WHERE tenant_id = $1 AND computed_at < $2
"""

_DONE = """
UPDATE forecast_runs SET watermark = $2, full_day = coalesce($3, full_day), leased_until = NULL
WHERE tenant_id = $1
"""


async def claim(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> asyncpg.Record | None:
    """Leases the tenant's run (None while another worker holds it): its watermark and full_day."""
    await conn.execute(_ENSURE, tenant_id)
    return await conn.fetchrow(_CLAIM, tenant_id)


async def save(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    forecasts: Sequence[Forecast],
    history_end: date,
    returned: Mapping[str, int],
) -> None:
    if not forecasts:
        return

    def error(f: Forecast, method: str, attr: str) -> float | None:
        found = f.errors.get(method)
        value = getattr(found, attr) if found else None
        return float(value) if value is not None else None

    await conn.execute(
        _SAVE,
        tenant_id,
        [f.sku for f in forecasts],
        [uuid.UUID(f.location) if f.location else None for f in forecasts],
        [f.method for f in forecasts],
        [f.intermittent for f in forecasts],
        [f.history_days for f in forecasts],
        [history_end] * len(forecasts),
        [json.dumps([p.as_json() for p in f.points]) for f in forecasts],
        [error(f, f.method, "mase") for f in forecasts],
        [error(f, f.method, "wape") for f in forecasts],
        [error(f, methods.SEASONAL_NAIVE, "mase") for f in forecasts],
        [error(f, methods.SEASONAL_NAIVE, "wape") for f in forecasts],
        [returned.get(f.sku, 0) if f.location is None else 0 for f in forecasts],
    )


async def finish(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, watermark: datetime, full_day: date | None
) -> None:
    """Ends the run: demand seen up to `watermark`; after a full run, forgets forecasts it did not
    renew (SKUs without demand in the history window)."""
    async with conn.transaction():
        if full_day is not None:
            await conn.execute(_FORGET, tenant_id, watermark)
        await conn.execute(_DONE, tenant_id, watermark, full_day)


async def release(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    await conn.execute("UPDATE forecast_runs SET leased_until = NULL WHERE tenant_id = $1", tenant_id)
