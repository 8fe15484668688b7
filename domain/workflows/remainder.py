"""orderCancelRemaining: a partly shipped order gives up the units that have not shipped (stock that
never came, a customer who no longer wants the rest). Their reservations and backorders are released,
their fulfillment work ends, the order becomes SHIPPED, and what was paid beyond what the kept units
and shipping cost is refunded."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from domain import validation
from domain.errors import Problems
from domain.fulfillment import repository as fulfillment_repo
from domain.fulfillment import service as fulfillment
from domain.fulfillment.backorders import fill_freed
from domain.inventory import service as inventory
from domain.orders.events import StockReleased
from domain.orders.models import Order, OrderLine
from domain.orders.repository import lines_of_order, lock_order, refuse_if_paid_by_credit
from domain.orders.status import AllocationStatus
from domain.refunds import repository as refunds
from domain.refunds.calculation import line_share, shipping_charged
from domain.refunds.issuing import Amounts, LineRefund, issue
from domain.returns.repository import refresh_order_status
from domain.shipping.models import Shipment
from domain.shipping.status import last_arrival
from domain.uow import UnitOfWork


async def cancel_remaining(
    uow: UnitOfWork, order_id: uuid.UUID, reason: str | None, expected_version: int | None = None
) -> Order:
    problems = Problems()
    reason = validation.text(problems, reason, ("reason",), 500, required=False)
    problems.raise_if_any()
    async with uow:
        order = await lock_order(uow, order_id, expected_version)
        await refuse_if_paid_by_credit(uow, order)
        held, levels = await fulfillment_repo.lock_order_allocations(uow, order.id)
        dropped = [a for a in held if a.unshipped > 0]
        lines = await lines_of_order(uow, order.id)
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
        await fulfillment.cancel_for_order(
            uow,
            order.id,
            frozenset(a.fulfillment_order_id for a in held if a.shipped and a.fulfillment_order_id),
        )
        await fill_freed(
            uow, [levels[key] for key in sorted({(a.product_id, a.location_id) for a in reserved})]
        )
        if units:
            order.record(StockReleased(order.id, units=sum(units.values())))
        await _refund(uow, order, lines, units)
        arrived = await _all_delivered(uow, order.id)
        if arrived is not None:
            order.delivered(arrived)
        await refresh_order_status(uow, order)
        await uow.commit()
    return order


async def _refund(
    uow: UnitOfWork, order: Order, lines: dict[uuid.UUID, OrderLine], dropped: dict[uuid.UUID, int]
) -> None:
    """Gives back what was paid beyond what the customer keeps: the kept units not yet refunded and
    the shipping. Units refunded earlier without a return count as dropped ones first."""
    held_money = order.refundable
    if held_money <= 0 or not dropped:
        return
    refunded = await refunds.refunded_units(uow, order.id)
    by_return = await refunds.refunded_units(uow, order.id, through_returns=True)
    shares, owed = [], 0
    for line in lines.values():
        charged = line.subtotal + line.tax
        before = refunded.get(line.id, 0)
        plain = before - by_return.get(line.id, 0)
        still = max(dropped.get(line.id, 0) - plain, 0)  # dropped units not refunded yet
        value = line_share(charged, line.quantity, before, still) if still else 0
        owed += charged - line_share(charged, line.quantity, 0, before) - value
        if value:
            shares.append(LineRefund(line.id, still, value))
    lines_tax = sum(line.tax for line in lines.values())
    owed += shipping_charged(order.shipping, order.tax, lines_tax) - await refunds.shipping_refunded(
        uow, order.id
    )
    due_back = min(sum(s.amount for s in shares), max(held_money - owed, 0))
    if due_back <= 0:
        return
    if due_back == sum(s.amount for s in shares):
        await issue(uow, order, Amounts(shares), "Unshipped units cancelled")
    else:  # paid in part: what was paid beyond the kept units, without naming units
        await issue(uow, order, Amounts([], extra=due_back), "Unshipped units cancelled")


async def _all_delivered(uow: UnitOfWork, order_id: uuid.UUID) -> datetime | None:
    """When the last of the order's shipments arrived, once all have; None until then."""
    rows = (
        await uow.session.execute(
            select(Shipment.status, Shipment.delivered_at).where(
                Shipment.tenant_id == uow.tenant_id, Shipment.order_id == order_id
            )
        )
    ).all()
    return last_arrival(rows)
