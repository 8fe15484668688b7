"""Steps for an order whose quantities change after it was placed (an order edit): which held units
give way, where added units are picked from, and the fulfillment orders left with nothing to do.

Units come back from the least advanced work first: backordered units (nothing was set aside), then
reserved units not yet in a fulfillment order, then those in OPEN, ON_HOLD and IN_PROGRESS ones. Units
picked and PACKED are never taken out: the change is refused (UNITS_PACKED) until the packer moves them
back, as nobody could otherwise tell which parcel to open."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.db import utcnow
from domain.errors import Code, DomainError
from domain.fulfillment.models import FulfillmentOrder
from domain.fulfillment.opening import Held, openings
from domain.fulfillment.repository import active_holds, allocation_states
from domain.fulfillment.status import DONE, FulfillmentOrderStatus, HoldReason
from domain.orders.models import Order, OrderAllocation
from domain.orders.status import AllocationStatus
from domain.uow import Transaction

S = FulfillmentOrderStatus
# The order units give way in: lower first. PACKED units never do.
_GIVE_WAY = {None: 1, S.OPEN: 2, S.ON_HOLD: 3, S.IN_PROGRESS: 4}


@dataclass(frozen=True)
class Taken:
    allocation: OrderAllocation
    units: int
    reserved: bool  # the units were set aside at their level (released there), not backordered


def take_units(
    held: list[OrderAllocation], fos: dict[uuid.UUID, FulfillmentOrder], units: int, sku: str
) -> list[Taken]:
    """Takes `units` unshipped units of one line's held allocations, least advanced work first, and
    shrinks or releases those allocations. Pure but for the allocations it changes."""

    def rank(a: OrderAllocation) -> int:
        if a.status == AllocationStatus.BACKORDERED:
            return 0
        fo = fos.get(a.fulfillment_order_id) if a.fulfillment_order_id else None
        return _GIVE_WAY.get(fo.status if fo else None, 9)

    taken = []
    for a in sorted((a for a in held if a.unshipped > 0), key=rank):
        if units == 0:
            break
        if rank(a) == 9:
            raise DomainError(
                Code.UNITS_PACKED,
                f"Units of {sku} are packed in a parcel: move them back out of it (unpack) before "
                "taking them off the order",
                ["lineId"],
            )
        n = min(units, a.unshipped)
        taken.append(Taken(a, n, a.status == AllocationStatus.RESERVED))
        if n == a.quantity:  # nothing of it shipped: it is gone
            a.status = AllocationStatus.RELEASED
        else:
            a.quantity -= n
        units -= n
    return taken


async def place_added(
    tx: Transaction, order: Order, added: list[OrderAllocation], fos: dict[uuid.UUID, FulfillmentOrder]
) -> None:
    """Puts an open order's added units in fulfillment: reserved units join an OPEN (else an ON_HOLD)
    fulfillment order at their location when there is one, the rest get new ones (backorders on hold, as
    at confirmation). A new one takes the holds the order's other work is under (a fraud check, an
    address to confirm), so added units never ship ahead of the rest."""
    joinable: dict[uuid.UUID, FulfillmentOrder] = {}
    for fo in sorted(fos.values(), key=lambda f: (f.status != S.OPEN, str(f.id))):
        if fo.status in (S.OPEN, S.ON_HOLD):
            joinable.setdefault(fo.location_id, fo)
    rest: list[OrderAllocation] = []
    for a in added:
        home = joinable.get(a.location_id) if a.status == AllocationStatus.RESERVED else None
        if home is not None:
            a.fulfillment_order_id = home.id
        else:
            rest.append(a)
    if not rest:
        return
    kept: dict[tuple[str, str | None], None] = {}
    for fo in fos.values():
        if fo.status not in DONE:
            for h in await active_holds(tx, fo.id):
                if h.reason != HoldReason.INVENTORY_OUT_OF_STOCK:
                    kept[h.reason, h.note] = None
    held = [Held(a.id, a.location_id, a.status == AllocationStatus.BACKORDERED, a.quantity) for a in rest]
    by_id = {a.id: a for a in rest}
    for o in openings(order, held, tx.actor):
        tx.session.add(o.fo)
        await tx.session.flush()  # no relationships: the row first, then what refers to it
        for allocation_id in o.allocation_ids:
            by_id[allocation_id].fulfillment_order_id = o.fo.id
        for hold in o.holds:
            tx.session.add(hold)
        opened_with = {h.reason for h in o.holds}
        for reason, note in kept:
            if reason not in opened_with:  # a HIGH-risk order's new ones open held already
                tx.session.add(o.fo.hold(HoldReason(reason), note, tx.actor))


async def end_emptied(
    tx: Transaction, fos: dict[uuid.UUID, FulfillmentOrder], touched: set[uuid.UUID]
) -> None:
    """Fulfillment orders an edit left with nothing to ship end: CLOSED when some of their units
    shipped, else CANCELLED; their holds no longer apply."""
    await tx.session.flush()
    for fo_id in sorted(touched):
        fo = fos[fo_id]
        if fo.status in DONE:
            continue
        rows = await allocation_states(tx, fo_id)
        if any(r.status != AllocationStatus.RELEASED and r.quantity > r.shipped for r in rows):
            continue
        holds = await active_holds(tx, fo_id)
        if any(r.shipped for r in rows):
            for left, h in reversed(list(enumerate(holds))):
                fo.release(h, left)
            fo.shipped(everything=True)
        else:
            fo.cancel()
            for h in holds:
                h.released_at = utcnow()
