"""Order access tokens: the guest-checkout proof. orderCreate hands one out once, with the order; only
its SHA-256 is stored. Whoever holds it may follow that one order, cancel it or ask to return its units,
as the customer: the link in a confirmation email carries it. Orders placed before tokens existed, and
exchange orders, have none: staff keys and the customer's access token reach them.

`grant_for` turns any presented token into a grant: an order access token here, any other one in the
customers context (domain/customers/access.py)."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import bindparam, select

from domain.customers.access import customer_grant_for
from domain.orders.models import Order
from domain.reading import Query, Reader
from domain.tenancy.service import CustomerGrant

PREFIX = "bo_"
_BY_HASH = Query(
    select(Order.id).where(
        Order.tenant_id == bindparam("tenant"), Order.access_token_hash == bindparam("digest")
    )
)
_ORDER_CUSTOMER = Query(
    select(Order.customer_id).where(Order.tenant_id == bindparam("tenant"), Order.id == bindparam("order"))
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


async def grant_for(reader: Reader, tenant_id: uuid.UUID, token: str, now: float) -> CustomerGrant | None:
    """What a presented token proves in this tenant, or None when it proves nothing (unknown, forged,
    expired, or another shop's)."""
    if looks_like(token):
        order_id = await order_for(reader, tenant_id, token)
        if order_id is None:
            return None
        row = await reader.first(_ORDER_CUSTOMER, tenant=tenant_id, order=order_id)
        return CustomerGrant(order_id=order_id, customer_id=row.customer_id if row else None)
    return await customer_grant_for(reader, tenant_id, token, now)
