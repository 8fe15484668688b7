"""Proving who the customer is: issuing customer access tokens, rotating the secret that signs them,
and turning a presented customer access token into a grant (an order access token is the orders
context's: domain/orders/access.py, which hands other tokens on to here)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select

from domain import validation
from domain.customers import tokens
from domain.customers.events import CustomerAccessTokenIssued, CustomerTokenSecretRotated
from domain.customers.models import Customer
from domain.customers.repository import customer_email
from domain.errors import Code, Problems
from domain.reading import Query, Reader
from domain.secrets import reveal
from domain.tenancy.models import Tenant
from domain.tenancy.repository import lock_tenant
from domain.tenancy.service import CustomerGrant
from domain.uow import UnitOfWork

# How long the secret before a rotation still verifies tokens, so signed-in customers stay signed in.
ROTATION_GRACE = timedelta(hours=24)


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once
    email: str
    expires_at: datetime


async def issue_token(
    uow: UnitOfWork, email: str | None, customer_id: uuid.UUID | None, ttl_seconds: int
) -> IssuedToken:
    """A token for the customer with this email (or ID), valid for `ttl_seconds`. The customer need not
    have ordered yet: a new customer's token simply finds no orders."""
    problems = Problems()
    if (email is None) == (customer_id is None):
        problems.add(Code.INVALID, "Give either email or customerId", "email")
    if not 60 <= ttl_seconds <= tokens.MAX_TTL:
        problems.add(Code.INVALID, f"expiresIn is 60 to {tokens.MAX_TTL} seconds", "expiresIn")
    cleaned = validation.email(problems, email, ("email",)) if email is not None else None
    problems.raise_if_any()
    async with uow as tx:
        if customer_id is not None:
            cleaned = await customer_email(tx, customer_id)
        assert cleaned is not None
        tenant = await lock_tenant(tx)
        if tenant.customer_secret is None:  # the first token: the shop gets its secret now
            tenant.customer_secret = tokens.new_secret()
        expires = int(time.time()) + ttl_seconds
        address = cleaned.strip().lower()
        token = tokens.sign(tenant.customer_secret, address, expires)
        expires_at = datetime.fromtimestamp(expires, UTC)
        tx.record(CustomerAccessTokenIssued(tx.tenant_id, email=address, expires_at=expires_at.isoformat()))
        await uow.commit()
    return IssuedToken(token=token, email=address, expires_at=expires_at)


async def rotate_secret(uow: UnitOfWork, keep_previous: bool = True) -> str:
    """A new signing secret, shown once. The old one keeps verifying for ROTATION_GRACE unless
    `keep_previous` is false (a leaked secret: every token it signed stops at once)."""
    async with uow as tx:
        tenant = await lock_tenant(tx)
        until = datetime.now(UTC) + ROTATION_GRACE if keep_previous and tenant.customer_secret else None
        tenant.previous_customer_secret = tenant.customer_secret if until else None
        tenant.previous_customer_secret_until = until
        tenant.customer_secret = tokens.new_secret()
        secret = tenant.customer_secret
        tx.record(
            CustomerTokenSecretRotated(
                tx.tenant_id, previous_valid_until=until.isoformat() if until else None
            )
        )
        await uow.commit()
    return secret


_SECRETS = Query(
    select(
        Tenant.customer_secret, Tenant.previous_customer_secret, Tenant.previous_customer_secret_until
    ).where(Tenant.id == bindparam("tenant"))
)
_CUSTOMER = Query(
    select(Customer.id).where(Customer.tenant_id == bindparam("tenant"), Customer.email == bindparam("email"))
)


async def customer_grant_for(
    reader: Reader, tenant_id: uuid.UUID, token: str, now: float
) -> CustomerGrant | None:
    """What a presented customer access token proves in this tenant, or None when it proves nothing
    (not such a token, unknown, forged, expired, or another shop's)."""
    if not tokens.looks_like(token):
        return None
    found = await reader.first(_SECRETS, tenant=tenant_id)
    keys = [reveal(found.customer_secret)] if found and found.customer_secret else []
    until = found.previous_customer_secret_until if found else None
    if found and found.previous_customer_secret and until and until.timestamp() > now:
        keys.append(reveal(found.previous_customer_secret))
    claims = tokens.verify(token, keys, now)
    if claims is None:
        return None
    customer = await reader.first(_CUSTOMER, tenant=tenant_id, email=claims.email)
    return CustomerGrant(
        email=claims.email,
        customer_id=customer.id if customer else None,
        expires_at=float(claims.expires_at),
    )
