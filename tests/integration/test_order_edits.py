"""Order editing against Postgres: staging reserves nothing; a commit moves stock per location, updates
the fulfillment orders, the lines, the totals and the payment status in one transaction, or changes
nothing at all."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from domain.catalog.models import BackorderPolicy
from domain.errors import Code, DomainError, Rejected
from domain.fulfillment import service as fulfillment
from domain.fulfillment.picking import LinePick
from domain.fulfillment.service import Package
from domain.fulfillment.status import HoldReason
from domain.orders.service import record_payment
from domain.returns.service import ExchangeInput, ReturnLineInput
from domain.returns.status import ReturnReason
from domain.shipping.service import ShipmentInput, create_shipment
from domain.workflows import order_edit
from domain.workflows.confirming import confirm_order
from domain.workflows.order_edit_commit import commit
from domain.workflows.placing import place_order
from tests.db_helpers import as_system
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    level,
    location,
    order_input,
    outbox,
    product,
    snapshot,
    uow,
)
from tests.integration.fulfillment_builders import fulfillment_orders, holds
from tests.integration.return_builders import approved_return, lines_of, order_row, refunds_of, shipped_order


async def confirmed(db, tenant_id, *lines):
    order = (await place_order(uow(db, tenant_id), order_input(*lines))).order
    return await confirm_order(uow(db, tenant_id), order.id)


async def test_a_commit_reserves_added_units_releases_removed_ones_and_updates_fulfillment(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", stock={main.id: 10})
    tee = await product(db, tenant.id, "TEE", price="25.00", stock={main.id: 5})
    order = await confirmed(db, tenant.id, ("MUG", 3))
    (mug_line,) = await lines_of(db, order.id)

    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    view = await order_edit.add_line(uow(db, tenant.id), edit.id, "TEE", 2, [])
    assert [(c.sku, c.quantity) for c in view.result.stock_changes] == [("TEE", 2)]
    assert view.available[tee] == 5
    assert (await level(db, tee, main.id)).committed == 0  # staging reserves nothing
    view = await order_edit.set_quantity(uow(db, tenant.id), edit.id, mug_line.id, 1)
    assert view.result.total == 1000 + 5000 + 500 + 100 + 500 + 50

    done = await commit(uow(db, tenant.id), edit.id, False, "Customer called", order.version)

    assert done.order.version == order.version + 1 and done.order.total == 7150
    assert (await level(db, mug, main.id)).committed == 1
    assert (await level(db, tee, main.id)).committed == 2
    lines = await lines_of(db, order.id)
    assert [(line.sku, line.quantity, line.subtotal, line.tax) for line in lines] == [
        ("MUG", 1, 1000, 100),
        ("TEE", 2, 5000, 500),
    ]
    (fo,) = await fulfillment_orders(db, order.id)  # the added units joined the open one
    held = [a for a in await allocations(db, order.id) if a.status == "RESERVED"]
    assert {a.fulfillment_order_id for a in held} == {fo.id} and sum(a.quantity for a in held) == 3
    (event,) = [e for e in await outbox(db, tenant.id, aggregate_id=order.id) if e.type == "ORDER_EDITED"]
    assert [c["kind"] for c in event.payload["changes"]] == ["ADD_LINE", "SET_QUANTITY"]
    assert event.payload["total"] == {"amount": "71.50", "currencyCode": "USD"}
    assert done.edit.status == "COMMITTED" and done.edit.staff_note == "Customer called"
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_short_line_is_refused_per_line_and_nothing_changes(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 10})
    await product(db, tenant.id, "TEE", stock={main.id: 1})
    order = await confirmed(db, tenant.id, ("MUG", 1))
    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.add_line(uow(db, tenant.id), edit.id, "TEE", 3, [])
    before = await snapshot(db, tenant.id)

    with pytest.raises(Rejected) as caught:
        await commit(uow(db, tenant.id), edit.id, False, None, None)

    assert [(e.code, e.field) for e in caught.value.errors] == [
        (Code.INSUFFICIENT_STOCK, ["lines", "1", "quantity"])
    ]
    assert await snapshot(db, tenant.id) == before
    assert (await order_row(db, order.id)).version == order.version


async def test_a_paid_order_made_cheaper_refunds_the_difference_and_a_dearer_one_owes_a_balance(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 10})
    order = await confirmed(db, tenant.id, ("MUG", 3))  # 30 + 3 tax + 5 + 0.50 = 38.50
    await record_payment(uow(db, tenant.id), order.id, "pay-1", None)
    (line,) = await lines_of(db, order.id)

    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.set_quantity(uow(db, tenant.id), edit.id, line.id, 1)
    done = await commit(uow(db, tenant.id), edit.id, True, None, None)

    assert done.refund is not None and done.refund.amount == 2200
    row = await order_row(db, order.id)
    assert row.version == order.version + 2  # the payment, then the edit: one each
    assert (row.total, row.paid, row.refunded, row.edit_refunded) == (1650, 3850, 2200, 2200)
    assert row.payment_status == "PAID"
    assert [r.amount for r in await refunds_of(db, order.id)] == [2200]

    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.set_quantity(uow(db, tenant.id), edit.id, line.id, 2)
    await commit(uow(db, tenant.id), edit.id, False, None, None)
    row = await order_row(db, order.id)
    assert (row.total, row.payment_status) == (2750, "PARTIALLY_PAID")
    paid = await record_payment(uow(db, tenant.id), order.id, "pay-2", None)
    assert (paid.paid - paid.edit_refunded, paid.payment_status) == (2750, "PAID")


async def test_a_second_session_on_the_same_order_is_stale_once_the_first_commits(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 10})
    order = await confirmed(db, tenant.id, ("MUG", 2))
    (line,) = await lines_of(db, order.id)
    first = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    second = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.set_quantity(uow(db, tenant.id), first.id, line.id, 3)
    await order_edit.set_quantity(uow(db, tenant.id), second.id, line.id, 1)
    await commit(uow(db, tenant.id), first.id, False, None, None)

    with pytest.raises(DomainError) as caught:
        await commit(uow(db, tenant.id), second.id, False, None, None)

    assert caught.value.code == Code.STALE_VERSION
    assert [line.quantity for line in await lines_of(db, order.id)] == [3]


async def test_an_expired_session_refuses_changes_and_commit(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 10})
    order = await confirmed(db, tenant.id, ("MUG", 2))
    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.add_line(uow(db, tenant.id), edit.id, "MUG", 1, [])
    async with as_system(db) as conn:
        await conn.execute(
            text("UPDATE order_edits SET expires_at = now() - interval '1 second' WHERE id = :id"),
            {"id": edit.id},
        )
    for attempt in (
        lambda: order_edit.add_line(uow(db, tenant.id), edit.id, "MUG", 1, []),
        lambda: commit(uow(db, tenant.id), edit.id, False, None, None),
    ):
        with pytest.raises(DomainError) as caught:
            await attempt()
        assert caught.value.code == Code.EDIT_EXPIRED


async def test_units_packed_in_a_parcel_are_not_taken_off_the_order(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 10})
    order = await confirmed(db, tenant.id, ("MUG", 2))
    (fo,) = await fulfillment_orders(db, order.id)
    await fulfillment.mark_packed(uow(db, tenant.id), fo.id, [Package(weight_grams=500)])
    (line,) = await lines_of(db, order.id)
    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.set_quantity(uow(db, tenant.id), edit.id, line.id, 1)
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as caught:
        await commit(uow(db, tenant.id), edit.id, False, None, None)

    assert caught.value.code == Code.UNITS_PACKED
    assert await snapshot(db, tenant.id) == before


async def test_removing_the_unshipped_rest_of_a_partly_shipped_order_ships_it(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", stock={main.id: 10})
    order = await confirmed(db, tenant.id, ("MUG", 3))
    (fo,) = await fulfillment_orders(db, order.id)
    (a,) = await allocations(db, order.id)
    await create_shipment(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "1Z-1", [LinePick(a.id, 1)]))
    (line,) = await lines_of(db, order.id)
    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    with pytest.raises(Rejected) as caught:
        await order_edit.set_quantity(uow(db, tenant.id), edit.id, line.id, 0)
    assert caught.value.errors[0].code == Code.BELOW_SHIPPED

    await order_edit.remove_unshipped(uow(db, tenant.id), edit.id, line.id)
    done = await commit(uow(db, tenant.id), edit.id, False, None, None)

    assert (done.order.status, done.order.fulfillment_status) == ("SHIPPED", "FULFILLED")
    assert (await order_row(db, order.id)).version == edit.base_version + 1  # one bump for the edit
    assert [f.status for f in await fulfillment_orders(db, order.id)] == ["CLOSED"]
    assert (await level(db, mug, main.id)).committed == 0
    await assert_ledger_reconciles(db, tenant.id)


async def test_an_edit_of_a_pending_order_is_opened_for_fulfillment_at_confirmation(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 10})
    await product(db, tenant.id, "PRE", stock={main.id: 0}, backorder=BackorderPolicy.ALLOW)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order
    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.add_line(uow(db, tenant.id), edit.id, "PRE", 2, [])
    await commit(uow(db, tenant.id), edit.id, False, None, None)
    assert await fulfillment_orders(db, order.id) == []

    await confirm_order(uow(db, tenant.id), order.id)

    assert sorted(f.status for f in await fulfillment_orders(db, order.id)) == ["ON_HOLD", "OPEN"]
    assert sorted(a.status for a in await allocations(db, order.id)) == ["BACKORDERED", "RESERVED"]
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_shipped_order_cannot_be_edited_and_a_closed_session_takes_nothing(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 10})
    order = await confirmed(db, tenant.id, ("MUG", 1))
    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.discard(uow(db, tenant.id), edit.id)
    with pytest.raises(DomainError) as caught:
        await order_edit.add_line(uow(db, tenant.id), edit.id, "MUG", 1, [])
    assert caught.value.code == Code.EDIT_CLOSED
    (fo,) = await fulfillment_orders(db, order.id)
    await create_shipment(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "1Z-2"))
    with pytest.raises(DomainError) as refused:
        await order_edit.begin(uow(db, tenant.id), order.id)
    assert refused.value.code == Code.ORDER_NOT_EDITABLE


async def test_added_units_wait_under_the_holds_the_rest_of_the_order_is_under(db, tenant):
    main = await location(db, tenant.id, "MAIN", priority=1)
    east = await location(db, tenant.id, "EAST", priority=2)
    await product(db, tenant.id, "TEE", stock={main.id: 10})
    await product(db, tenant.id, "MUG", stock={east.id: 10})
    order = await confirmed(db, tenant.id, ("TEE", 1))
    (held,) = await fulfillment_orders(db, order.id)
    await fulfillment.hold(uow(db, tenant.id), held.id, HoldReason.HIGH_RISK_OF_FRAUD, "Check the card")
    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.add_line(uow(db, tenant.id), edit.id, "TEE", 1, [])
    await order_edit.add_line(uow(db, tenant.id), edit.id, "MUG", 2, [])

    await commit(uow(db, tenant.id), edit.id, False, None, None)

    fos = {fo.location_id: fo for fo in await fulfillment_orders(db, order.id)}
    assert (fos[main.id].id, fos[main.id].status, fos[east.id].status) == (held.id, "ON_HOLD", "ON_HOLD")
    assert [(h.reason, h.note) for h in await holds(db, fos[east.id].id)] == [
        ("HIGH_RISK_OF_FRAUD", "Check the card")
    ]
    by_fo = {}
    for a in await allocations(db, order.id):
        by_fo[a.fulfillment_order_id] = by_fo.get(a.fulfillment_order_id, 0) + a.quantity
    assert by_fo == {held.id: 2, fos[east.id].id: 2}
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_line_taken_off_with_nothing_shipped_goes_and_its_stock_comes_back(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "TEE", stock={main.id: 10})
    mug = await product(db, tenant.id, "MUG", stock={main.id: 10})
    order = await confirmed(db, tenant.id, ("TEE", 1), ("MUG", 2))
    tee_line, mug_line = await lines_of(db, order.id)
    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    view = await order_edit.remove_unshipped(uow(db, tenant.id), edit.id, mug_line.id)
    assert [(c.sku, c.quantity) for c in view.result.stock_changes] == [("MUG", -2)]

    done = await commit(uow(db, tenant.id), edit.id, False, None, None)

    assert [line.sku for line in await lines_of(db, order.id)] == ["TEE"]
    assert {a.line_id for a in await allocations(db, order.id)} == {tee_line.id}
    assert (await level(db, mug, main.id)).committed == 0
    assert [fo.status for fo in await fulfillment_orders(db, order.id)] == ["OPEN"]
    assert (done.order.subtotal, done.order.total) == (1000, 1000 + 100 + 500 + 50)
    types = [e.type for e in await outbox(db, tenant.id, aggregate_id=order.id)]
    assert "ORDER_STOCK_RELEASED" in types and types[-1] == "ORDER_EDITED"
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_faster_shipping_method_charges_its_rate_and_raises_the_priority_of_the_work(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 10})
    order = await confirmed(db, tenant.id, ("MUG", 1))
    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.set_shipping(uow(db, tenant.id), edit.id, "OVERNIGHT", None)

    done = await commit(uow(db, tenant.id), edit.id, False, None, None)

    assert (done.order.shipping, done.order.tax, done.order.shipping_method) == (3000, 100 + 300, "OVERNIGHT")
    assert done.order.priority > order.priority and done.order.version == order.version + 1
    assert [fo.priority for fo in await fulfillment_orders(db, order.id)] == [done.order.priority]


async def test_an_exchange_paid_by_credit_is_not_made_cheaper_by_an_edit(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 10})
    await product(db, tenant.id, "SMALL", price="5.00", stock={main.id: 10})
    original = await shipped_order(db, tenant.id, ("MUG", 2))
    (mug,) = await lines_of(db, original.id)
    swap = ReturnLineInput(mug.id, 2, ReturnReason.SIZE_TOO_SMALL, exchange_for=ExchangeInput("SMALL", 2))
    exchange_id = (await approved_return(db, tenant.id, original.id, swap)).exchange_order_id
    (small,) = await lines_of(db, exchange_id)
    edit = (await order_edit.begin(uow(db, tenant.id), exchange_id)).edit
    await order_edit.set_quantity(uow(db, tenant.id), edit.id, small.id, 1)
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as caught:
        await commit(uow(db, tenant.id), edit.id, False, None, None)

    assert caught.value.code == Code.ORDER_NOT_EDITABLE and "credit" in caught.value.message
    assert await snapshot(db, tenant.id) == before
