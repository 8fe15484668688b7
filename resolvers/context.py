"""The request context: who is calling, their tenant, and per-request loaders."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.events.hub import Hub
from domain.reading import Reader, ReadPool
from domain.tenancy.models import Role
from domain.tenancy.service import Principal
from domain.uow import UnitOfWork
from resolvers.errors import Forbidden, Unauthenticated
from resolvers.loaders import Loaders

EVERYONE = frozenset(Role)
ORDER_TAKERS = frozenset({Role.ADMIN, Role.STAFF, Role.STOREFRONT})
MANAGERS = frozenset({Role.ADMIN, Role.STAFF})
# Who picks, packs and ships: the business's staff, and partners such as a 3PL warehouse.
FULFILLERS = frozenset({Role.ADMIN, Role.STAFF, Role.PARTNER})
ADMINS = frozenset({Role.ADMIN})


@dataclass
class Context:
    engine: AsyncEngine  # writes: units of work
    reads: ReadPool
    principal: Principal | None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    request: Any = None
    response: Any = None
    connection_params: Any = None
    hub: Hub | None = None  # live subscriptions
    webhook_allow_private: bool = False  # whether endpoint URLs may resolve to internal addresses

    def require(self, roles: frozenset[Role] = EVERYONE) -> Principal:
        if self.principal is None:
            raise Unauthenticated("Send an API key: Authorization: Bearer <key>")
        if self.principal.role not in roles:
            allowed = ", ".join(sorted(roles))
            raise Forbidden(f"A {self.principal.role} key cannot do this; it needs one of {allowed}")
        return self.principal

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.require().tenant_id

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.reads, self.tenant_id)

    def fresh_loaders(self) -> None:
        """A WebSocket connection keeps one context for all its operations: a subscription that sends
        an object again drops the cached loaders first, so it sends what is in the database now."""
        self.__dict__.pop("loaders", None)

    def uow(self, roles: frozenset[Role]) -> UnitOfWork:
        principal = self.require(roles)
        return UnitOfWork(self.engine, principal.tenant_id, principal.actor)

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[Reader]:
        async with self.reads.tenant(self.tenant_id) as conn:
            yield conn
