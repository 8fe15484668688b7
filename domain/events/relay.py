"""The relay: gives committed outbox rows their place in the tenant's log.

In its own transaction it claims tenants with unpublished rows by locking their head row
(`FOR UPDATE SKIP LOCKED`, so several relays work on different tenants at once), numbers the rows it can
see in write order with consecutive positions after the head, moves the head, and asks for one NOTIFY per
tenant, which Postgres sends at commit. Positions go only to rows that are already committed, one relay
at a time per tenant, so a reader that asks for `position > cursor` can neither skip nor see twice.

It serves every tenant, so its connection must be in system scope (app.scope = 'system': the workers'
pool is); row-level security shows a connection that names no tenant and no scope nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

CHANNEL = "baton_events"

# A tenant's first events create its head, and the cursors of the log's background consumers start
# at 0 with it, so they see the tenant's first events. (A consumer first switched on for a tenant
# that already has a head starts at that head instead: see domain/notifications/outbox.py.)
CONSUMERS = ("email",)
_ENSURE_HEADS = """
WITH fresh AS (
  INSERT INTO event_log_heads (tenant_id)
  SELECT DISTINCT tenant_id FROM outbox_events WHERE position IS NULL
  ON CONFLICT (tenant_id) DO NOTHING
  RETURNING tenant_id
)
INSERT INTO consumer_cursors (consumer, tenant_id)
SELECT consumer, tenant_id FROM fresh, unnest($1::text[]) AS consumer
ON CONFLICT (consumer, tenant_id) DO NOTHING
"""
_CLAIM = """
SELECT h.tenant_id, h.position FROM event_log_heads h
WHERE EXISTS (SELECT 1 FROM outbox_events e WHERE e.tenant_id = h.tenant_id AND e.position IS NULL)
LIMIT $1
FOR UPDATE OF h SKIP LOCKED
"""
_PENDING = """
SELECT id, aggregate_type, aggregate_id FROM outbox_events
WHERE tenant_id = $1 AND position IS NULL ORDER BY seq LIMIT $2
"""
_STREAMS = """
SELECT aggregate_type, aggregate_id, last_seq FROM event_streams
WHERE tenant_id = $1 AND (aggregate_type, aggregate_id) IN (SELECT * FROM unnest($2::text[], $3::uuid[]))
"""
_SAVE_STREAMS = """
INSERT INTO event_streams (tenant_id, aggregate_type, aggregate_id, last_seq)
SELECT $1, * FROM unnest($2::text[], $3::uuid[], $4::bigint[])
ON CONFLICT (tenant_id, aggregate_type, aggregate_id) DO UPDATE SET last_seq = EXCLUDED.last_seq
"""
_NUMBER = """
UPDATE outbox_events e SET position = v.position, aggregate_seq = v.aggregate_seq
FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS v(id, position, aggregate_seq)
WHERE e.id = v.id
"""


@dataclass(frozen=True)
class Published:
    tenant_id: uuid.UUID
    position: int  # the tenant's head after this batch
    count: int


async def relay_once(conn: asyncpg.Connection, tenants: int = 16, batch: int = 1000) -> list[Published]:
    """One round: publishes up to `batch` rows for each of up to `tenants` claimed tenants."""
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox_events WHERE position IS NULL)"):
        await conn.execute(_ENSURE_HEADS, list(CONSUMERS))
    else:
        return []
    published: list[Published] = []
    async with conn.transaction():
        for head in await conn.fetch(_CLAIM, tenants):
            done = await _publish(conn, head["tenant_id"], head["position"], batch)
            if done:
                published.append(done)
    return published


async def _publish(conn: asyncpg.Connection, tenant: uuid.UUID, head: int, batch: int) -> Published | None:
    rows = await conn.fetch(_PENDING, tenant, batch)
    if not rows:
        return None
    keys = list(dict.fromkeys((r["aggregate_type"], r["aggregate_id"]) for r in rows))
    streams = {
        (s["aggregate_type"], s["aggregate_id"]): s["last_seq"]
        for s in await conn.fetch(_STREAMS, tenant, [k[0] for k in keys], [k[1] for k in keys])
    }
    ids, positions, seqs = [], [], []
    for offset, row in enumerate(rows, start=1):
        key = (row["aggregate_type"], row["aggregate_id"])
        streams[key] = streams.get(key, 0) + 1
        ids.append(row["id"])
        positions.append(head + offset)
        seqs.append(streams[key])
    await conn.execute(
        _SAVE_STREAMS, tenant, [k[0] for k in keys], [k[1] for k in keys], [streams[k] for k in keys]
    )
    await conn.execute(_NUMBER, ids, positions, seqs)
    top = head + len(rows)
    await conn.execute("UPDATE event_log_heads SET position = $2 WHERE tenant_id = $1", tenant, top)
    # Delivered at commit, and only then: a listener that wakes on it finds the rows visible.
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{tenant}:{top}")
    return Published(tenant, top, len(rows))


async def prune(conn: asyncpg.Connection, retention_days: float, batch: int = 5000) -> int:
    """Deletes published events older than the retention, a batch at a time; returns how many."""
    total = 0
    while True:
        status = await conn.execute(
            # Always a prefix of each tenant's positions: occurred_at is the writer's clock, not
            # commit order, so "older than" alone could cut a hole in the log a reader relies on.
            """WITH kept AS (
                 SELECT tenant_id, min(position) AS first FROM outbox_events
                 WHERE position IS NOT NULL AND occurred_at >= now() - make_interval(secs => $1)
                 GROUP BY tenant_id)
               DELETE FROM outbox_events WHERE id IN (
                 SELECT e.id FROM outbox_events e LEFT JOIN kept k ON k.tenant_id = e.tenant_id
                 WHERE e.position IS NOT NULL AND e.occurred_at < now() - make_interval(secs => $1)
                   AND (k.first IS NULL OR e.position < k.first)
                 LIMIT $2)""",
            retention_days * 86400,
            batch,
        )
        deleted = int(status.split()[-1])
        total += deleted
        if deleted < batch:
            return total
