"""Customer emails, the database side (the SMTP side is server/emails.py).

1. Enqueue: per tenant (its cursor row claimed with SKIP LOCKED), the new events that trigger an email
   become `notifications` rows, rendered from the tenant's templates. The row's unique (event, template)
   key is the dedupe record: reading an event twice never makes a second email.
2. Claim: PENDING rows become SENDING with a lease, committed before the mail server is contacted.
3. Record: SENT after the server accepted the message; on failure, PENDING again with a back-off.

The remaining window: if the process dies after the mail server accepted a message but before SENT is
committed, the lease runs out and the email is sent again (at least once, never silently lost). Both
copies carry the same Message-ID (derived from the dedupe key), which lets mail systems drop the second."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from domain.ids import parse_global
from domain.notifications import templates

CONSUMER = "email"
MAX_AGE = timedelta(days=1)  # older events (a backlog when emails are first switched on) send nothing
BACKOFF = (60.0, 300.0, 1800.0, 7200.0)  # seconds after the 1st, 2nd … failure; then FAILED

_CURSORS_FOR_OLD_TENANTS = """
INSERT INTO consumer_cursors (consumer, tenant_id, position)
SELECT $1, tenant_id, position FROM event_log_heads
ON CONFLICT (consumer, tenant_id) DO NOTHING
"""
_BEHIND = """
SELECT c.tenant_id, c.position FROM consumer_cursors c
JOIN event_log_heads h ON h.tenant_id = c.tenant_id
WHERE c.consumer = $1 AND c.position < h.position
ORDER BY h.position - c.position DESC LIMIT $2 FOR UPDATE OF c SKIP LOCKED
"""
_NEW_EVENTS = """
SELECT id, type, position, aggregate_type, aggregate_id, payload, occurred_at FROM outbox_events
WHERE tenant_id = $1 AND position > $2 ORDER BY position LIMIT $3
"""
_CONTEXT = """
SELECT o.number, o.email, o.total, o.currency, o.status, o.shipping_address,
       t.name AS shop_name, s.sender_name, s.templates
