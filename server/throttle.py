"""Abuse limits at the edge, in this process only: per client IP, failed authentications and WebSocket
connects (a leaky bucket each); per API key, the operations open over WebSocket. The query-cost budget
per key is shared by every process (domain/limits/budgets.py), through Postgres or Redis;
`sync_budgets` keeps it so.

Per-IP buckets are not shared between replicas: each allows the configured rate, so N replicas behind a
balancer allow up to N times it, which is enough to stop a flood and costs nothing per request. The IP is
the socket's peer as uvicorn sees it; behind a proxy, FORWARDED_ALLOW_IPS (uvicorn's) must name the
proxy so that X-Forwarded-For gives the client's address, or every client shares the proxy's bucket."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable

import asyncpg
import redis.asyncio as redis
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from domain.db import SYSTEM_SESSION
from domain.limits.bucket import Bucket, retry_after
from domain.limits.budgets import Budgets, PostgresLevels, SharedLevels
from domain.limits.redis_levels import RedisLevels

log = logging.getLogger("baton.throttle")

MAX_ADDRESSES = 100_000  # beyond this many tracked IPs, the full (idle) buckets are dropped
TOO_MANY_CONNECTS = 4429  # the WebSocket close code for a refused connect


class PerAddress:
    """A leaky bucket per client IP: each event takes one point."""

    def __init__(self, burst: float, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.rate = rate
        self.clock = clock
        self._buckets: dict[str, Bucket] = {}

    def exhausted(self, address: str) -> float:
        """Seconds until the address may act again; 0 while it has points left."""
        bucket = self._buckets.get(address)
        return bucket.wait(1, self.clock()) if bucket else 0.0

    def take(self, address: str) -> float:
        """Takes a point; returns 0 when there was one, else seconds until there is."""
        now = self.clock()
        bucket = self._buckets.get(address)
        if bucket is None:
            if len(self._buckets) >= MAX_ADDRESSES:
                self._forget_full(now)
            bucket = self._buckets[address] = Bucket.full(self.burst, self.rate, now)
        return 0.0 if bucket.take(1, now) else bucket.wait(1, now)

    def _forget_full(self, now: float) -> None:
        full = [a for a, b in self._buckets.items() if b.available(now) >= self.burst]
        for address in full or list(self._buckets):
            del self._buckets[address]


def too_many(seconds: float, message: str) -> JSONResponse:
    wait = retry_after(seconds)
    body = {"errors": [{"message": f"{message}; retry after {wait} s", "extensions": {"code": "THROTTLED"}}]}
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(wait)})


class OpenOperations:
    """Operations open over WebSocket per API key, across every connection of this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[uuid.UUID] = Counter()

    def claim(self, key_id: uuid.UUID) -> bool:
        if self._open[key_id] >= self.limit:
            return False
        self._open[key_id] += 1
        return True

    def release(self, key_id: uuid.UUID) -> None:
        self._open[key_id] -= 1
        if self._open[key_id] <= 0:
            del self._open[key_id]

    def count(self, key_id: uuid.UUID) -> int:
        return self._open[key_id]

    def total(self) -> int:
        return sum(self._open.values())


class _PostgresLink:
    """The shared levels in the database: one system-scope connection, opened again after a failure."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.conn: asyncpg.Connection | None = None

    async def levels(self) -> SharedLevels:
        if self.conn is None or self.conn.is_closed():
            self.conn = await asyncpg.connect(self.dsn, server_settings=SYSTEM_SESSION)
        return PostgresLevels(self.conn)

    async def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()


class _RedisLink:
    """The shared levels in Redis (BATON_REDIS_URL); the client reconnects by itself."""

    def __init__(self, url: str) -> None:
        self.client = redis.from_url(url)
        self.shared = RedisLevels(self.client)

    async def levels(self) -> SharedLevels:
        return self.shared

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.aclose()


async def sync_budgets(budgets: Budgets, dsn: str, every: float, redis_url: str | None = None) -> None:
    """Reconciles the process's cost buckets with the shared ones (in Redis when a URL is given, else
    in Postgres), in the background, for ever."""
    link: _PostgresLink | _RedisLink = _RedisLink(redis_url) if redis_url else _PostgresLink(dsn)
    try:
        while True:
            await asyncio.sleep(every)
            try:
                await budgets.sync(await link.levels())
            except Exception:
                # Meanwhile each process limits on its own: a blip must not stop requests.
                log.exception("could not reconcile the rate-limit buckets; retrying")
                if isinstance(link, _PostgresLink):
                    await link.close()
    finally:
        await link.close()


async def refuse_socket(websocket: WebSocket) -> None:
    """Accepts only to close at once with 4429: a refusal before accepting reaches the client as a bare
    HTTP 403, which says nothing about waiting."""
    offered = websocket.scope.get("subprotocols") or []
    await websocket.accept(
        subprotocol=GRAPHQL_TRANSPORT_WS_PROTOCOL if GRAPHQL_TRANSPORT_WS_PROTOCOL in offered else None
    )
    await websocket.close(code=TOO_MANY_CONNECTS, reason="Too many connections from this address")
