"""Naming units of a fulfillment order: checked picks of its lines, and new fulfillment orders."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from domain.errors import Code, Problems
from domain.fulfillment.events import FulfillmentOrderCreated
from domain.fulfillment.models import FulfillmentOrder
from domain.fulfillment.status import FulfillmentOrderStatus
from domain.orders.models import Order, OrderAllocation


@dataclass
class LinePick:
    """Some units of one fulfillment order line (an allocation), as the API names them."""

    allocation_id: uuid.UUID
    quantity: int


def new_fulfillment_order(order: Order, location_id: uuid.UUID, units: int) -> FulfillmentOrder:
    fo = FulfillmentOrder(
        id=uuid.uuid4(),
        tenant_id=order.tenant_id,
        order_id=order.id,
        location_id=location_id,
        status=FulfillmentOrderStatus.OPEN,
        priority=order.effective_priority,
        ship_by=order.ship_by,
        packages=[],
    )
    fo.record(
        FulfillmentOrderCreated(
            fo.id, order_id=order.id, location_id=location_id, status=FulfillmentOrderStatus.OPEN, units=units
        )
    )
    return fo


def pick_lines(
    allocations: list[OrderAllocation], lines: list[LinePick] | None, where: str
) -> list[tuple[OrderAllocation, int]]:
    """The units asked for, checked against what each line still holds; None means all of it."""
    if lines is None:
        return [(a, a.unshipped) for a in allocations if a.unshipped > 0]
    by_id = {a.id: a for a in allocations}
    problems = Problems()
    seen: set[uuid.UUID] = set()
    picked = []
    for i, line in enumerate(lines):
        a = by_id.get(line.allocation_id)
        if a is None:
            problems.add(Code.NOT_FOUND, "No such line in this fulfillment order", where, i, "id")
        elif line.allocation_id in seen:
            problems.add(Code.DUPLICATE, "The line is named twice", where, i, "id")
        elif line.quantity <= 0:
            problems.add(Code.INVALID_QUANTITY, "quantity must be positive", where, i, "quantity")
        elif line.quantity > a.unshipped:
            problems.add(
                Code.EXCEEDS_UNSHIPPED,
                f"Only {a.unshipped} unit(s) of this line are left to ship",
                where,
                i,
                "quantity",
            )
        else:
            picked.append((a, line.quantity))
        seen.add(line.allocation_id)
    if not lines:
        problems.add(Code.REQUIRED, "Name at least one line, or leave lines out for all", where)
    problems.raise_if_any()
    return picked


def check_stock(
    picked: list[tuple[OrderAllocation, int]],
    units_at: Callable[[uuid.UUID], int],
    message: Callable[[int, int], str],
) -> None:
    """One INSUFFICIENT_STOCK per picked line whose product asks for more than `units_at(product)`
    (the lines of one product are counted together); `message(units, wanted)` words it."""
    wanted: dict[uuid.UUID, int] = defaultdict(int)
    for a, quantity in picked:
        wanted[a.product_id] += quantity
    problems = Problems()
    for i, (a, _) in enumerate(picked):
        units = units_at(a.product_id)
        if wanted[a.product_id] > units:
            problems.add(
                Code.INSUFFICIENT_STOCK, message(max(0, units), wanted[a.product_id]), "lines", i, "quantity"
            )
    problems.raise_if_any()
