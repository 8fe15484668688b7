"""Cancelling the unshipped rest of a partly shipped order: reservations and backorders released, the
fulfillment work ended, the order SHIPPED, the ledger still adding up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.catalog.models import BackorderPolicy
from domain.errors import Code, DomainError
from domain.fulfillment import service as fulfillment
from domain.fulfillment.picking import LinePick
from domain.fulfillment.status import HoldReason
from domain.orders.service import record_payment
from domain.refunds.service import RefundInput, RefundLineInput, create_refund
from domain.returns.service import ExchangeInput, ReturnLineInput
from domain.returns.status import ReturnReason
from domain.shipping.service import ShipmentInput, create_shipment
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from domain.workflows.remainder import cancel_remaining
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
from tests.integration.return_builders import (
    approved_return,
    lines_of,
    order_row,
    receive_all,
    refunds_of,
    shipped_order,
    wanted,
)


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
    before = (await snapshot(db, tenant.id), await allocations(db, order.id))

    with pytest.raises(DomainError) as pending:
        await cancel_remaining(uow(db, tenant.id), order.id, None)
    assert (await snapshot(db, tenant.id), await allocations(db, order.id)) == before
    await confirm_order(uow(db, tenant.id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)
    await create_shipment(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "1Z-2"))
    with pytest.raises(DomainError) as shipped:
        await cancel_remaining(uow(db, tenant.id), order.id, None)

    assert (pending.value.code, shipped.value.code) == (Code.ORDER_NOT_CANCELLABLE,) * 2
    assert "cancel the whole order" in pending.value.message
    assert "nothing is left to ship" in shipped.value.message
    assert [o.status for o in await orders(db, tenant.id)] == ["SHIPPED"]


async def _one_of_two_shipped(db, tenant_id, units=2, paid=None):
    """MUG x units (11.00 each with tax; shipping 5.50 with tax), one unit shipped; paid `paid` minor
    units (None: nothing)."""
    main = await location(db, tenant_id, "MAIN")
    mug = await product(db, tenant_id, "MUG", stock={main.id: 5})
    order = (await place_order(uow(db, tenant_id), order_input(("MUG", units)))).order
    if paid:
        await record_payment(uow(db, tenant_id), order.id, "pay-1", str(Decimal(paid) / 100))
    await confirm_order(uow(db, tenant_id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)
    (allocation,) = await allocations(db, order.id)
    await create_shipment(
        uow(db, tenant_id), ShipmentInput(fo.id, "generic", "1Z-P", lines=[LinePick(allocation.id, 1)])
    )
    return main, mug, order, fo


async def test_a_partly_paid_order_gets_back_only_what_was_paid_beyond_what_it_keeps(db, tenant):
    # Kept: one mug (11.00) and shipping (5.50) = 16.50; paid 22.00, so 5.50 comes back.
    _, _, order, _ = await _one_of_two_shipped(db, tenant.id, paid=2200)

    done = await cancel_remaining(uow(db, tenant.id), order.id, None)

    assert (done.refunded, done.payment_status) == (550, "PARTIALLY_REFUNDED")
    (refund,) = await refunds_of(db, order.id)
    assert (refund.amount, refund.extra_amount, refund.lines_amount) == (550, 550, 0)


async def test_an_order_paid_only_for_what_it_keeps_gets_nothing_back(db, tenant):
    _, _, order, _ = await _one_of_two_shipped(db, tenant.id, paid=1650)

    done = await cancel_remaining(uow(db, tenant.id), order.id, None)

    assert (done.refunded, await refunds_of(db, order.id)) == (0, [])


async def test_units_refunded_before_are_not_refunded_again_when_the_rest_is_cancelled(db, tenant):
    _, _, order, _ = await _one_of_two_shipped(db, tenant.id, units=3, paid=3850)
    (line,) = await lines_of(db, order.id)
    await create_refund(
        uow(db, tenant.id),
        RefundInput(order.id, "Out of stock", "early", lines=[RefundLineInput(line.id, 2)]),
    )

    done = await cancel_remaining(uow(db, tenant.id), order.id, None)

    assert done.refunded == 2200  # the two units refunded before, and nothing more
    assert len(await refunds_of(db, order.id)) == 1


async def test_a_held_fulfillment_order_with_shipped_units_is_closed_and_its_hold_released(db, tenant):
    _, _, order, fo = await _one_of_two_shipped(db, tenant.id)
    await fulfillment.hold(uow(db, tenant.id), fo.id, HoldReason.HIGH_RISK_OF_FRAUD, "check")

    await cancel_remaining(uow(db, tenant.id), order.id, None)

    ((status,),) = [(f.status,) for f in await fulfillment_orders(db, order.id)]
    assert status == "CLOSED"
    assert all(h.released_at is not None for h in await holds(db, fo.id))
    types = await outbox_types(db, tenant.id, aggregate_id=fo.id)
    assert types["FULFILLMENT_ORDER_HOLD_RELEASED"] == 1
    await assert_ledger_reconciles(db, tenant.id)


async def test_once_the_rest_is_cancelled_an_order_whose_shipped_units_came_back_is_returned(db, tenant):
    main, _, order, _ = await _one_of_two_shipped(db, tenant.id)
    (line,) = await lines_of(db, order.id)
    ret = await approved_return(db, tenant.id, order.id, wanted(line.id, 1))
    await receive_all(db, tenant.id, ret.id, main.id)
    assert (await order_row(db, order.id)).return_status == "PARTIALLY_RETURNED"

    done = await cancel_remaining(uow(db, tenant.id), order.id, None)

    assert done.return_status == "RETURNED"


async def test_a_partly_shipped_exchange_order_paid_by_credit_keeps_its_remainder(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 5})
    await product(db, tenant.id, "CUP", price="4.00", stock={main.id: 5})
    original = await shipped_order(db, tenant.id, ("MUG", 2))
    (line,) = await lines_of(db, original.id)
    swap = ReturnLineInput(line.id, 2, ReturnReason.WRONG_ITEM, exchange_for=ExchangeInput("CUP", 2))
    ret = await approved_return(db, tenant.id, original.id, swap)
    (fo,) = await fulfillment_orders(db, ret.exchange_order_id)
    (allocation,) = await allocations(db, ret.exchange_order_id)
    await create_shipment(
        uow(db, tenant.id), ShipmentInput(fo.id, "generic", "EX-1", lines=[LinePick(allocation.id, 1)])
    )

    with pytest.raises(DomainError) as refused:
        await cancel_remaining(uow(db, tenant.id), ret.exchange_order_id, None)

    assert refused.value.code == Code.ORDER_NOT_CANCELLABLE
    assert (await order_row(db, ret.exchange_order_id)).status == "PARTIALLY_SHIPPED"
