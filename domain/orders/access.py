"""Order access tokens: the guest-checkout proof. orderCreate hands one out once, with the order; only
its SHA-256 is stored. Whoever holds it may follow that one order, cancel it or ask to return its units,
as the customer: the link in a confirmation email carries it. Orders placed before tokens existed, and
exchange orders, have none: staff keys and the customer's access token reach them."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import bindparam, select

from domain.orders.models import Order
from domain.reading import Query, Reader

PREFIX = "bo_"
_BY_HASH = Query(
    select(Order.id).where(
        Order.tenant_id == bindparam("tenant"), Order.access_token_hash == bindparam("digest")
    )
)


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like(token: str) -> bool:
    return token.startswith(PREFIX) and 20 < len(token) < 100


async def order_for(reader: Reader, tenant_id: uuid.UUID, token: str) -> uuid.UUID | None:
    """The order this token opens, in this tenant; None for anything else."""
    if not looks_like(token):
        return None
    row = await reader.first(_BY_HASH, tenant=tenant_id, digest=digest(token))
    return row.id if row else None
