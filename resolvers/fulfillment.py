"""Fulfillment operations: each mutation is one use case."""

from __future__ import annotations

from domain.errors import Code, Problems
from domain.fulfillment import queries, service
from domain.fulfillment.models import FulfillmentOrder
from domain.fulfillment.picking import LinePick
from domain.fulfillment.service import Package
from domain.fulfillment.status import HoldReason
from domain.orders.models import Order
from domain.pagination import Page
from domain.tenancy.scopes import Scope
from domain.workflows import prioritizing
from resolvers.context import Context
from resolvers.errors import as_bad_input
from resolvers.ids import local_id, require_id
from resolvers.outcome import Outcome, attempt

FO = "FulfillmentOrder"
LINE = "FulfillmentOrderLine"


def picks(lines: list[tuple[str, int]] | None) -> list[LinePick] | None:
    """Line IDs from the input; every one that is not a fulfillment order line is reported."""
    if lines is None:
        return None
    problems = Problems()
    picked = []
    for i, (gid, quantity) in enumerate(lines):
        allocation_id = local_id(gid, LINE)
        if allocation_id is None:
            problems.add(Code.NOT_FOUND, "No such line in this fulfillment order", "lines", i, "id")
        else:
            picked.append(LinePick(allocation_id, quantity))
    problems.raise_if_any()
    return picked


async def hold(ctx: Context, gid: str, reason: HoldReason, note: str | None) -> Outcome[FulfillmentOrder]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: service.hold(uow, require_id(gid, FO), reason, note))


async def release_hold(ctx: Context, gid: str, reason: HoldReason) -> Outcome[FulfillmentOrder]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: service.release_hold(uow, require_id(gid, FO), reason))


async def start_picking(ctx: Context, gid: str) -> Outcome[FulfillmentOrder]:
    uow = ctx.uow(Scope.FULFILLMENT_WRITE)
    return await attempt(lambda: service.start_picking(uow, require_id(gid, FO)))


async def mark_packed(ctx: Context, gid: str, packages: list[Package]) -> Outcome[FulfillmentOrder]:
    uow = ctx.uow(Scope.FULFILLMENT_WRITE)
    return await attempt(lambda: service.mark_packed(uow, require_id(gid, FO), packages))


async def move(
    ctx: Context, gid: str, location_gid: str, lines: list[tuple[str, int]] | None
) -> Outcome[FulfillmentOrder]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(
        lambda: service.move(
            uow, require_id(gid, FO), require_id(location_gid, "Location", "locationId"), picks(lines)
        )
    )


async def set_priority(ctx: Context, gid: str, priority: int | None, reason: str | None) -> Outcome[Order]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: prioritizing.set_priority(uow, require_id(gid, "Order"), priority, reason))


@as_bad_input
async def queue(ctx: Context, location_gid: str, first: int | None, after: str | None) -> Page | None:
    ctx.require(Scope.ORDERS_READ)
    location_id = local_id(location_gid, "Location")
    if location_id is None or await ctx.loaders.location_by_id.load(location_id) is None:
        return None
    async with ctx.reader() as reader:
        return await queries.queue(reader, ctx.tenant_id, location_id, first, after)
