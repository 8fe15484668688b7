"""orderCancelRemaining: a partly shipped order gives up the units that have not shipped (stock that
never came, a customer who no longer wants the rest). Their reservations and backorders are released,
their fulfillment work ends, the order becomes SHIPPED, and what was paid beyond what the kept units
and shipping cost is refunded."""

from __future__ import annotations

import uuid
from collections import defaultdict

from domain import validation
from domain.errors import Problems
from domain.fulfillment import repository as fulfillment_repo
from domain.fulfillment import service as fulfillment
from domain.fulfillment.backorders import fill_freed
from domain.orders.models import Order, OrderLine
from domain.orders.releasing import release_unshipped
from domain.orders.repository import lines_of_order, lock_order, refuse_if_paid_by_credit
from domain.refunds import repository as refunds
from domain.refunds.calculation import ChargedLine, dropped_units_refund, shipping_charged
from domain.refunds.issuing import issue
from domain.returns.repository import refresh_order_status
from domain.shipping.delivery import deliver_if_arrived
from domain.shipping.repository import order_shipments
from domain.uow import Transaction, UnitOfWork


async def cancel_remaining(
    uow: UnitOfWork, order_id: uuid.UUID, reason: str | None, expected_version: int | None = None
) -> Order:
    problems = Problems()
    reason = validation.text(problems, reason, ("reason",), 500, required=False)
    problems.raise_if_any()
    async with uow as tx:
        order = await lock_order(tx, order_id, expected_version)
        await refuse_if_paid_by_credit(tx, order)
        held, levels = await fulfillment_repo.lock_order_allocations(tx, order.id)
        dropped = [a for a in held if a.unshipped > 0]
        lines = await lines_of_order(tx, order.id)
        units: dict[uuid.UUID, int] = defaultdict(int)
        for a in dropped:
            units[a.line_id] += a.unshipped
        order.cancel_remaining(
            [{"sku": lines[line_id].sku, "quantity": n} for line_id, n in sorted(units.items())], reason
        )
        # Fulfillment orders that shipped part of their units close; the others are cancelled.
        partly_shipped = frozenset(
            a.fulfillment_order_id for a in held if a.shipped and a.fulfillment_order_id
        )
        released = await release_unshipped(tx, order, dropped, levels)
        await fulfillment.cancel_for_order(tx, order.id, partly_shipped)
        await fill_freed(tx, released.levels)
        if released.event is not None:
            order.record(released.event)
        await _refund(tx, order, lines, units)
        deliver_if_arrived(order, await order_shipments(tx, order.id))
        await refresh_order_status(tx, order)
        await uow.commit()
    return order


async def _refund(
    tx: Transaction, order: Order, lines: dict[uuid.UUID, OrderLine], dropped: dict[uuid.UUID, int]
) -> None:
    """Gives back what was paid beyond what the customer keeps (refunds/calculation.py)."""
    if order.refundable <= 0 or not dropped:
        return
    refunded = await refunds.refunded_units(tx, order.id)
    by_return = await refunds.refunded_units(tx, order.id, through_returns=True)
    charged = [
        ChargedLine(
            line.id,
            line.subtotal + line.tax,
            line.quantity,
            refunded.get(line.id, 0),
            by_return.get(line.id, 0),
            dropped.get(line.id, 0),
        )
        for line in lines.values()
    ]
    lines_tax = sum(line.tax for line in lines.values())
    shipping_owed = shipping_charged(order.shipping, order.tax, lines_tax) - await refunds.shipping_refunded(
        tx, order.id
    )
    amounts = dropped_units_refund(order.refundable, charged, shipping_owed)
    if amounts is not None:
        await issue(tx, order, amounts, "Unshipped units cancelled")
