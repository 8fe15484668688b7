"""Reading, keeping and registering documents by their SHA-256."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, literal, select
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


# What a tenant's store answers when it already holds as many automatic documents as it may.
STORE_FULL = "PERSISTED_QUERY_STORE_FULL"


class StoreFull(Exception):
    """The tenant keeps `limit` persisted documents already: this one runs, but is not kept."""

    code = STORE_FULL

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"This shop keeps {limit} persisted queries already: this one ran but was not kept, "
            "so send its text with the hash again next time"
        )
        self.limit = limit


@dataclass(frozen=True)
class Found:
    """A hash looked up for one tenant: the text the tenant's clients persisted under it, and the text
    the tenant registered under it (None: not there)."""

    stored: str | None
    registered: str | None


# One round trip for both, each for the reader's tenant only (row-level security says so as well).
LOOKUP = Query(
    select(
        select(persisted.c.query)
        .where(persisted.c.tenant_id == bindparam("tenant"), persisted.c.sha256 == bindparam("sha"))
        .scalar_subquery()
        .label("stored"),
        select(registered.c.query)
        .where(registered.c.tenant_id == bindparam("tenant"), registered.c.sha256 == bindparam("sha"))
        .scalar_subquery()
        .label("registered"),
    )
)


async def lookup(reader: Reader, tenant_id: uuid.UUID, sha: str) -> Found:
    row = await reader.first(LOOKUP, tenant=tenant_id, sha=sha)
    assert row is not None, "a SELECT without FROM returns one row"
    return Found(row.stored, row.registered)


async def keep(engine: AsyncEngine, tenant_id: uuid.UUID, sha: str, query: str, limit: int) -> None:
    """Persists a tenant's document under its hash (the caller checked that it is). Idempotent. Raises
    StoreFull when the tenant keeps `limit` documents already. The count and the insert are one
    statement, not a lock: writers racing for the last places may pass the limit by a few rows."""
    if len(query) > MAX_DOCUMENT_CHARS:
        return
    c = persisted.c
    held = select(func.count()).select_from(persisted).where(c.tenant_id == tenant_id).scalar_subquery()
    values = select(literal(tenant_id), literal(sha), literal(query)).where(held < limit)
    async with engine.begin() as conn:
        await set_tenant(conn, tenant_id)
        added = await conn.execute(
            insert(PersistedDocument)
            .from_select(["tenant_id", "sha256", "query"], values)
            .on_conflict_do_nothing()
            .returning(c.sha256)
        )
        if added.first() is not None:
            return
        there = await conn.execute(select(exists().where(c.tenant_id == tenant_id, c.sha256 == sha)))
        if not there.scalar():
            raise StoreFull(limit)


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
