"""Orders whose rule's deadline (autoRejectAfterHours) passed without a decision: a background loop
(server/workers.py) finds them across tenants here, then rejects each through the one rejection use case
(domain/workflows/approving.py reject_overdue), in its own tenant's unit of work, as DEADLINE_ACTOR."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

# The actor of a rejection the deadline made (the timeline shows it instead of a key).
DEADLINE_ACTOR = "system:approval-deadline"

# Only orders still waiting: a held order cancelled by hand keeps an undecided approval row.
DUE = """
SELECT a.tenant_id, a.order_id, a.requested_at, a.due_at FROM order_approvals a
JOIN orders o ON o.id = a.order_id AND o.status = 'PENDING_APPROVAL'
WHERE a.decision IS NULL AND a.due_at <= $1
ORDER BY a.due_at LIMIT $2
"""


@dataclass(frozen=True)
class Overdue:
    tenant_id: uuid.UUID
    order_id: uuid.UUID
    hours: int


async def find_overdue(conn: asyncpg.Connection, now: datetime, limit: int = 50) -> list[Overdue]:
    """On a connection in system scope (every tenant's rows), the oldest overdue approvals first."""
    rows = await conn.fetch(DUE, now, limit)
    return [Overdue(r["tenant_id"], r["order_id"], _hours(r["due_at"] - r["requested_at"])) for r in rows]


def _hours(span: timedelta) -> int:
    return round(span.total_seconds() / 3600)
