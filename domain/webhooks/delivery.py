"""Webhook delivery, the database side (the HTTP side is server/webhooks.py).

1. Fan-out: for each active endpoint behind its tenant's log head (claimed with SKIP LOCKED), one
   delivery row per new event of its types; the endpoint's position moves in the same transaction, so an
   event becomes a delivery exactly once (replays add more on purpose).
2. Claim: due deliveries are leased (SKIP LOCKED, next attempt pushed past the HTTP timeout) and
   committed before any request is made, so no transaction stays open across a slow endpoint; a worker
   that dies mid-request leaves the lease to expire and another worker tries again (at least once).
3. Record: every attempt is kept; success ends a delivery, 410 Gone or a spent schedule disables the
   endpoint, anything else is retried on the schedule (with jitter, or after Retry-After on 429). Only
   the current lease's holder records: a worker whose lease ran out (and was claimed again) changes
   nothing, so one attempt number is never recorded twice.

The workers serve every tenant, so these run on connections in system scope (the workers' pool);
row-level security shows a connection that names no tenant and no scope nothing."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from domain.ids import to_global
from domain.secrets import reveal

# Seconds to wait after the 1st, 2nd … failed attempt: about three days in all.
SCHEDULE: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
JITTER = 0.2
MAX_RETRY_AFTER = 86400.0

# Oldest waiting event first (positions are per tenant, so they cannot rank endpoints of different
# tenants), so that no endpoint or tenant waits behind others that keep falling behind.
_BEHIND = """
SELECT w.id, w.tenant_id, w.position, w.event_types FROM webhook_endpoints w
JOIN event_log_heads h ON h.tenant_id = w.tenant_id
WHERE w.active AND w.position < h.position
ORDER BY (SELECT e.occurred_at FROM outbox_events e
          WHERE e.tenant_id = w.tenant_id AND e.position > w.position
          ORDER BY e.position LIMIT 1) NULLS LAST, w.position, w.id
LIMIT $1 FOR UPDATE OF w SKIP LOCKED
"""
_NEW_EVENTS = """
SELECT id, type, position FROM outbox_events
WHERE tenant_id = $1 AND position > $2 ORDER BY position LIMIT $3
"""
_ENQUEUE = """
INSERT INTO webhook_deliveries
  (id, tenant_id, endpoint_id, event_id, event_position, event_type, status, attempts, next_attempt_at)
SELECT gen_random_uuid(), $1, $2, v.event_id, v.position, v.type, 'PENDING', 0, now()
FROM unnest($3::uuid[], $4::bigint[], $5::text[]) AS v(event_id, position, type)
"""


async def fan_out_once(conn: asyncpg.Connection, endpoints: int = 20, batch: int = 500) -> int:
    """Turns new events into deliveries for up to `endpoints` endpoints; returns deliveries made."""
    made = 0
    async with conn.transaction():
        for ep in await conn.fetch(_BEHIND, endpoints):
            rows = await conn.fetch(_NEW_EVENTS, ep["tenant_id"], ep["position"], batch)
            if not rows:
                continue
            types = set(ep["event_types"])
            chosen = [r for r in rows if not types or r["type"] in types]
            if chosen:
                await conn.execute(
                    _ENQUEUE,
                    ep["tenant_id"],
                    ep["id"],
                    [r["id"] for r in chosen],
                    [r["position"] for r in chosen],
                    [r["type"] for r in chosen],
                )
            await conn.execute(
                "UPDATE webhook_endpoints SET position = $2 WHERE id = $1", ep["id"], rows[-1]["position"]
            )
            made += len(chosen)
    return made


@dataclass(frozen=True)
class Due:
    delivery_id: uuid.UUID
    tenant_id: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    secrets: list[str]
    attempts: int  # made so far
    message_id: str  # the event's global ID: the same on every attempt, for the receiver's dedupe
    body: str | None  # None: the event was pruned before it could be delivered
    # The lease's end as the claim set it: a claim token, since a later claim sets a later one. Only the
    # holder of the current lease can record the attempt.
    leased_until: datetime


_CLAIM = """
WITH due AS (
  SELECT id FROM webhook_deliveries
  WHERE status = 'PENDING' AND next_attempt_at <= now()
  ORDER BY next_attempt_at, created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
)
UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2)
FROM due WHERE d.id = due.id
RETURNING d.id, d.tenant_id, d.endpoint_id, d.event_id, d.attempts, d.next_attempt_at
"""
_DETAILS = """
SELECT w.id AS endpoint_id, w.url, w.secret, w.previous_secret, w.previous_secret_expires_at,
       e.id, e.type, e.position, e.aggregate_type, e.aggregate_id, e.aggregate_seq, e.payload,
       e.actor, e.occurred_at, now() AS now
