"""The automatic reordering loop: every BATON_REORDER_INTERVAL seconds, each shop whose policy reorders
gets one pass (domain/purchasing/reordering.py) in a unit of work of its own. The shops are found in
system scope on the workers' pool; each pass runs for its tenant on a unit-of-work engine: inside
`baton serve` the requests' write engine (a pass is one more write), in `baton worker` one connection of
the worker's budget."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.purchasing.reordering import reorder_pass, shops_reordering
from domain.reading import Reader
from domain.uow import UnitOfWork

log = logging.getLogger("baton.reordering")
ACTOR = "worker:reordering"


async def reorder_all(pool: asyncpg.Pool, engine: AsyncEngine, today: date | None = None) -> int:
    """One pass over every shop that reorders; returns the purchase orders made. A shop whose pass fails
    is logged and left for the next pass; the others go on."""
    async with pool.acquire() as conn:
        shops = await shops_reordering(Reader(conn))
    made = 0
    for tenant_id in shops:
        try:
            made += len(
                await reorder_pass(UnitOfWork(engine, tenant_id, ACTOR), today or datetime.now(UTC).date())
            )
        except Exception:
            log.exception("automatic reordering failed for tenant %s; trying again next pass", tenant_id)
    if made:
        log.info("automatic reordering made %d purchase orders", made)
    return made


async def reorder_loop(pool: asyncpg.Pool, engine: AsyncEngine, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await reorder_all(pool, engine)
        except Exception:
            log.exception("automatic reordering failed; trying again next pass")
