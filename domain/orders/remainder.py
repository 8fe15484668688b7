"""orderCancelRemaining: a partly shipped order gives up the units that have not shipped (stock that
never came, a customer who no longer wants the rest). Their reservations and backorders are released,
their fulfillment work ends, the order becomes SHIPPED, and what was paid for them is refunded."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select

from domain import validation
from domain.db import utcnow
from domain.errors import Problems
from domain.fulfillment import repository as fulfillment_repo
from domain.fulfillment.backorders import fill_freed
from domain.fulfillment.holds import active_holds
from domain.fulfillment.models import FulfillmentOrder
from domain.fulfillment.status import DONE, FulfillmentOrderStatus
from domain.inventory import service as inventory
from domain.orders.events import StockReleased
from domain.orders.models import Order, OrderAllocation, OrderLine
from domain.orders.repository import lock_order
from domain.orders.status import AllocationStatus
from domain.refunds import repository as refunds
from domain.refunds.calculation import line_share
from domain.refunds.issuing import Amounts, LineRefund, issue
from domain.shipping.models import Shipment
from domain.shipping.status import TrackingStatus
from domain.uow import UnitOfWork


async def cancel_remaining(
    uow: UnitOfWork, order_id: uuid.UUID, reason: str | None, expected_version: int | None = None
) -> Order:
    problems = Problems()
    reason = validation.text(problems, reason, ("reason",), 500, required=False)
    problems.raise_if_any()
    async with uow:
        order = await lock_order(uow, order_id, expected_version)
        held, levels = await fulfillment_repo.lock_order_allocations(uow, order.id)
        dropped = [a for a in held if a.unshipped > 0]
        lines = await _lines(uow, order.id)
        units: dict[uuid.UUID, int] = defaultdict(int)
        for a in dropped:
            units[a.line_id] += a.unshipped
        order.cancel_remaining(
            [{"sku": lines[line_id].sku, "quantity": n} for line_id, n in sorted(units.items())], reason
        )
        reserved = [a for a in dropped if a.status == AllocationStatus.RESERVED]
        await inventory.release(
            uow, order.id, [(a.product_id, a.location_id, a.unshipped) for a in reserved], levels
        )
        for a in dropped:  # the shipped part stays as it is; the rest is gone
            if a.shipped:
                a.quantity, a.status = a.shipped, AllocationStatus.RESERVED
            else:
                a.status = AllocationStatus.RELEASED
        await _end_fulfillment(uow, order.id, held)
        await fill_freed(
            uow, [levels[key] for key in sorted({(a.product_id, a.location_id) for a in reserved})]
        )
        order.record(StockReleased(order.id, units=sum(units.values())))
        await _refund(uow, order, lines, units)
        if await _all_delivered(uow, order.id):
            order.delivered()
        await uow.commit()
    return order


async def _lines(uow: UnitOfWork, order_id: uuid.UUID) -> dict[uuid.UUID, OrderLine]:
    found = await uow.session.execute(select(OrderLine).where(OrderLine.order_id == order_id))
    return {line.id: line for line in found.scalars()}


async def _end_fulfillment(uow: UnitOfWork, order_id: uuid.UUID, held: list[OrderAllocation]) -> None:
    """Fulfillment orders still open end: CLOSED where some of their units shipped, else CANCELLED."""
    shipped_in = {a.fulfillment_order_id for a in held if a.shipped}
    fos = (
        await uow.session.execute(
            select(FulfillmentOrder)
            .where(FulfillmentOrder.order_id == order_id)
            .order_by(FulfillmentOrder.id)
            .with_for_update(key_share=True)
        )
    ).scalars()
    for fo in fos:
        if fo.status in DONE:
            continue
        if fo.id in shipped_in and fo.status != FulfillmentOrderStatus.ON_HOLD:
            fo.shipped(everything=True)
        else:
            fo.cancel()
        for hold in await active_holds(uow, fo.id):
            hold.released_at = utcnow()


async def _refund(
    uow: UnitOfWork, order: Order, lines: dict[uuid.UUID, OrderLine], units: dict[uuid.UUID, int]
) -> None:
    """Gives back what the dropped units were charged, as far as the payments reach."""
    if order.refundable <= 0:
        return
    before = await refunds.refunded_units(uow, order.id)
    shares = []
    for line_id, n in sorted(units.items()):
        line = lines[line_id]
        n = min(n, line.quantity - before.get(line_id, 0))
        if n > 0:
            shares.append(
                LineRefund(
                    line_id, n, line_share(line.subtotal + line.tax, line.quantity, before.get(line_id, 0), n)
                )
            )
    value = sum(s.amount for s in shares)
    if 0 < value <= order.refundable:
        await issue(uow, order, Amounts(shares), "Unshipped units cancelled")
    elif value > order.refundable:  # paid in part: everything still paid, without naming units
        await issue(uow, order, Amounts([], extra=order.refundable), "Unshipped units cancelled")


async def _all_delivered(uow: UnitOfWork, order_id: uuid.UUID) -> bool:
    statuses = list(
        (await uow.session.execute(select(Shipment.status).where(Shipment.order_id == order_id))).scalars()
    )
    return bool(statuses) and all(s == TrackingStatus.DELIVERED for s in statuses)
