"""Moving a fulfillment order's units to another location: released here, reserved there."""

from __future__ import annotations

import uuid

from domain.errors import Code, DomainError
from domain.fulfillment import repository as repo
from domain.fulfillment.backorders import fill_freed
from domain.fulfillment.events import FulfillmentOrderMoved
from domain.fulfillment.models import FulfillmentOrder
from domain.fulfillment.picking import LinePick, check_stock, new_fulfillment_order, pick_lines
from domain.fulfillment.status import DONE, FulfillmentOrderStatus, HoldReason
from domain.inventory.models import MovementKind
from domain.orders.models import OrderAllocation
from domain.orders.status import AllocationStatus
from domain.uow import Transaction

S = FulfillmentOrderStatus


async def move_units(
    tx: Transaction, locked: repo.Locked, location_id: uuid.UUID, lines: list[LinePick] | None
) -> FulfillmentOrder:
    """The destination has been checked (repository.require_location) before anything was locked."""
    fo, order = locked.fo, locked.order
    if fo.status in DONE:
        raise DomainError(Code.INVALID_TRANSITION, f"A {fo.status} fulfillment order cannot move", ["id"])
    if location_id == fo.location_id:
        raise DomainError(
            Code.SAME_LOCATION, "The fulfillment order is already at this location", ["locationId"]
        )
    picked = pick_lines(locked.allocations, lines, "lines")
    if not picked:
        raise DomainError(Code.NOTHING_TO_SHIP, "Nothing is left to move", ["id"])
    check_stock(
        picked,
        lambda product: locked.levels[product, location_id].sellable,
        lambda units, wanted: f"Only {units} of {wanted} units are available there",
    )

    everything = sum(q for _, q in picked) == sum(a.unshipped for a in locked.allocations)
    whole = everything and all(a.shipped == 0 for a in locked.allocations)
    target = fo if whole else new_fulfillment_order(order, location_id, sum(q for _, q in picked))
    if not whole:
        tx.session.add(target)
        await tx.session.flush()
    freed = sorted(
        {(a.product_id, a.location_id) for a, _ in picked if a.status == AllocationStatus.RESERVED}
    )
    for a, quantity in picked:
        old = locked.levels.get((a.product_id, a.location_id))
        if a.status == AllocationStatus.RESERVED and old is not None:
            tx.session.add(
                old.move(MovementKind.RELEASED, committed_delta=-quantity, order_id=order.id, actor=tx.actor)
            )
        new = locked.levels[a.product_id, location_id]
        tx.session.add(
            new.move(MovementKind.RESERVED, committed_delta=quantity, order_id=order.id, actor=tx.actor)
        )
        if quantity == a.quantity:  # nothing of it shipped: the allocation itself moves
            a.location_id, a.status, a.fulfillment_order_id = (
                location_id,
                AllocationStatus.RESERVED,
                target.id,
            )
        else:
            tx.session.add(a.split_off(quantity, location_id, target.id))
    fo.record(
        FulfillmentOrderMoved(
            fo.id,
            order_id=order.id,
            from_location_id=fo.location_id,
            to_location_id=location_id,
            units=sum(q for _, q in picked),
            moved_to_id=target.id,
        )
    )
    if whole:
        fo.location_id = location_id
        await _restart(tx, fo)
    else:
        await _carry_holds(tx, fo, target)
        if everything:  # what had shipped stays with the original, which has nothing left to do
            holds = await repo.active_holds(tx, fo.id)  # they travelled with the units
            for left, h in reversed(list(enumerate(holds))):
                fo.release(h, left)
            fo.shipped(everything=True)
        else:
            await _release_stock_hold_if_filled(tx, fo)
    await tx.session.flush()
    await fill_freed(tx, [locked.levels[key] for key in freed])
    return target


async def _restart(tx: Transaction, fo: FulfillmentOrder) -> None:
    """A whole fulfillment order at a new place: picking starts over; stock holds are moot."""
    fo.restart()
    fo.release_reason(await repo.active_holds(tx, fo.id), HoldReason.INVENTORY_OUT_OF_STOCK)


async def _carry_holds(tx: Transaction, source: FulfillmentOrder, target: FulfillmentOrder) -> None:
    """Units split off keep the reasons they were held for (fraud, payment …), but not for stock."""
    for h in await repo.active_holds(tx, source.id):
        if h.reason != HoldReason.INVENTORY_OUT_OF_STOCK:
            tx.session.add(target.hold(HoldReason(h.reason), h.note, tx.actor))


async def _release_stock_hold_if_filled(tx: Transaction, fo: FulfillmentOrder) -> None:
    await tx.session.flush()
    rest = await repo.held_allocations(tx, OrderAllocation.fulfillment_order_id == fo.id, lock=False)
    if any(a.status == AllocationStatus.BACKORDERED for a in rest):
        return
    fo.release_reason(await repo.active_holds(tx, fo.id), HoldReason.INVENTORY_OUT_OF_STOCK)
