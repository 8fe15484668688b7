"""Returns and refunds: each mutation is one use case."""

from __future__ import annotations

import uuid

from domain.errors import Code, Problems
from domain.pagination import Page, PageRequest
from domain.refunds import service as refunds
from domain.refunds.service import Refunded, RefundInput
from domain.returns import queries, receiving, service
from domain.returns.models import Return
from domain.returns.receiving import Receipt
from domain.returns.service import ReturnInput
from domain.tenancy.scopes import Scope
from domain.workflows import exchanging
from resolvers import customer_access
from resolvers.context import CUSTOMER_PROOF, Context
from resolvers.errors import Forbidden, as_bad_input
from resolvers.ids import local_id, require_id
from resolvers.inputs import DomainInput
from resolvers.outcome import Outcome, attempt

RETURN = "Return"


def order_line_ids(ids: list[str], field: str = "orderLineId") -> list[uuid.UUID]:
    """Order line IDs from the input, each checked; every bad one is reported."""
    problems = Problems()
    found = []
    for i, gid in enumerate(ids):
        line_id = local_id(gid, "OrderLine")
        if line_id is None:
            problems.add(Code.NOT_FOUND, "Not an OrderLine ID", "lines", i, field)
        else:
            found.append(line_id)
    problems.raise_if_any()
    return found


def return_line_ids(ids: list[str]) -> list[uuid.UUID]:
    """Return line IDs from a receipt, each checked; every bad one is reported."""
    problems = Problems()
    found = []
    for i, gid in enumerate(ids):
        line_id = local_id(gid, "ReturnLine")
        if line_id is None:
            problems.add(Code.NOT_FOUND, "Not a ReturnLine ID", "lines", i, "returnLineId")
        else:
            found.append(line_id)
    problems.raise_if_any()
    return found


async def request(ctx: Context, order_gid: str, data: DomainInput[ReturnInput]) -> Outcome[Return]:
    """The order is named and the caller's access to it checked before the lines' IDs are."""

    async def run() -> Return:
        uow = await customer_access.for_order(ctx, require_id(order_gid, "Order", "orderId"), "orderId")
        return await service.request_return(uow, data.to_domain())

    return await attempt(run)


async def approve(ctx: Context, gid: str) -> Outcome[Return]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: exchanging.approve_return(uow, require_id(gid, RETURN)))


async def decline(ctx: Context, gid: str, reason: str) -> Outcome[Return]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: service.decline_return(uow, require_id(gid, RETURN), reason))


async def mark_in_transit(ctx: Context, gid: str, carrier: str, tracking_number: str) -> Outcome[Return]:
    async def run() -> Return:
        return_id = require_id(gid, RETURN)
        uow = await customer_access.for_return(ctx, return_id)
        return await service.mark_in_transit(uow, return_id, carrier, tracking_number)

    return await attempt(run)


async def receive(ctx: Context, data: DomainInput[Receipt]) -> Outcome[Return]:
    uow = ctx.uow(Scope.FULFILLMENT_WRITE)

    async def run() -> Return:
        receipt = data.to_domain()
        return await receiving.receive(uow, receipt.return_id, receipt.location_id, receipt.lines)

    return await attempt(run)


async def close(ctx: Context, gid: str) -> Outcome[Return]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: service.close_return(uow, require_id(gid, RETURN)))


async def cancel(ctx: Context, gid: str, reason: str | None) -> Outcome[Return]:
    async def run() -> Return:
        return_id = require_id(gid, RETURN)
        uow = await customer_access.for_return(ctx, return_id)
        return await service.cancel_return(uow, return_id, reason)

    return await attempt(run)


async def refund(ctx: Context, data: DomainInput[RefundInput]) -> Outcome[Refunded]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: refunds.create_refund(uow, data.to_domain()))


@as_bad_input
async def listing(
    ctx: Context, where: queries.ReturnFilter, page: PageRequest, sort: queries.ReturnSort
) -> Page:
    ctx.require(Scope.ORDERS_READ)
    async with ctx.reader() as conn:
        return await queries.list_returns(conn, ctx.tenant_id, where, page, sort)


@as_bad_input
async def of_customer(ctx: Context, customer_id: uuid.UUID, page: PageRequest) -> Page:
    """One customer's returns, newest first: for keys that read customers, and for the customer."""
    if not ctx.sees_customer(customer_id):
        raise Forbidden(f"This key lacks the {Scope.CUSTOMERS_READ} scope: {CUSTOMER_PROOF}")
    where = queries.ReturnFilter(customer_id=customer_id)
    async with ctx.reader() as conn:
        return await queries.list_returns(conn, ctx.tenant_id, where, page, queries.ReturnSort.CREATED_AT)
