"""API-key authentication with a short in-process cache, so a hot path does not look the key up
on every request. A revoked key stops working within `ttl` seconds."""

from __future__ import annotations

import hashlib
import time

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.tenancy.service import Principal, authenticate

MAX_ENTRIES = 10_000


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


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
