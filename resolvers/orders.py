"""Order operations: each mutation is one use case; each list one keyset-paginated query."""

from __future__ import annotations

import uuid

from domain.errors import Code, DomainError
from domain.orders import access, queries, service
from domain.orders.inputs import OrderChanges, OrderInput
from domain.orders.models import Order
from domain.pagination import Page, PageRequest
from domain.reading import Row
from domain.tenancy.scopes import Scope
from domain.workflows import cancelling, confirming, placing, remainder
from domain.workflows.placing import Placed
from resolvers import customer_access
from resolvers.context import CUSTOMER_PROOF, Context
from resolvers.errors import Forbidden, as_bad_input
from resolvers.ids import local_id, require_id
from resolvers.outcome import Outcome, attempt


async def create(ctx: Context, data: OrderInput) -> Outcome[Placed]:
    uow = ctx.uow(Scope.ORDERS_CREATE)
    grant = ctx.require().grant
    if grant and grant.email and data.customer.email.strip().lower() != grant.email:
        # A signed-in customer's order is theirs: otherwise it would not show in viewerCustomer.
        message = "A signed-in customer orders under their own email"
        return Outcome(errors=[DomainError(Code.INVALID, message, ["customer", "email"])])
    outcome = await attempt(lambda: placing.place_order(uow, data, ctx.shopper_ip))
    placed = outcome.value
    # The caller may see the order it placed; a repeat shows the first order only to a caller who sent
    # the same idempotency key and payload, never to one that merely guessed an external id.
    if placed and (
        placed.created or (data.idempotency_key and placed.order.idempotency_key == data.idempotency_key)
    ):
        ctx.proven_orders.add(placed.order.id)
    return outcome


async def confirm(ctx: Context, gid: str, version: int | None) -> Outcome[Order]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: confirming.confirm_order(uow, require_id(gid, "Order"), version))


async def update(ctx: Context, gid: str, data: OrderChanges, version: int | None) -> Outcome[Order]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: service.update_order(uow, require_id(gid, "Order"), data, version))


async def cancel(ctx: Context, gid: str, reason: str | None, version: int | None) -> Outcome[Order]:
    async def run() -> Order:
        order_id = require_id(gid, "Order")
        uow = await customer_access.for_order(ctx, order_id)
        return await cancelling.cancel_order(uow, order_id, reason, version)

    return await attempt(run)


async def cancel_remaining(ctx: Context, gid: str, reason: str | None, version: int | None) -> Outcome[Order]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: remainder.cancel_remaining(uow, require_id(gid, "Order"), reason, version))


async def mark_paid(
    ctx: Context, gid: str, reference: str, amount: str | None, version: int | None
) -> Outcome[Order]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(
        lambda: service.record_payment(uow, require_id(gid, "Order"), reference, amount, version)
    )


def require_order_reader(ctx: Context) -> None:
    """Keys that read orders, or a public key sent with a customer's or an order's access token."""
    principal = ctx.require()
    if principal.has(Scope.ORDERS_READ):
        return
    if not principal.has(Scope.ORDERS_SELF):
        raise Forbidden(f"This {principal.role} key lacks the {Scope.ORDERS_READ} scope")
    if principal.grant is None:
        raise Forbidden(f"This key does not read orders on its own: {CUSTOMER_PROOF}")


def visible(ctx: Context, row: Row | None) -> Row | None:
    """The order if the caller may read it; another customer's order is as good as missing."""
    return row if row is not None and ctx.sees_order(row.id, row.customer_id) else None


async def by_id(ctx: Context, gid: str) -> Row | None:
    require_order_reader(ctx)
    order_id = local_id(gid, "Order")
    return visible(ctx, await ctx.loaders.order_by_id.load(order_id) if order_id else None)


async def by_token(ctx: Context, token: str) -> Row | None:
    """The order an order access token opens (any key of the order's shop may ask); null otherwise."""
    ctx.require()
    async with ctx.reader() as reader:
        order_id = await access.order_for(reader, ctx.tenant_id, token)
    if order_id is None:
        return None
    ctx.proven_orders.add(order_id)  # the token proves the right to this one order
    return await ctx.loaders.order_by_id.load(order_id)


async def by_number(ctx: Context, number: str, with_lines: bool = False) -> Row | None:
    """The order; with_lines also reads its lines in the same transaction and hands them to the
    lines loader, saving the hottest request (an order screen) a second round of reads."""
    require_order_reader(ctx)
    parsed = queries.parse_number(number)
    if parsed is None:
        return None
    async with ctx.reader() as reader:
        order = await queries.by_number(reader, ctx.tenant_id, parsed)
        if order is not None and with_lines:
            lines = await queries.lines_by_order(reader, ctx.tenant_id, [order.id])
            ctx.loaders.lines_by_order.prime(order.id, lines.get(order.id, []))
    return visible(ctx, order)


@as_bad_input
async def listing(
    ctx: Context, where: queries.OrderFilter, page: PageRequest, sort: queries.OrderSort
) -> Page:
    ctx.require(Scope.ORDERS_READ)
    async with ctx.reader() as conn:
        return await queries.list_orders(conn, ctx.tenant_id, where, page, sort)


@as_bad_input
async def of_customer(ctx: Context, customer_id: uuid.UUID, page: PageRequest) -> Page:
    """One customer's orders, newest first: for keys that read customers, and for the customer."""
    if not ctx.sees_customer(customer_id):
        raise Forbidden(f"This key lacks the {Scope.CUSTOMERS_READ} scope: {CUSTOMER_PROOF}")
    async with ctx.reader() as conn:
        return await queries.list_orders(
            conn,
            ctx.tenant_id,
            queries.OrderFilter(customer_id=customer_id),
            page,
            queries.OrderSort.CREATED_AT,
        )
