"""auditLog: keys with audit:read (ADMIN)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.audit.models import Outcome
from domain.audit.queries import AuditFilter
from resolvers import audit
from schema.connection import Connection, connection, page_request
from schema.types.audit import AuditEntry, AuditOutcome


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="Every mutation and administrative CLI action, newest first. Filters: the operation "
        "(e.g. orderCancel), the API key, the outcome, and a time range (since inclusive, until "
        "exclusive). Keys with audit:read (ADMIN)."
    )
    async def audit_log(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        operation: str | None = None,
        key_id: strawberry.ID | None = None,
        outcome: AuditOutcome | None = None,  # type: ignore[valid-type]
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Connection[AuditEntry]:
        where = AuditFilter(operation, None, Outcome(outcome) if outcome else None, since, until)
        page = await audit.entries(info.context, where, key_id, page_request(first, after, None, None, True))
        return connection(page, AuditEntry.of)
