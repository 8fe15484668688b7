"""An audit entry as clients see it: who did what, when, from where, and how it ended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from domain.audit.models import Outcome
from resolvers.ids import to_global

AuditOutcome = strawberry.enum(Outcome, name="AuditOutcome", description="How an audited action ended")


@strawberry.type(description="One mutation or administrative CLI action. Entries are never changed.")
class AuditEntry:
    id: strawberry.ID
    sequence: int = strawberry.field(description="1, 2, 3 … per shop, without gaps (until pruned)")
    occurred_at: datetime
    key_id: strawberry.ID | None = strawberry.field(description="The API key's ID; null for the CLI")
    role: str | None
    customer_id: strawberry.ID | None = strawberry.field(
        description="The customer whose access token came with the request"
    )
    operation: str = strawberry.field(description='The mutation field, or "cli:tenant create" …')
    target_ids: list[strawberry.ID] = strawberry.field(description="IDs the action named or produced")
    input_digest: str = strawberry.field(
        description="SHA-256 of the input's canonical JSON, without secrets, tokens or card data"
    )
    outcome: AuditOutcome  # type: ignore[valid-type]
    error_codes: list[str] = strawberry.field(description="userErrors codes, or the error's code")
    request_id: str | None
    client_ip: str | None
    hash: str = strawberry.field(description="SHA-256 of the previous entry's hash and this entry")

    @classmethod
    def of(cls, r: Any) -> AuditEntry:
        return cls(
            id=strawberry.ID(to_global("AuditEntry", r.id)),
            sequence=r.seq,
            occurred_at=r.occurred_at,
            key_id=strawberry.ID(to_global("ApiKey", r.key_id)) if r.key_id else None,
            role=r.role,
            customer_id=strawberry.ID(to_global("Customer", r.customer_id)) if r.customer_id else None,
            operation=r.operation,
            target_ids=[strawberry.ID(t) for t in r.target_ids],
            input_digest=r.input_digest,
            outcome=Outcome(r.outcome),
            error_codes=list(r.error_codes),
            request_id=r.request_id,
            client_ip=r.client_ip,
            hash=r.hash,
        )