FROM orders o JOIN tenants t ON t.id = o.tenant_id
LEFT JOIN notification_settings s ON s.tenant_id = o.tenant_id
WHERE o.id = $1 AND o.tenant_id = $2
"""
_SHIPMENTS = """
SELECT carrier, tracking_number, tracking_url FROM shipments
WHERE order_id = $1 AND tenant_id = $2 ORDER BY created_at
"""
_INSERT = """
INSERT INTO notifications (id, tenant_id, order_id, event_id, template, recipient, subject, body,
                           status, attempts, next_attempt_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING', 0, clock_timestamp(), clock_timestamp())
ON CONFLICT (event_id, template) DO NOTHING
"""


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _order_of(event: Any, payload: dict[str, Any]) -> uuid.UUID | None:
    """The order an event is about: its aggregate, or for a return's events the order they name."""
    if event["aggregate_type"] == "Order":
        return event["aggregate_id"]
    parsed = parse_global(str(payload.get("orderId") or ""))
    return parsed[1] if parsed and parsed[0] == "Order" else None


async def enqueue_once(conn: asyncpg.Connection, now: datetime, tenants: int = 20, batch: int = 500) -> int:
    made = 0
    await conn.execute(_CURSORS_FOR_OLD_TENANTS, CONSUMER)
    async with conn.transaction():
        for cursor in await conn.fetch(_BEHIND, CONSUMER, tenants):
            tenant = cursor["tenant_id"]
            rows = await conn.fetch(_NEW_EVENTS, tenant, cursor["position"], batch)
            for event in rows:
                payload = _json(event["payload"])
                name = templates.trigger(event["type"], payload)
                if name is None or event["occurred_at"] < now - MAX_AGE:
                    continue
                order_id = _order_of(event, payload)
                ctx = await conn.fetchrow(_CONTEXT, order_id, tenant) if order_id else None
                if ctx is None:
                    continue  # not about an order
                custom = (_json(ctx["templates"]) or {}).get(name) or {}
                default = templates.DEFAULTS[name]
                order = {**ctx, "shipping_address": _json(ctx["shipping_address"])}
                values = templates.values_for(ctx["sender_name"] or ctx["shop_name"], order, payload)
                values["tracking"] = templates.tracking_lines(await conn.fetch(_SHIPMENTS, order_id, tenant))
                subject = " ".join(templates.render(custom.get("subject") or default.subject, values).split())
                body = templates.render(custom.get("body") or default.body, values)
                status = await conn.execute(
                    _INSERT,
                    uuid.uuid4(),
                    tenant,
                    order_id,
                    event["id"],
                    name,
                    ctx["email"],
                    subject[:500],
                    body,
                )
                made += int(status.split()[-1])
            if rows:
                await conn.execute(
                    "UPDATE consumer_cursors SET position = $3 WHERE consumer = $1 AND tenant_id = $2",
                    CONSUMER,
                    tenant,
                    rows[-1]["position"],
                )
    return made


@dataclass(frozen=True)
class Email:
    id: uuid.UUID
    event_id: uuid.UUID
    template: str
    sender_name: str
    recipient: str
    subject: str
    body: str
    attempts: int  # including this one

    @property
    def dedupe_key(self) -> str:
        return f"{self.event_id}.{self.template}"


_CLAIM = """
WITH due AS (
  SELECT id FROM notifications
  WHERE (status = 'PENDING' AND next_attempt_at <= now())
     OR (status = 'SENDING' AND next_attempt_at <= now())  -- a sender died mid-send: the window
  ORDER BY next_attempt_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED
)
UPDATE notifications n SET status = 'SENDING', attempts = n.attempts + 1,
       next_attempt_at = now() + make_interval(secs => $2)
FROM due WHERE n.id = due.id
RETURNING n.id, n.tenant_id, n.event_id, n.template, n.recipient, n.subject, n.body, n.attempts
"""


async def claim(conn: asyncpg.Connection, limit: int, lease_seconds: float) -> list[Email]:
    async with conn.transaction():
        rows = await conn.fetch(_CLAIM, limit, lease_seconds)
        names = {
            r["tenant_id"]: r["name"]
            for r in await conn.fetch(
                """SELECT t.id AS tenant_id, COALESCE(s.sender_name, t.name) AS name FROM tenants t
                   LEFT JOIN notification_settings s ON s.tenant_id = t.id WHERE t.id = ANY($1::uuid[])""",
                list({r["tenant_id"] for r in rows}),
            )
        }
    return [
        Email(
            r["id"],
            r["event_id"],
            r["template"],
            names.get(r["tenant_id"], ""),
            r["recipient"],
            r["subject"],
            r["body"],
            r["attempts"],
        )
        for r in rows
    ]


# Only the claim that is still current may record its outcome: a sender whose lease ran out (and
# whose email another sender has claimed since) changes nothing.
_CURRENT = " WHERE id = $1 AND status = 'SENDING' AND attempts = $2"


async def sent(conn: asyncpg.Connection, email: Email) -> bool:
    status = await conn.execute(
        "UPDATE notifications SET status = 'SENT', sent_at = now(), next_attempt_at = NULL, error = NULL"
        + _CURRENT,
        email.id,
        email.attempts,
    )
    return status.endswith(" 1")


async def failed(
    conn: asyncpg.Connection, email: Email, error: str, scale: float, permanent: bool = False
) -> str:
    """PENDING again after a back-off, or FAILED once the back-offs are spent or the error is one
    that another attempt cannot cure (a message that cannot be built)."""
    if permanent or email.attempts > len(BACKOFF):
        status, delay = "FAILED", None
    else:
        status, delay = "PENDING", BACKOFF[email.attempts - 1] * scale
    await conn.execute(
        "UPDATE notifications SET status = $3, error = $4,"
        " next_attempt_at = CASE WHEN $5::float8 IS NULL THEN NULL"
        " ELSE now() + make_interval(secs => $5::float8) END" + _CURRENT,
        email.id,
        email.attempts,
        status,
        error[:500],
        delay,
    )
    return status


async def prune(conn: asyncpg.Connection, retention_days: float) -> int:
    """Deletes the records of finished emails older than the retention. Their events are gone by then
    too, so no consumer can read them again and the dedupe records are no longer needed."""
    status = await conn.execute(
        """DELETE FROM notifications
           WHERE status IN ('SENT', 'FAILED') AND created_at < now() - make_interval(secs => $1)""",
        retention_days * 86400,
    )
    return int(status.split()[-1])
