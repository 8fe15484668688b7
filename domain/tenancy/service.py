"""Tenants and API keys. These run outside any tenant's unit of work: they create or find the tenant."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from domain.db import utcnow
from domain.errors import Code, DomainError
from domain.money import CURRENCIES
from domain.tenancy.models import ApiKey, Role, Tenant

KEY_PREFIX = "baton_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant every query is scoped to, the key and its role."""

    tenant_id: uuid.UUID
    key_id: uuid.UUID
    role: Role

    @property
    def actor(self) -> str:
        return f"apikey:{self.key_id}"


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
        tenant = Tenant(name=name, currency=currency, tax_rate_bps=tax_rate_bps)
        session.add(tenant)
        await session.flush()
        issued = add_key(session, tenant.id, Role.ADMIN, "initial admin key")
    return tenant, issued


async def create_api_key(engine: AsyncEngine, tenant_id: uuid.UUID, role: Role, name: str = "") -> IssuedKey:
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        if await session.get(Tenant, tenant_id) is None:
            raise DomainError(Code.NOT_FOUND, "No such tenant", ["tenant"])
        return add_key(session, tenant_id, role, name or f"{role.lower()} key")


def add_key(session: AsyncSession, tenant_id: uuid.UUID, role: Role, name: str) -> IssuedKey:
    prefix, secret = _new_secret()
    key = ApiKey(
        tenant_id=tenant_id,
        name=name[:200],
        role=Role(role),
        prefix=prefix,
        key_hash=_hash(secret),
        created_at=utcnow(),
    )
    session.add(key)
    return IssuedKey(key=key, secret=secret)


async def authenticate(engine: AsyncEngine, secret: str) -> Principal | None:
    """The principal for a presented key, or None for a malformed, unknown or revoked one."""
    parts = secret.split("_")
    if len(parts) < 3 or not secret.startswith(KEY_PREFIX):
        return None
    prefix = parts[1]
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(ApiKey.id, ApiKey.tenant_id, ApiKey.role, ApiKey.key_hash).where(
                    ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None)
                )
            )
        ).first()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(secret)):
        return None
    return Principal(tenant_id=row.tenant_id, key_id=row.id, role=Role(row.role))


async def find_tenant(engine: AsyncEngine, name: str) -> Tenant | None:
    async with AsyncSession(engine) as session:
        return (await session.execute(select(Tenant).where(Tenant.name == name))).scalars().first()
