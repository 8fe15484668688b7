"""The request context: who is calling, their tenant, and per-request loaders."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.contextvars import bind_contextvars

from domain.audit.grouping import GroupedAppender
from domain.events.hub import Hub
from domain.limits.budgets import Budgets
from domain.reading import Reader, ReadPool
from domain.tenancy.models import Role
from domain.tenancy.scopes import Scope
from domain.tenancy.service import Principal
from domain.uow import UnitOfWork
from resolvers.errors import Forbidden, Unauthenticated
from resolvers.loaders import Loaders

CUSTOMER_PROOF = "send the customer's access token (X-Baton-Customer-Token) or the order's access token"


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
    audit: GroupedAppender | None = None  # the audit log's writer (schema/audit.py); else one per entry
    webhook_allow_private: bool = False  # whether endpoint URLs may resolve to internal addresses
    budgets: Budgets | None = None  # query-cost buckets per API key (schema/pricing.py charges them)
    shopper_budgets: Budgets | None = None  # public keys': per key and client IP, in this process
    # Orders this request itself placed: the caller just sent their details, so it may see them.
    proven_orders: set[uuid.UUID] = field(default_factory=set)
    # Set once a mutation starts (schema/extensions.py): a client's disconnect no longer stops it.
    writes: bool = False
    # Set once the document is parsed (name_operation): for the access log and every line logged after.
    operation_name: str | None = None
    operation_type: str | None = None

    def name_operation(self, name: str | None, kind: str) -> None:
        self.operation_name, self.operation_type = name, kind
        bind_contextvars(operation_name=name, operation_type=kind)

    @property
    def shopper_ip(self) -> str | None:
        """The shopper's address, for the fraud rules' IP velocity: the caller's as the server sees it
        (behind a proxy: as its headers say), for a public key only. Other keys call from a backend, a
        POS or a partner's servers, whose one address says nothing about who is buying."""
        if self.principal is None or self.principal.role != Role.STOREFRONT:
            return None
        host = getattr(getattr(self.request, "client", None), "host", None)
        return host[:45] if isinstance(host, str) else None

    def require(self, scope: Scope | None = None) -> Principal:
        if self.principal is None:
            raise Unauthenticated("Send an API key: Authorization: Bearer <key>")
        if scope is not None and not self.principal.has(scope):
            raise Forbidden(f"This {self.principal.role} key lacks the {scope} scope")
        return self.principal

    def sees_order(self, order_id: uuid.UUID, customer_id: uuid.UUID | None) -> bool:
        """Whether the caller may read this order: keys with orders:read, the customer's own token,
        the order's token, or the request that placed it."""
        principal = self.require()
        if principal.has(Scope.ORDERS_READ) or order_id in self.proven_orders:
            return True
        grant = principal.grant
        return principal.has(Scope.ORDERS_SELF) and grant is not None and grant.covers(order_id, customer_id)

    def sees_customer(self, customer_id: uuid.UUID | None) -> bool:
        """Whether the caller may read this customer's record (email, phone, all their orders): keys
        with customers:read, or the customer's own access token (not an order token)."""
        principal = self.require()
        if principal.has(Scope.CUSTOMERS_READ):
            return True
        grant = principal.grant
        return (
            principal.has(Scope.ORDERS_SELF)
            and grant is not None
            and grant.order_id is None
            and customer_id is not None
            and grant.customer_id == customer_id
        )

    def sees_contact(self, order_id: uuid.UUID, customer_id: uuid.UUID | None) -> bool:
        """Whether an order's email and phone numbers show: not to partners (they see the shipping
        name and address only) unless their key has customers:read."""
        principal = self.require()
        if principal.has(Scope.CUSTOMERS_READ) or order_id in self.proven_orders:
            return True
        grant = principal.grant
        return principal.has(Scope.ORDERS_SELF) and grant is not None and grant.covers(order_id, customer_id)

    def require_own_order(self, order_id: uuid.UUID, customer_id: uuid.UUID | None) -> None:
        if not self.sees_order(order_id, customer_id):
            raise Forbidden(f"This key does not read orders: {CUSTOMER_PROOF}")

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

    def uow(self, scope: Scope) -> UnitOfWork:
        principal = self.require(scope)
        return UnitOfWork(self.engine, principal.tenant_id, principal.actor)

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[Reader]:
        async with self.reads.tenant(self.tenant_id) as conn:
            yield conn
