"""Tenants and API keys. These run outside any tenant's unit of work: they create or find the tenant."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field

from sqlalchemy import column, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased

from domain.db import new_id, set_tenant, system_scope, utcnow
from domain.errors import Code, DomainError
from domain.money import CURRENCIES
from domain.tenancy.models import ApiKey, Role, Tenant
from domain.tenancy.scopes import Scope, effective

KEY_PREFIX = "baton_"


@dataclass(frozen=True)
class CustomerGrant:
    """What a customer proved in this request: one order (an order access token), or every order of
    one customer (a customer access token). `customer_id` is None for a signed-in customer who has no
    orders yet. `expires_at` (Unix seconds) ends a customer token's grant; order tokens do not expire."""

    email: str | None = None
    customer_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    expires_at: float | None = None

    def covers(self, order_id: uuid.UUID, customer_id: uuid.UUID | None) -> bool:
        if self.order_id is not None:
            return order_id == self.order_id
        return self.customer_id is not None and customer_id == self.customer_id


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant every query is scoped to, the key, its role and scopes, and the
    customer the request speaks for, when it carries a customer or order access token."""

    tenant_id: uuid.UUID
    key_id: uuid.UUID
    role: Role
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    grant: CustomerGrant | None = None
    # The key may run only documents its tenant registered (server/persisted.py).
    registered_documents_only: bool = False

    @property
    def actor(self) -> str:
        return f"apikey:{self.key_id}"

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


async def create_tenant(
    engine: AsyncEngine, name: str, currency: str = "USD", tax_rate_bps: int = 0
) -> tuple[Tenant, IssuedKey]:
    name = name.strip()
    if not name or len(name) > 200:
        raise DomainError(Code.INVALID, "A tenant needs a name of 1 to 200 characters", ["name"])
    if currency not in CURRENCIES:
        raise DomainError(Code.INVALID, f"{currency} is not an ISO 4217 currency", ["currency"])
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        # The new tenant's id is known before its row exists, so the transaction is scoped to it.
        tenant = Tenant(id=new_id(), name=name, currency=currency, tax_rate_bps=tax_rate_bps)
        await set_tenant(await session.connection(), tenant.id)
        session.add(tenant)
        await session.flush()
        issued = add_key(session, tenant.id, Role.ADMIN, "initial admin key")
    return tenant, issued


async def create_api_key(engine: AsyncEngine, tenant_id: uuid.UUID, role: Role, name: str = "") -> IssuedKey:
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        await set_tenant(await session.connection(), tenant_id)
        if await session.get(Tenant, tenant_id) is None:
            raise DomainError(Code.NOT_FOUND, "No such tenant", ["tenant"])
        return add_key(session, tenant_id, role, name or f"{role.lower()} key")


def add_key(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    role: Role,
    name: str,
    scopes: list[str] | None = None,
    registered_documents_only: bool = False,
) -> IssuedKey:
    """A new key; `scopes` narrows its role's preset (None: all of the role's scopes);
    `registered_documents_only` lets it run only the documents its tenant registered."""
    prefix, secret = _new_secret()
    key = ApiKey(
        tenant_id=tenant_id,
        name=name[:200],
        role=Role(role),
        scopes=sorted(set(scopes)) if scopes is not None else None,
        prefix=prefix,
        key_hash=_hash(secret),
        registered_documents_only=registered_documents_only,
        created_at=utcnow(),
    )
    session.add(key)
    return IssuedKey(key=key, secret=secret)


def _live_keys_by_prefix(prefix: str) -> type[ApiKey]:
    """The unrevoked key with this prefix, as rows of api_keys. The tenant is not known yet, so it comes
    from baton_api_key() (migration 0007), which reads in system scope for this one lookup only."""
    columns = (column(c.name, c.type) for c in ApiKey.__table__.columns)
    rows = func.baton_api_key(prefix).table_valued(*columns, name="api_keys")
    return aliased(ApiKey, rows, adapt_on_names=True)


async def authenticate(engine: AsyncEngine, secret: str) -> Principal | None:
    """The principal for a presented key, or None for a malformed, unknown or revoked one."""
    parts = secret.split("_")
    if len(parts) < 3 or not secret.startswith(KEY_PREFIX):
        return None
    prefix = parts[1]
    keys = _live_keys_by_prefix(prefix)
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    keys.id,
                    keys.tenant_id,
                    keys.role,
                    keys.scopes,
                    keys.key_hash,
                    keys.registered_documents_only,
                )
            )
        ).first()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(secret)):
        return None
    role = Role(row.role)
    return Principal(
        tenant_id=row.tenant_id,
        key_id=row.id,
        role=role,
        scopes=effective(role, row.scopes),
        registered_documents_only=row.registered_documents_only,
    )


async def find_tenant(engine: AsyncEngine, name: str) -> Tenant | None:
    """The first tenant of that name (the demo and bench seeders): a search across tenants."""
    async with AsyncSession(engine) as session:
        await system_scope(await session.connection(), "find a tenant by name")
        return (await session.execute(select(Tenant).where(Tenant.name == name))).scalars().first()


async def all_tenants(engine: AsyncEngine) -> list[Tenant]:
    """Every tenant, oldest first (`baton tenant list`): a read across tenants, so in system scope."""
    async with AsyncSession(engine) as session:
        await system_scope(await session.connection(), "list the tenants")
        return list((await session.execute(select(Tenant).order_by(Tenant.created_at, Tenant.id))).scalars())


async def keys_of(engine: AsyncEngine, tenant_id: uuid.UUID) -> list[ApiKey]:
    """One tenant's API keys, revoked ones too, newest first (`baton apikey list`); never a secret."""
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        await set_tenant(await session.connection(), tenant_id)
        if await session.get(Tenant, tenant_id) is None:
            raise DomainError(Code.NOT_FOUND, "No such tenant", ["tenant"])
        stmt = select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.created_at.desc())
        return list((await session.execute(stmt)).scalars())