FROM webhook_endpoints w LEFT JOIN outbox_events e ON e.id = $2
WHERE w.id = $1
"""


def body_of(event: Any) -> str:
    """The request body: Standard Webhooks' {type, timestamp, data}, data being the event as the
    GraphQL API shows it."""
    payload = event["payload"]
    data = {
        "id": to_global("Event", event["id"]),
        "type": event["type"],
        "position": str(event["position"]),
        "aggregateType": event["aggregate_type"],
        "aggregateId": to_global(event["aggregate_type"], event["aggregate_id"]),
        "aggregateSequence": event["aggregate_seq"],
        "occurredAt": event["occurred_at"].isoformat(),
        "actor": event["actor"],
        "payload": json.loads(payload) if isinstance(payload, str) else payload,
    }
    message = {"type": event["type"], "timestamp": event["occurred_at"].isoformat(), "data": data}
    return json.dumps(message, separators=(",", ":"))


async def claim_due(conn: asyncpg.Connection, limit: int, lease_seconds: float) -> list[Due]:
    async with conn.transaction():
        claimed = await conn.fetch(_CLAIM, limit, lease_seconds)
        found = []
        for row in claimed:
            d = await conn.fetchrow(_DETAILS, row["endpoint_id"], row["event_id"])
            if d is None:  # pragma: no cover - the endpoint's deletion cascades to its deliveries
                continue
            secrets = [reveal(d["secret"])]
            if (
                d["previous_secret"]
                and d["previous_secret_expires_at"]
                and d["previous_secret_expires_at"] > d["now"]
            ):
                secrets.append(reveal(d["previous_secret"]))
            found.append(
                Due(
                    delivery_id=row["id"],
                    tenant_id=row["tenant_id"],
                    endpoint_id=row["endpoint_id"],
                    url=d["url"],
                    secrets=secrets,
                    attempts=row["attempts"],
                    message_id=to_global("Event", row["event_id"]),
                    body=body_of(d) if d["id"] is not None else None,
                    leased_until=row["next_attempt_at"],
                )
            )
    return found


@dataclass(frozen=True)
class Attempt:
    status_code: int | None  # None: no HTTP answer (refused, timed out, unreachable)
    latency_ms: int
    error: str | None = None
    retry_after: float | None = None  # seconds, from a 429's Retry-After


def next_delay(attempts_made: int, scale: float, outcome: Attempt) -> float | None:
    """Seconds until the next attempt, or None when the schedule is spent."""
    if attempts_made > len(SCHEDULE):
        return None
    if outcome.status_code == 429 and outcome.retry_after is not None:
        return min(max(outcome.retry_after, 0.0), MAX_RETRY_AFTER)
    base = SCHEDULE[attempts_made - 1] * scale
    return base * random.uniform(1 - JITTER, 1 + JITTER)


async def record(
    conn: asyncpg.Connection, due: Due, outcome: Attempt, scale: float, now: datetime
) -> str | None:
    """Keeps the attempt and decides what happens next; returns the delivery's new status, or None when
    the attempt is no longer this claim's to record (the delivery was cancelled meanwhile, or the lease
    ran out and another worker claimed it again): then nothing changes."""
    made = due.attempts + 1
    ok = outcome.status_code is not None and 200 <= outcome.status_code < 300
    gone = outcome.status_code == 410
    delay = None if ok or gone else next_delay(made, scale, outcome)
    if ok:
        status = "SUCCEEDED"
    elif delay is None:
        status = "FAILED"
    else:
        status = "PENDING"
    next_at = now + timedelta(seconds=delay) if delay is not None else None
    async with conn.transaction():
        updated = await conn.execute(
            """UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4,
                   last_status_code = $5
               WHERE id = $1 AND status = 'PENDING' AND attempts = $6
                 AND next_attempt_at = $7""",
            due.delivery_id,
            status,
            made,
            next_at,
            outcome.status_code,
            due.attempts,
            due.leased_until,
        )
        if updated.endswith(" 0"):
            return None  # cancelled, deleted or claimed again while the request was under way
        await conn.execute(
            """INSERT INTO webhook_attempts
                 (tenant_id, delivery_id, attempt, status_code, error, latency_ms, next_retry_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            due.tenant_id,
            due.delivery_id,
            made,
            outcome.status_code,
            (outcome.error or "")[:500] or None,
            outcome.latency_ms,
            next_at,
        )
        if status == "FAILED":
            reason = "the endpoint answered 410 Gone" if gone else "every retry failed"
            await disable(conn, due.endpoint_id, reason)
    return status


async def disable(conn: asyncpg.Connection, endpoint_id: uuid.UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE webhook_endpoints SET active = false, disabled_reason = $2, updated_at = now() WHERE id = $1",
        endpoint_id,
        reason,
    )
    await conn.execute(
        """UPDATE webhook_deliveries SET status = 'CANCELLED', next_attempt_at = NULL
           WHERE endpoint_id = $1 AND status = 'PENDING'""",
        endpoint_id,
    )


async def prune(conn: asyncpg.Connection, retention_days: float) -> int:
    """Deletes finished deliveries (and their attempts) older than the retention; returns how many."""
    status = await conn.execute(
        """DELETE FROM webhook_deliveries
           WHERE status <> 'PENDING' AND created_at < now() - make_interval(secs => $1)""",
        retention_days * 86400,
    )
    return int(status.split()[-1])
