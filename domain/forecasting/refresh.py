"""Recomputing a tenant's forecasts, incrementally: once a day every series (a day without sales is
news too, and the forecast must start after it), and in between only the SKUs with orders placed or
cancelled since the last run. Demand is read in one statement, the computation runs outside any
transaction (in the worker's forecasting process), and the results are written in one statement."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, timedelta

import asyncpg

from domain.forecasting import demand, store
from domain.forecasting.series import Forecast, Series

HORIZON = 28  # days forecast and stored; demandForecast returns up to this many
HISTORY = 365  # days of demand read
# Orders committed late, placed a little before the watermark, are caught by the next run.
OVERLAP = timedelta(minutes=5)

Compute = Callable[[Sequence[Series], int], Awaitable[list[Forecast]]]
Acquire = Callable[[], AbstractAsyncContextManager[asyncpg.Connection]]  # asyncpg.Pool.acquire


async def refresh_tenant(
    acquire: Acquire, tenant_id: uuid.UUID, compute: Compute, today: date | None = None
) -> int | None:
    """Recomputes what changed for one tenant; returns the series computed, or None when another
    worker holds the tenant's lease. No connection is held while the forecasts are computed."""
    async with acquire() as conn:
        run = await store.claim(conn, tenant_id)
        if run is None:
            return None
        day = today or run["started"].date()
        full = run["full_day"] != day or run["watermark"] is None
        through = day - timedelta(days=1)  # today is not over: its demand is not known yet
        try:
            skus = None if full else await demand.changed_skus(conn, tenant_id, run["watermark"])
            series, returned = (
                await demand.daily_demand(conn, tenant_id, through, HISTORY, skus)
                if skus is None or skus
                else ([], {})
            )
        except BaseException:
            await store.release(conn, tenant_id)
            raise
    try:
        forecasts = await compute(series, HORIZON) if series else []
    except BaseException:
        async with acquire() as conn:
            await store.release(conn, tenant_id)  # another run may try sooner than the lease allows
        raise
    async with acquire() as conn:
        try:
            await store.save(conn, tenant_id, forecasts, through, returned)
            await store.finish(conn, tenant_id, run["started"] - OVERLAP, day if full else None)
        except BaseException:
            await store.release(conn, tenant_id)
            raise
    return len(forecasts)


async def tenants_with_orders(conn: asyncpg.Connection) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT t.id FROM tenants t WHERE EXISTS (SELECT 1 FROM orders o WHERE o.tenant_id = t.id) "
        "ORDER BY t.id"
    )
    return [r["id"] for r in rows]
