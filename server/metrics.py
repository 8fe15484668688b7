"""/metrics in Prometheus's format, on a port of its own (BATON_METRICS_PORT; off when unset), never on
the API's: requests by kind and status with their latency, GraphQL errors by code and orders placed
(schema/metrics.py), connections in use in both database pools, open WebSocket connections and
subscriptions, and, read from the database every few seconds, how far the event relay lags, and the
webhook deliveries and customer emails waiting to go out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import asyncpg
from prometheus_client import Counter, Gauge, Histogram, start_http_server
from starlette.types import Scope

from domain.db import SYSTEM_SESSION

if TYPE_CHECKING:
    from server.app import BatonGraphQL

log = logging.getLogger("baton.metrics")

REQUESTS = Counter("baton_http_requests", "HTTP requests answered, by kind and status", ["kind", "status"])
LATENCY = Histogram(
    "baton_http_request_duration_seconds",
    "Time to answer an HTTP request, by kind",
    ["kind"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SOCKETS = Gauge("baton_websocket_connections", "WebSocket connections open in this process")
SUBSCRIPTIONS = Gauge("baton_websocket_operations", "Operations open over WebSocket in this process")
READ_POOL = Gauge("baton_db_read_connections", "Read pool connections, by state", ["state"])
WRITE_POOL = Gauge("baton_db_write_connections_in_use", "Write pool connections checked out")
RELAY_LAG = Gauge("baton_relay_lag_seconds", "Age of the oldest event the relay has not numbered yet")
RELAY_BACKLOG = Gauge("baton_relay_backlog_events", "Events the relay has not numbered yet")
WEBHOOKS_PENDING = Gauge("baton_webhook_deliveries_pending", "Webhook deliveries waiting to go out")
EMAILS_PENDING = Gauge("baton_emails_pending", "Customer emails waiting to go out")

SAMPLE = """
SELECT
  (SELECT coalesce(extract(epoch FROM now() - min(occurred_at)), 0) FROM outbox_events
    WHERE position IS NULL) AS lag,
  (SELECT count(*) FROM outbox_events WHERE position IS NULL) AS backlog,
  (SELECT count(*) FROM webhook_deliveries WHERE status = 'PENDING') AS webhooks,
  (SELECT count(*) FROM notifications WHERE status = 'PENDING') AS emails
"""


def observe(scope: Scope, status: int, seconds: float) -> None:
    """Counts and times one answered HTTP request (server/access.py measures it once for its line and
    for this): a mutation (as the operation says, server/disconnects.py's mark), another GraphQL
    request, or anything else."""
    kind = _kind(scope)
    series = _series.get((kind, status))
    if series is None:  # labels() takes a lock and builds its key each time: looked up once per pair
        series = _series[kind, status] = (REQUESTS.labels(kind, str(status)), LATENCY.labels(kind))
    series[0].inc()
    series[1].observe(seconds)


_series: dict[tuple[str, int], tuple[Any, Any]] = {}


def _kind(scope: Scope) -> str:
    if scope.get("path") != "/graphql":
        return "other"
    context = (scope.get("state") or {}).get("context")
    return "mutation" if getattr(context, "writes", False) else "graphql"


def watch(view: BatonGraphQL) -> None:
    """The gauges read at each scrape, from this process's pools and sockets."""
    SUBSCRIPTIONS.set_function(lambda: view.open_operations.total())
    READ_POOL.labels("open").set_function(lambda: view.reads.size()[0])
    READ_POOL.labels("idle").set_function(lambda: view.reads.size()[1])
    WRITE_POOL.set_function(lambda: _checked_out(view.engine))


def _checked_out(engine: Any) -> float:
    pool = engine.sync_engine.pool
    return float(pool.checkedout()) if hasattr(pool, "checkedout") else 0.0


@contextlib.asynccontextmanager
async def serving(view: BatonGraphQL, dsn: str, host: str, port: int, every: float) -> AsyncIterator[None]:
    """/metrics on `port` while the block runs, and the database figures sampled every `every` s."""
    if not port:
        yield
        return
    watch(view)
    server, thread = start_http_server(port, addr=host)
    log.info("metrics at http://%s:%s/metrics", host, port)
    sampling = asyncio.create_task(_sample(dsn, every))
    try:
        yield
    finally:
        sampling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampling
        server.shutdown()
        thread.join(timeout=5)


async def _sample(dsn: str, every: float) -> None:
    """Across tenants, so on a system-scope connection of its own, opened again after a failure."""
    conn: asyncpg.Connection | None = None
    while True:
        try:
            if conn is None or conn.is_closed():
                conn = await asyncpg.connect(dsn, server_settings=SYSTEM_SESSION)
            row = await conn.fetchrow(SAMPLE)
            RELAY_LAG.set(float(row["lag"]))
            RELAY_BACKLOG.set(row["backlog"])
            WEBHOOKS_PENDING.set(row["webhooks"])
            EMAILS_PENDING.set(row["emails"])
        except asyncio.CancelledError:
            if conn is not None:
                await conn.close()
            raise
        except Exception:
            log.warning("could not sample the database for /metrics; trying again", exc_info=True)
            conn = None
        await asyncio.sleep(every)
