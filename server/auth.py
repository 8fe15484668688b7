"""Authentication: the API key (who the client is), then, when the request carries one, the customer
or order access token (which customer it speaks for). Both are cached in-process for a short time, so
a hot path does not look them up on every request; a revoked key stops working within `ttl` seconds."""

from __future__ import annotations

import dataclasses
import hashlib
import time

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.orders.access import grant_for
from domain.reading import ReadPool
from domain.tenancy.service import CustomerGrant, Principal, authenticate

MAX_ENTRIES = 10_000
CUSTOMER_TOKEN_HEADER = "x-baton-customer-token"


class KeyCache:
    def __init__(self, engine: AsyncEngine, ttl: float) -> None:
        self.engine = engine
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Principal | None]] = {}

    async def principal(self, secret: str) -> Principal | None:
        digest = hashlib.sha256(secret.encode()).hexdigest()
        now = time.monotonic()
        hit = self._entries.get(digest)
        if hit is not None and hit[0] > now:
            return hit[1]
        principal = await authenticate(self.engine, secret)
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[digest] = (now + self.ttl, principal)
        return principal


class GrantCache:
    """What customer and order access tokens prove, per shop. A customer token's grant is never used
    past its expiry, whatever the cache says."""

    def __init__(self, reads: ReadPool, ttl: float) -> None:
        self.reads = reads
        self.ttl = ttl
        self._entries: dict[tuple[object, str], tuple[float, CustomerGrant | None]] = {}

    async def grant(self, principal: Principal, token: str) -> CustomerGrant | None:
        key = (principal.tenant_id, hashlib.sha256(token.encode()).hexdigest())
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            grant = hit[1]
        else:
            async with self.reads.tenant(principal.tenant_id) as reader:
                grant = await grant_for(reader, principal.tenant_id, token, time.time())
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            # A signed-in customer with no orders yet is looked up again next time: their first order
            # must show at once, not after the cache time.
            if grant is None or grant.customer_id is not None:
                self._entries[key] = (now + self.ttl, grant)
        if grant is not None and grant.expires_at is not None and grant.expires_at <= time.time():
            return None
        return grant

    async def with_customer(self, principal: Principal, token: str | None) -> Principal | None:
        """The principal speaking for the token's customer; None when the token proves nothing."""
        if not token:
            return principal
        grant = await self.grant(principal, token)
        return dataclasses.replace(principal, grant=grant) if grant else None


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
