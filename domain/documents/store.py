"""Reading, keeping and registering documents by their SHA-256."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.db import set_tenant
from domain.documents.models import MAX_DOCUMENT_CHARS, PersistedDocument, RegisteredDocument
from domain.errors import Code, DomainError
from domain.reading import Query, Reader
from domain.tenancy.models import Tenant

persisted = PersistedDocument.__table__
registered = RegisteredDocument.__table__


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


@dataclass(frozen=True)
class Found:
    """A hash looked up for one tenant: the text any client persisted under it, and the text the tenant
    registered under it (None: not registered)."""

    stored: str | None
    registered: str | None


# One round trip for both: row-level security limits the second to the reader's tenant.
LOOKUP = Query(
    select(
        select(persisted.c.query)
        .where(persisted.c.sha256 == bindparam("sha"))
        .scalar_subquery()
        .label("stored"),
        select(registered.c.query)
        .where(registered.c.sha256 == bindparam("sha"))
        .scalar_subquery()
        .label("registered"),
    )
)


async def lookup(reader: Reader, sha: str) -> Found:
    row = await reader.first(LOOKUP, sha=sha)
    assert row is not None, "a SELECT without FROM returns one row"
    return Found(row.stored, row.registered)


async def keep(engine: AsyncEngine, sha: str, query: str) -> None:
    """Persists a document under its hash (the caller checked that it is). Idempotent."""
    if len(query) > MAX_DOCUMENT_CHARS:
        return
    async with engine.begin() as conn:
        await conn.execute(insert(PersistedDocument).values(sha256=sha, query=query).on_conflict_do_nothing())


async def _tenant(conn: AsyncConnection, tenant_id: uuid.UUID) -> None:
    await set_tenant(conn, tenant_id)
    if (await conn.execute(select(Tenant.id).where(Tenant.id == tenant_id))).first() is None:
        raise DomainError(Code.NOT_FOUND, "No such tenant", ["tenant"])


@dataclass(frozen=True)
class Registered:
    sha256: str
    name: str
    new: bool


async def register(
    engine: AsyncEngine, tenant_id: uuid.UUID, documents: Sequence[tuple[str, str]]
) -> list[Registered]:
    """Registers (name, text) documents for a tenant, all or none; a text already registered keeps its
    first name. No event is written: like issuing a key from the command line, this is operator work."""
    for name, query in documents:
        if not query.strip():
            raise DomainError(Code.INVALID, f"{name} is empty", ["documents"])
        if len(query) > MAX_DOCUMENT_CHARS:
            too_long = f"{name} is longer than {MAX_DOCUMENT_CHARS} characters"
            raise DomainError(Code.INVALID, too_long, ["documents"])
    results = []
    async with engine.begin() as conn:
        await _tenant(conn, tenant_id)
        for name, query in documents:
            sha = sha256(query)
            added = await conn.execute(
                insert(RegisteredDocument)
                .values(id=uuid.uuid4(), tenant_id=tenant_id, sha256=sha, name=name[:200], query=query)
                .on_conflict_do_nothing(index_elements=["tenant_id", "sha256"])
                .returning(RegisteredDocument.id)
            )
            results.append(Registered(sha, name[:200], added.first() is not None))
    return results


async def listed(engine: AsyncEngine, tenant_id: uuid.UUID) -> list[Registered]:
    """A tenant's registered documents, oldest first."""
    async with engine.begin() as conn:
        await _tenant(conn, tenant_id)
        c = registered.c
        rows = await conn.execute(select(c.sha256, c.name).order_by(c.created_at, c.name))
        return [Registered(r.sha256, r.name, False) for r in rows]
