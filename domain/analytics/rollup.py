"""Sales per UTC hour, kept by the worker, so that a salesReport over a year reads a few thousand rows
instead of every order in it (domain/analytics/sales_hours.py reads them).

One row per (tenant, hour, channel, currency): the orders placed in that hour as they stand now (orders
not cancelled, cancelled ones, their units and totals) and the refunds given in that hour on orders not
cancelled. A tenant's rows are exact as of its mark, a position in its event log: every change to an
order or its refunds records an Order event, so the hours of orders with events after the mark (or not
yet given a position) are "dirty", and readers take those hours from the orders themselves. The worker
recomputes dirty hours and moves the mark on; a tenant without a mark has no rows yet (readers use the
orders) until the worker builds them all, once.

Mark and rows are read and written in one REPEATABLE READ transaction per tenant, under the mark's row
lock, so two workers never interleave and the mark never passes a change the rows do not hold."""

from __future__ import annotations

import uuid

import asyncpg
from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, MetaData, String, Table
from sqlalchemy.dialects.postgresql import UUID

from domain.db import Base

metadata: MetaData = Base.metadata

sales_hours = Table(
    "sales_hours",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("hour", DateTime(timezone=True), primary_key=True),
    Column("channel", String(32), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("orders", Integer, nullable=False),
    Column("cancelled", Integer, nullable=False),
    Column("units", BigInteger, nullable=False),
    Column("gross", BigInteger, nullable=False),
    Column("refunds", BigInteger, nullable=False),
)
sales_hours_marks = Table(
    "sales_hours_marks",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("built_at", DateTime(timezone=True), nullable=False),
)

HOUR = "date_trunc('hour', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"

# The hours of the orders (placement) and refunds (when given) of orders with events after a position.
DIRTY_HOURS = f"""
touched AS (
  SELECT DISTINCT e.aggregate_id AS order_id FROM outbox_events e
  WHERE e.tenant_id = {{tenant}} AND e.aggregate_type = 'Order'
    AND (e.position > {{after}} OR {{unpublished}})
),
dirty AS (
  SELECT {HOUR.format(column="o.created_at")} AS hour
  FROM orders o JOIN touched t ON t.order_id = o.id WHERE o.tenant_id = {{tenant}}
  UNION
  SELECT {HOUR.format(column="r.created_at")}
  FROM refunds r JOIN touched t ON t.order_id = r.order_id WHERE r.tenant_id = {{tenant}}
)"""

# Every figure of some hours, or of all of them, from the orders and refunds themselves.
_FIGURES = f"""
INSERT INTO sales_hours (tenant_id, hour, channel, currency, orders, cancelled, units, gross, refunds)
SELECT $1::uuid, hour, channel, currency, sum(orders), sum(cancelled), sum(units), sum(gross), sum(refunds)
FROM (
  SELECT {HOUR.format(column="o.created_at")} AS hour, o.channel, o.currency,
    count(*) FILTER (WHERE o.status <> 'CANCELLED') AS orders,
    count(*) FILTER (WHERE o.status = 'CANCELLED') AS cancelled,
    coalesce(sum((SELECT sum(l.quantity) FROM order_lines l WHERE l.order_id = o.id))
      FILTER (WHERE o.status <> 'CANCELLED'), 0) AS units,
    coalesce(sum(o.total) FILTER (WHERE o.status <> 'CANCELLED'), 0) AS gross,
    0 AS refunds
  FROM {{orders}}
  GROUP BY 1, 2, 3
  UNION ALL
  SELECT {HOUR.format(column="r.created_at")}, o.channel, o.currency, 0, 0, 0, 0, sum(r.amount)
  FROM {{refunds}} JOIN orders o ON o.id = r.order_id AND o.tenant_id = $1 AND o.status <> 'CANCELLED'
  GROUP BY 1, 2, 3
) figures
GROUP BY 2, 3, 4
"""
# By hour, so that each hour is read through (tenant_id, created_at) and nothing else is.
_IN_HOURS = (
    "unnest($2::timestamptz[]) h(at) JOIN {table} ON {alias}.tenant_id = $1"
    " AND {alias}.created_at >= h.at AND {alias}.created_at < h.at + interval '1 hour'"
)
_HOURS = _FIGURES.format(
    orders=_IN_HOURS.format(table="orders o", alias="o"),
    refunds=_IN_HOURS.format(table="refunds r", alias="r"),
)
_ALL = _FIGURES.format(
    orders="orders o WHERE o.tenant_id = $1", refunds="(SELECT * FROM refunds WHERE tenant_id = $1) r"
)
_MARK = """
INSERT INTO sales_hours_marks (tenant_id, position, built_at) VALUES ($1, $2, now())
ON CONFLICT (tenant_id) DO UPDATE SET position = excluded.position, built_at = excluded.built_at
"""
_DIRTY = (
    "WITH "
    + DIRTY_HOURS.format(tenant="$1", after="$2", unpublished="false")
    + (" SELECT array_agg(hour ORDER BY hour) FROM dirty WHERE hour IS NOT NULL")
)
# Tenants whose log has moved past their mark, or that have none yet.
BEHIND = """
SELECT t.id AS tenant_id
FROM tenants t
  LEFT JOIN event_log_heads h ON h.tenant_id = t.id
  LEFT JOIN sales_hours_marks m ON m.tenant_id = t.id
WHERE m.position IS NULL OR coalesce(h.position, 0) > m.position
ORDER BY t.id
LIMIT $1
"""


async def refresh(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> int:
    """Brings one tenant's rows up to its log's head (builds them all the first time); the hours
    recomputed, or -1 for a full build. `conn` is in system scope, outside a transaction."""
    async with conn.transaction(isolation="repeatable_read"):
        await conn.execute(
            "INSERT INTO sales_hours_marks (tenant_id, position, built_at) VALUES ($1, -1, now()) "
            "ON CONFLICT DO NOTHING",
            tenant_id,
        )
        mark = await conn.fetchval(
            "SELECT position FROM sales_hours_marks WHERE tenant_id = $1 FOR UPDATE", tenant_id
        )
        head = (
            await conn.fetchval("SELECT position FROM event_log_heads WHERE tenant_id = $1", tenant_id) or 0
        )
        if mark >= 0 and head <= mark:
            return 0
        if mark < 0:
            await conn.execute("DELETE FROM sales_hours WHERE tenant_id = $1", tenant_id)
            await conn.execute(_ALL, tenant_id)
            await conn.execute(_MARK, tenant_id, head)
            return -1
        hours = await conn.fetchval(_DIRTY, tenant_id, mark) or []
        if hours:
            await conn.execute(
                "DELETE FROM sales_hours WHERE tenant_id = $1 AND hour = ANY($2)", tenant_id, hours
            )
            await conn.execute(_HOURS, tenant_id, hours)
        await conn.execute(_MARK, tenant_id, head)
        return len(hours)


async def refresh_all(conn: asyncpg.Connection, batch: int = 100) -> int:
    """One pass over the tenants that are behind; how many were brought up to date. A tenant another
    worker is refreshing at the same moment is left to it."""
    behind = await conn.fetch(BEHIND, batch)
    done = 0
    for row in behind:
        try:
            await refresh(conn, row["tenant_id"])
            done += 1
        except asyncpg.SerializationError:
            continue
    return done
