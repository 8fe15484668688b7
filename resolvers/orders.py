"""Order operations: each mutation is one use case; each list one keyset-paginated query."""

from __future__ import annotations

from domain.orders import queries, remainder, service
from domain.orders.inputs import OrderChanges, OrderInput
from domain.orders.models import Order
from domain.orders.service import Placed
from domain.pagination import Page, PageRequest
from domain.reading import Row
from resolvers.context import EVERYONE, MANAGERS, ORDER_TAKERS, Context
from resolvers.errors import as_bad_input
from resolvers.ids import local_id, require_id
from resolvers.outcome import Outcome, attempt


async def create(ctx: Context, data: OrderInput) -> Outcome[Placed]:
    uow = ctx.uow(ORDER_TAKERS)
    return await attempt(lambda: service.place_order(uow, data))


async def confirm(ctx: Context, gid: str, version: int | None) -> Outcome[Order]:
    uow = ctx.uow(MANAGERS)
    return await attempt(lambda: service.confirm_order(uow, require_id(gid, "Order"), version))


async def update(ctx: Context, gid: str, data: OrderChanges, version: int | None) -> Outcome[Order]:
    uow = ctx.uow(MANAGERS)
    return await attempt(lambda: service.update_order(uow, require_id(gid, "Order"), data, version))


async def cancel(ctx: Context, gid: str, reason: str | None, version: int | None) -> Outcome[Order]:
    uow = ctx.uow(MANAGERS)
    return await attempt(lambda: service.cancel_order(uow, require_id(gid, "Order"), reason, version))


async def cancel_remaining(ctx: Context, gid: str, reason: str | None, version: int | None) -> Outcome[Order]:
    uow = ctx.uow(MANAGERS)
    return await attempt(lambda: remainder.cancel_remaining(uow, require_id(gid, "Order"), reason, version))


async def mark_paid(
    ctx: Context, gid: str, reference: str, amount: str | None, version: int | None
) -> Outcome[Order]:
    uow = ctx.uow(MANAGERS)
    return await attempt(
        lambda: service.record_payment(uow, require_id(gid, "Order"), reference, amount, version)
    )


async def by_id(ctx: Context, gid: str) -> Row | None:
    ctx.require(EVERYONE)
    order_id = local_id(gid, "Order")
    return await ctx.loaders.order_by_id.load(order_id) if order_id else None


async def by_number(ctx: Context, number: str, with_lines: bool = False) -> Row | None:
    """The order; with_lines also reads its lines in the same transaction and hands them to the
    lines loader, saving the hottest request (an order screen) a second round of reads."""
    ctx.require(EVERYONE)
    parsed = queries.parse_number(number)
    if parsed is None:
        return None
    async with ctx.reader() as reader:
        order = await queries.by_number(reader, ctx.tenant_id, parsed)
        if order is not None and with_lines:
            lines = await queries.lines_by_order(reader, ctx.tenant_id, [order.id])
            ctx.loaders.lines_by_order.prime(order.id, lines.get(order.id, []))
    return order


@as_bad_input
async def listing(
    ctx: Context, where: queries.OrderFilter, page: PageRequest, sort: queries.OrderSort
) -> Page:
    ctx.require(EVERYONE)
    async with ctx.reader() as conn:
        return await queries.list_orders(conn, ctx.tenant_id, where, page, sort)
