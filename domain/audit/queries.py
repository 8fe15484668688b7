"""Read side of the audit log: one tenant's entries, newest first, filtered."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from domain.audit.models import AuditEntry
from domain.pagination import Page, PageRequest, paginate
from domain.reading import Reader

entries = AuditEntry.__table__


@dataclass(frozen=True)
class AuditFilter:
    operation: str | None = None
    key_id: uuid.UUID | None = None
    outcome: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


async def page(reader: Reader, tenant_id: uuid.UUID, where: AuditFilter, request: PageRequest) -> Page:
    c = entries.c
    stmt = select(entries).where(c.tenant_id == tenant_id)
    if where.operation is not None:
        stmt = stmt.where(c.operation == where.operation)
    if where.key_id is not None:
        stmt = stmt.where(c.key_id == where.key_id)
    if where.outcome is not None:
        stmt = stmt.where(c.outcome == where.outcome)
    if where.since is not None:
        stmt = stmt.where(c.occurred_at >= where.since)
    if where.until is not None:
        stmt = stmt.where(c.occurred_at < where.until)
    return await paginate(reader, stmt, c.seq, c.id, request, "seq")
