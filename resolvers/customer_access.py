"""Writes a customer makes on their own orders through a public key: cancelling an order, asking to
return its units, reporting the parcel, cancelling the return. Staff keys (orders:write) reach every
order; a STOREFRONT key (orders:self) only an order its customer or order access token covers. Another
customer's order answers exactly like a missing one."""

from __future__ import annotations

import uuid

from domain.errors import Code, DomainError
from domain.tenancy.scopes import Scope
from domain.tenancy.service import CustomerGrant, Principal
from domain.uow import UnitOfWork
from resolvers.context import CUSTOMER_PROOF, Context
from resolvers.errors import Forbidden


def _customer(principal: Principal) -> CustomerGrant:
    if not principal.has(Scope.ORDERS_SELF):
        raise Forbidden(f"This {principal.role} key lacks the {Scope.ORDERS_WRITE} scope")
    if principal.grant is None:
        raise Forbidden(f"To act for a customer, {CUSTOMER_PROOF}")
    return principal.grant


async def for_order(ctx: Context, order_id: uuid.UUID, field: str = "id") -> UnitOfWork:
    principal = ctx.require()
    if principal.has(Scope.ORDERS_WRITE):
        return ctx.uow(Scope.ORDERS_WRITE)
    grant = _customer(principal)
    row = await ctx.loaders.order_by_id.load(order_id)
    if row is None or not grant.covers(row.id, row.customer_id):
        raise DomainError(Code.NOT_FOUND, "Order not found", [field])
    ctx.fresh_loaders()  # the payload shows the order as the change leaves it, not as read here
    # The timeline shows that the customer did it (the actor column holds 64 characters).
    return UnitOfWork(ctx.engine, principal.tenant_id, f"customer:{row.customer_id}")


async def for_return(ctx: Context, return_id: uuid.UUID) -> UnitOfWork:
    principal = ctx.require()
    if principal.has(Scope.ORDERS_WRITE):
        return ctx.uow(Scope.ORDERS_WRITE)
    _customer(principal)
    found = await ctx.loaders.return_by_id.load(return_id)
    try:
        if found is None:
            raise DomainError(Code.NOT_FOUND, "Return not found", ["id"])
        return await for_order(ctx, found.order_id)
    except DomainError as exc:
        raise DomainError(Code.NOT_FOUND, "Return not found", ["id"]) from exc
