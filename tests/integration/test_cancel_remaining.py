"""Cancelling the unshipped rest of a partly shipped order: reservations and backorders released, the
fulfillment work ended, the order SHIPPED, the ledger still adding up."""

from __future__ import annotations

import pytest

from domain.catalog.models import BackorderPolicy
from domain.errors import Code, DomainError
from domain.fulfillment.picking import LinePick
from domain.orders.remainder import cancel_remaining
from domain.orders.service import confirm_order, place_order
from domain.shipping.service import ShipmentInput, create_shipment
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    level,
    location,
    order_input,
    orders,
    outbox_types,
    product,
    snapshot,
    uow,
)
from tests.integration.fulfillment_builders import fulfillment_orders, holds


async def test_cancelling_the_rest_releases_reservations_and_backorders_and_ships_the_order(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", stock={main.id: 5})
    pre = await product(db, tenant.id, "PRE", stock={main.id: 0}, backorder=BackorderPolicy.ALLOW)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 3), ("PRE", 2)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    ready = next(fo for fo in await fulfillment_orders(db, order.id) if fo.status == "OPEN")
    waiting = next(fo for fo in await fulfillment_orders(db, order.id) if fo.status == "ON_HOLD")
    (mug_allocation,) = [a for a in await allocations(db, order.id) if a.product_id == mug]
    await create_shipment(
        uow(db, tenant.id), ShipmentInput(ready.id, "generic", "1Z-1", lines=[LinePick(mug_allocation.id, 1)])
    )
    assert (await level(db, mug, main.id)).committed == 2

    done = await cancel_remaining(uow(db, tenant.id), order.id, "Supplier discontinued the jacket")

    assert (done.status, done.fulfillment_status) == ("SHIPPED", "FULFILLED")
    mug_level = await level(db, mug, main.id)
    assert (mug_level.on_hand, mug_level.committed) == (4, 0)  # one shipped, two released
    by_product = {a.product_id: a for a in await allocations(db, order.id)}
    assert (by_product[mug].quantity, by_product[mug].shipped, by_product[mug].status) == (1, 1, "RESERVED")
    assert by_product[pre].status == "RELEASED"
    statuses = {fo.id: fo.status for fo in await fulfillment_orders(db, order.id)}
    assert (statuses[ready.id], statuses[waiting.id]) == ("CLOSED", "CANCELLED")
    assert all(h.released_at is not None for h in await holds(db, waiting.id))
    types = await outbox_types(db, tenant.id, aggregate_id=order.id)
    assert types["ORDER_REMAINDER_CANCELLED"] == 1 and types["ORDER_STOCK_RELEASED"] == 1
    assert "REFUND_ISSUED" not in types  # nothing was paid
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_pending_or_fully_shipped_order_has_no_remainder_to_cancel(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 5})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as pending:
        await cancel_remaining(uow(db, tenant.id), order.id, None)
    await confirm_order(uow(db, tenant.id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)
    await create_shipment(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "1Z-2"))
    with pytest.raises(DomainError) as shipped:
        await cancel_remaining(uow(db, tenant.id), order.id, None)

    assert (pending.value.code, shipped.value.code) == (Code.ORDER_NOT_CANCELLABLE,) * 2
    assert "cancel the whole order" in pending.value.message
    assert "nothing is left to ship" in shipped.value.message
    assert before["order_allocations"] == (await snapshot(db, tenant.id))["order_allocations"]
    assert [o.status for o in await orders(db, tenant.id)] == ["SHIPPED"]
