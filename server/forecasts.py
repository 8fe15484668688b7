"""The forecast loop: every BATON_FORECAST_INTERVAL seconds, each tenant's forecasts are brought up to
date (domain/forecasting/refresh.py: all series once a day, otherwise only SKUs with new orders). The
computation runs in one child process of its own, started on the first run and kept: the forecasting
library's import (about two seconds) and its CPU stay out of the server's event loop, and the
app itself never imports it."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import asyncpg

from domain.forecasting import engine, refresh
from domain.forecasting.series import Forecast, Series
from server.settings import Settings

log = logging.getLogger("baton.forecasts")
FIRST_RUN_AFTER = 30.0  # seconds after start: let the server settle (and short-lived test apps never run it)
BATCH = 500  # series per call into the child process


class ForecastProcess:
    """engine.forecast in a child process (spawned, not forked: the parent runs an event loop)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def __call__(self, series: Sequence[Series], horizon: int) -> list[Forecast]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        loop = asyncio.get_running_loop()
        found: list[Forecast] = []
        try:
            for i in range(0, len(series), BATCH):
                batch = list(series[i : i + BATCH])
                found += await loop.run_in_executor(self._pool, engine.forecast, batch, horizon)
        except BrokenProcessPool:
            self.close()  # the child died (killed, out of memory): the next run starts another
            raise
        return found

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


async def forecast_loop(pool: asyncpg.Pool, settings: Settings) -> None:
    compute = ForecastProcess()
    try:
        await asyncio.sleep(min(FIRST_RUN_AFTER, settings.forecast_interval))
        while True:
            try:
                async with pool.acquire() as conn:
                    tenants = await refresh.tenants_with_orders(conn)
                for tenant_id in tenants:
                    computed = await refresh.refresh_tenant(pool.acquire, tenant_id, compute)
                    if computed:
                        log.info("forecast %d series of tenant %s", computed, tenant_id)
            except Exception:
                log.exception("forecasting failed; trying again at the next run")
            await asyncio.sleep(settings.forecast_interval)
    finally:
        compute.close()
