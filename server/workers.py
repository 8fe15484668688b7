"""Background loops over the event log: the relay, pruning and the sales rollup (and, in their own
modules, webhook delivery and customer emails). They run inside `baton serve` and in `baton worker`;
every claim uses FOR UPDATE SKIP LOCKED (the rollup, a row lock per tenant), so any number of processes
can run them side by side."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.analytics import rollup
from domain.audit import service as audit
from domain.db import SYSTEM_SESSION, make_engine, utcnow
from domain.events import signal
from domain.events.relay import prune, relay_once
from domain.notifications import outbox as emails_outbox
from domain.orders.approval_deadline import find_overdue
from domain.webhooks import delivery as webhook_delivery
from domain.workflows.approving import reject_overdue
from server.reordering import reorder_loop
from server.settings import Settings

log = logging.getLogger("baton.workers")
PRUNE_EVERY = 3600.0
ROLLUP_EVERY = 10.0  # seconds; reports read what the rollup does not hold yet from the orders
APPROVAL_DEADLINES_EVERY = 60.0
# After a round that published events, the relay waits this long (at most its idle interval) before
# the next: under a steady stream of writes one round then numbers every event committed meanwhile,
# where a round per nudge (about ten statements) cost each order as much as its own placement's
# statements. An idle relay still answers the first nudge at once.
RELAY_GATHER = 0.05
OVERDUE_BATCH = 50


async def _nap(wake: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), seconds)
    wake.clear()


async def relay_loop(pool: asyncpg.Pool, interval: float) -> None:
    gather = min(interval, RELAY_GATHER)
    nudged = asyncio.Event()
    forget = signal.on_written(nudged.set)
    try:
        while True:
            try:
                async with pool.acquire() as conn:
                    published = await relay_once(conn)
            except Exception:
                log.exception("the relay failed; retrying")
                published = []
                await asyncio.sleep(1)
            if published:
                await asyncio.sleep(gather)
            else:
                await _nap(nudged, interval)
    finally:
        forget()


async def prune_loop(pool: asyncpg.Pool, retention_days: float, audit_days: float = 365.0) -> None:
    while True:
        try:
            async with pool.acquire() as conn:
                deleted = await prune(conn, retention_days)
                deleted += await webhook_delivery.prune(conn, retention_days)
                deleted += await emails_outbox.prune(conn, retention_days)
                deleted += await audit.prune(conn, audit_days)
            if deleted:
                log.info(
                    "pruned %d events, deliveries and emails older than %s days (audit entries: %s)",
                    deleted,
                    retention_days,
                    audit_days,
                )
        except Exception:
            log.exception("pruning failed; trying again later")
        await asyncio.sleep(PRUNE_EVERY)


async def rollup_loop(pool: asyncpg.Pool, interval: float = ROLLUP_EVERY) -> None:
    """Keeps salesReport's hourly rollup up to each tenant's log (domain/analytics/rollup.py)."""
    while True:
        try:
            async with pool.acquire() as conn:
                while await rollup.refresh_all(conn):
                    pass
        except Exception:
            log.exception("the sales rollup failed; trying again later")
        await asyncio.sleep(interval)


async def approval_deadline_loop(pool: asyncpg.Pool, engine: AsyncEngine, interval: float) -> None:
    """Rejects orders whose approval rule's deadline passed undecided. Finding them takes the pool's
    connection briefly; each rejection is a write through `engine`, like a request's."""
    while True:
        found = 0
        try:
            async with pool.acquire() as conn:
                overdue = await find_overdue(conn, utcnow(), OVERDUE_BATCH)
            found = len(overdue)
            if overdue:
                rejected = await reject_overdue(engine, overdue)
                log.info("rejected %d order(s) whose approval deadline passed", rejected)
        except Exception:
            log.exception("rejecting overdue approvals failed; trying again later")
        if found < OVERDUE_BATCH:  # a full batch: more may be due at once
            await asyncio.sleep(interval)


Loop = Callable[[asyncpg.Pool], Awaitable[None]]


def delivery_loops(settings: Settings) -> list[Loop]:
    """The loops beside the relay and pruning: webhook delivery, the sales rollup, customer emails when
    SMTP is set, and demand forecasts unless BATON_FORECAST_INTERVAL is 0."""
    from server.emails import email_loop
    from server.forecasts import forecast_loop
    from server.webhooks import webhook_loop

    loops: list[Loop] = [lambda pool: webhook_loop(pool, settings), rollup_loop]
    if settings.smtp_host:
        loops.append(lambda pool: email_loop(pool, settings))
    if settings.forecast_interval > 0:
        loops.append(lambda pool: forecast_loop(pool, settings))
    return loops


class Workers:
    """The background loops of one process, on a small pool of their own. They work across tenants, so
    every session of that pool runs in system scope (app.scope = 'system'), which row-level security
    requires for that: a connection that names no tenant and no scope sees nothing."""

    def __init__(self, dsn: str, settings: Settings, size: int, engine: AsyncEngine | None = None) -> None:
        self._dsn = dsn
        self._settings = settings
        self._size = size  # server/connections.py: 2 inside serve, one per loop in a worker
        self._pool: asyncpg.Pool | None = None
        self._tasks: list[asyncio.Task[None]] = []
        # Overdue approvals and automatic reordering run use cases: on the requests' write engine inside
        # serve; a worker gives one connection of its own budget to an engine of its own for both.
        self._engine = engine
        self._own_engine: AsyncEngine | None = None

    async def start(self) -> None:
        s = self._settings
        size = self._size
        if self._engine is None:
            size = max(1, size - 1)
            self._own_engine = make_engine(self._dsn, pool_size=1, max_overflow=0)
        pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=size, server_settings=SYSTEM_SESSION)
        try:
            await check_system_scope(pool)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool
        log.info("the background workers' pool runs in system scope (every tenant's rows)")
        loops: list[Awaitable[None]] = [
            relay_loop(self._pool, s.relay_interval),
            prune_loop(self._pool, s.event_retention_days, s.audit_retention_days),
            *(loop(self._pool) for loop in delivery_loops(s)),
        ]
        engine = self._engine or self._own_engine
        assert engine is not None
        loops.append(approval_deadline_loop(self._pool, engine, APPROVAL_DEADLINES_EVERY))
        if s.reorder_interval > 0:
            loops.append(reorder_loop(self._pool, engine, s.reorder_interval))
        self._tasks = [asyncio.create_task(_guarded(c)) for c in loops]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if self._own_engine is not None:
            await self._own_engine.dispose()
            self._own_engine = None


async def check_system_scope(pool: asyncpg.Pool) -> None:
    """A session setting can be lost on the way (a PgBouncer that drops unknown startup parameters);
    the loops would then find no work, silently. Say so instead."""
    scope = await pool.fetchval("SELECT current_setting('app.scope', true)")
    if scope != SYSTEM_SESSION["app.scope"]:
        raise RuntimeError(
            "the workers' connections are not in system scope (app.scope is "
            f"{scope!r}): connect them straight to Postgres, not through a pooler that drops it"
        )


async def _guarded(loop: Awaitable[None]) -> None:
    try:
        await loop
    except asyncio.CancelledError:
        raise
    except Exception:  # a loop must never die silently
        log.exception("a background loop stopped")
        raise
