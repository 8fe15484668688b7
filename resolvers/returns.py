"""Returns and refunds: each mutation is one use case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.errors import Code, Problems
from domain.pagination import Page, PageRequest
from domain.refunds import service as refunds
from domain.refunds.service import Refunded, RefundInput
from domain.returns import queries, receiving, service
from domain.returns.models import Return
from domain.returns.receiving import ReceiptLine
from domain.returns.service import ExchangeInput, ReturnInput, ReturnLineInput
from domain.returns.status import ItemCondition, ReturnReason
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


@dataclass(frozen=True)
class RequestedLine:
    order_line_gid: str
    quantity: int
    reason: ReturnReason
    note: str | None
    exchange_for: ExchangeInput | None


async def request(
    ctx: Context, order_gid: str, lines: list[RequestedLine], note: str | None
) -> Outcome[Return]:
    async def run() -> Return:
        order_id = require_id(order_gid, "Order", "orderId")
        uow = await customer_access.for_order(ctx, order_id, "orderId")
        ids = order_line_ids([line.order_line_gid for line in lines])
        chosen = [
            ReturnLineInput(line_id, line.quantity, line.reason, line.note, line.exchange_for)
            for line_id, line in zip(ids, lines, strict=True)
        ]
        return await service.request_return(uow, ReturnInput(order_id, chosen, note))

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


async def receive(
    ctx: Context, gid: str, location_gid: str, lines: list[tuple[str, int, ItemCondition]]
) -> Outcome[Return]:
    uow = ctx.uow(Scope.FULFILLMENT_WRITE)

    def receipt() -> list[ReceiptLine]:
        problems = Problems()
        found = []
        for i, (line_gid, quantity, condition) in enumerate(lines):
            line_id = local_id(line_gid, "ReturnLine")
            if line_id is None:
                problems.add(Code.NOT_FOUND, "Not a ReturnLine ID", "lines", i, "returnLineId")
            else:
                found.append(ReceiptLine(line_id, quantity, condition))
        problems.raise_if_any()
        return found

    return await attempt(
        lambda: receiving.receive(
            uow, require_id(gid, RETURN), require_id(location_gid, "Location", "locationId"), receipt()
        )
    )


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
