"""Returns (RMAs) against real Postgres: what can be returned and when, the return's steps, receiving
units back into sellable or damaged stock, the order's return status, and the events and ledger rows
each step writes."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select, update

from domain.catalog.models import BackorderPolicy
from domain.errors import Code, DomainError, Rejected
from domain.events.models import OutboxEvent
from domain.fulfillment.picking import LinePick
from domain.ids import to_global
from domain.orders.models import Order
from domain.returns.receiving import ReceiptLine, receive
from domain.returns.service import (
    ReturnInput,
    cancel_return,
    close_return,
    decline_return,
    mark_in_transit,
    request_return,
)
from domain.returns.status import ItemCondition, ReturnReason
from domain.shipping.service import ShipmentInput, create_shipment
from domain.tenancy.models import Tenant
from domain.workflows.confirming import confirm_order
from domain.workflows.exchanging import approve_return
from domain.workflows.placing import place_order
from tests.db_helpers import as_tenant
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    count,
    level,
    location,
    movements,
    order_input,
    outbox,
    product,
    rows,
    snapshot,
    timeline,
    uow,
)
from tests.integration.fulfillment_builders import fulfillment_orders
from tests.integration.return_builders import (
    allocations_by_line,
    approved_return,
    assert_damaged_reconciles,
    lines_of,
    order_row,
    receive_all,
    return_lines,
    return_row,
    set_delivered_at,
    shipped_order,
    wanted,
)

R = ReturnReason
C = ItemCondition


async def _shop(db, tenant_id):
    main = await location(db, tenant_id, "MAIN")
    ids = {
        sku: await product(db, tenant_id, sku, price=price, stock={main.id: 10})
        for sku, price in (("MUG", "10.00"), ("TEE", "20.00"), ("CAP", "5.00"))
    }
    return main, ids


async def _events(db, tenant_id, *types):
    t = OutboxEvent.__table__
    stmt = select(t).where(t.c.tenant_id == tenant_id).order_by(t.c.seq)
    if types:
        stmt = stmt.where(t.c.type.in_(types))
    return await rows(db, stmt)


async def _return_snapshot(db, tenant_id):
    state = await snapshot(db, tenant_id)
    for table in ("returns", "return_lines", "refunds", "refund_lines"):
        state[table] = await count(db, table, tenant_id)
    state["orders_rows"] = [
        (o.id, o.return_status, o.refunded, o.payment_status, o.version)
        for o in await rows(db, select(Order.__table__).where(Order.__table__.c.tenant_id == tenant_id))
    ]
    return state


# ---- requesting -----------------------------------------------------------------------------------


async def test_requesting_a_return_writes_the_return_its_event_and_the_orders_return_status(db, tenant):
    await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 2), ("TEE", 1))
    mug_line, _ = await lines_of(db, order.id)
    before = await movements(db, tenant.id)

    ret = await request_return(
        uow(db, tenant.id),
        ReturnInput(order.id, [wanted(mug_line.id, 1, R.SIZE_TOO_SMALL)], customer_note="  too small "),
    )

    assert (ret.status, ret.number, ret.rma_number) == ("REQUESTED", 1001, "RMA-1001")
    stored = await return_row(db, ret.id)
    assert (stored.status, stored.customer_note, stored.order_id) == ("REQUESTED", "too small", order.id)
    assert [
        (rl.order_line_id, rl.quantity, rl.reason, rl.resellable + rl.damaged + rl.defective, rl.refunded)
        for rl in await return_lines(db, ret.id)
    ] == [(mug_line.id, 1, "SIZE_TOO_SMALL", 0, 0)]
    assert (await order_row(db, order.id)).return_status == "RETURN_REQUESTED"
    assert await movements(db, tenant.id) == before  # nothing moves until units arrive

    requested, changed = await _events(db, tenant.id, "RETURN_REQUESTED", "ORDER_RETURN_STATUS_CHANGED")
    assert (requested.aggregate_type, requested.aggregate_id) == ("Return", ret.id)
    assert requested.payload == {
        "orderId": to_global("Order", order.id),
        "rmaNumber": "RMA-1001",
        "lines": [{"sku": "MUG", "quantity": 1, "reason": "SIZE_TOO_SMALL", "exchangeFor": None}],
    }
    assert requested.actor == "test"
    assert (changed.aggregate_type, changed.aggregate_id) == ("Order", order.id)
    assert changed.payload == {
        "number": f"#{order.number}",
        "oldStatus": "NO_RETURN",
        "newStatus": "RETURN_REQUESTED",
    }
    entries = [(e.type, e.message) for e in await timeline(db, tenant.id, order.id)]
    assert ("RETURN_REQUESTED", "Return RMA-1001 requested for 1 unit(s)") in entries
    assert ("ORDER_RETURN_STATUS_CHANGED", "Return status NO_RETURN -> RETURN_REQUESTED") in entries


async def test_rma_numbers_count_up_per_tenant_and_independently_for_each_tenant(db, tenant, other_tenant):
    await _shop(db, tenant.id)
    await _shop(db, other_tenant.id)
    first = await shipped_order(db, tenant.id, ("MUG", 2))
    other = await shipped_order(db, other_tenant.id, ("MUG", 1))
    (line,) = await lines_of(db, first.id)
    (other_line,) = await lines_of(db, other.id)

    a = await request_return(uow(db, tenant.id), ReturnInput(first.id, [wanted(line.id, 1)]))
    b = await request_return(uow(db, tenant.id), ReturnInput(first.id, [wanted(line.id, 1)]))
    c = await request_return(uow(db, other_tenant.id), ReturnInput(other.id, [wanted(other_line.id, 1)]))

    assert [a.rma_number, b.rma_number, c.rma_number] == ["RMA-1001", "RMA-1002", "RMA-1001"]
    (t,) = await rows(db, select(Tenant.__table__).where(Tenant.__table__.c.id == tenant.id))
    assert t.next_return_number == 1003


async def test_only_shipped_units_not_yet_returned_can_be_returned(db, tenant):
    await _shop(db, tenant.id)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 3), ("TEE", 1)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)
    mug_line, tee_line = await lines_of(db, order.id)
    mug_allocation = (await allocations_by_line(db, order.id))[mug_line.id]
    await create_shipment(
        uow(db, tenant.id), ShipmentInput(fo.id, "generic", "PART-1", lines=[LinePick(mug_allocation.id, 2)])
    )
    before = await _return_snapshot(db, tenant.id)

    with pytest.raises(Rejected) as refused:
        await request_return(
            uow(db, tenant.id), ReturnInput(order.id, [wanted(mug_line.id, 3), wanted(tee_line.id, 1)])
        )
    assert [(e.code, e.field) for e in refused.value.errors] == [
        (Code.EXCEEDS_RETURNABLE, ["lines", "0", "quantity"]),
        (Code.EXCEEDS_RETURNABLE, ["lines", "1", "quantity"]),
    ]
    assert await _return_snapshot(db, tenant.id) == before

    first = await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(mug_line.id, 2)]))
    with pytest.raises(Rejected) as again:
        await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(mug_line.id, 1)]))
    assert [e.code for e in again.value.errors] == [Code.EXCEEDS_RETURNABLE]
    assert "Only 0 unit(s) of MUG" in again.value.errors[0].message

    # A declined return gives its units back to what can be returned.
    await decline_return(uow(db, tenant.id), first.id, "worn")
    second = await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(mug_line.id, 2)]))
    assert second.number == 1002


async def test_a_line_of_another_order_or_a_repeated_line_is_refused(db, tenant):
    await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 2))
    other = await shipped_order(db, tenant.id, ("TEE", 1))
    (line,) = await lines_of(db, order.id)
    (other_line,) = await lines_of(db, other.id)

    with pytest.raises(Rejected) as refused:
        await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(other_line.id, 1)]))
    assert [(e.code, e.field) for e in refused.value.errors] == [
        (Code.NOT_FOUND, ["lines", "0", "orderLineId"])
    ]
    with pytest.raises(Rejected) as repeated:
        await request_return(
            uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 1), wanted(line.id, 1)])
        )
    assert [(e.code, e.field) for e in repeated.value.errors] == [
        (Code.INVALID, ["lines", "1", "orderLineId"])
    ]
    with pytest.raises(Rejected) as empty:
        await request_return(uow(db, tenant.id), ReturnInput(order.id, []))
    assert [e.code for e in empty.value.errors] == [Code.REQUIRED]
    assert await count(db, "returns", tenant.id) == 0


async def test_an_order_that_has_not_shipped_is_not_returnable(db, tenant):
    await _shop(db, tenant.id)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    (line,) = await lines_of(db, order.id)

    with pytest.raises(DomainError) as refused:
        await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 1)]))

    assert (refused.value.code, refused.value.field) == (Code.NOT_RETURNABLE, ["orderId"])
    assert await count(db, "returns", tenant.id) == 0
    assert (await order_row(db, order.id)).return_status == "NO_RETURN"


async def test_a_return_outside_the_window_is_refused(db, tenant):
    await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 2))
    (line,) = await lines_of(db, order.id)
    await set_delivered_at(db, order.id, days_ago=31)
    before = await _return_snapshot(db, tenant.id)

    with pytest.raises(DomainError) as refused:
        await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 1)]))

    assert (refused.value.code, refused.value.field) == (Code.RETURN_WINDOW_CLOSED, ["orderId"])
    assert "30 days after delivery" in refused.value.message
    assert await _return_snapshot(db, tenant.id) == before

    # Inside the window it is accepted; a shop with a longer window accepts it too.
    await set_delivered_at(db, order.id, days_ago=29)
    await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 1)]))
    await set_delivered_at(db, order.id, days_ago=31)
    async with as_tenant(db, tenant.id) as conn:
        await conn.execute(
            update(Tenant.__table__).where(Tenant.__table__.c.id == tenant.id).values(return_window_days=60)
        )
    await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 1)]))
    assert await count(db, "returns", tenant.id) == 2


async def test_until_delivery_the_window_runs_from_the_last_shipment(db, tenant):
    await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 1))
    (line,) = await lines_of(db, order.id)
    async with as_tenant(db, tenant.id) as conn:
        await conn.execute(
            update(Tenant.__table__).where(Tenant.__table__.c.id == tenant.id).values(return_window_days=0)
        )

    with pytest.raises(DomainError) as refused:
        await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 1)]))

    assert refused.value.code == Code.RETURN_WINDOW_CLOSED


async def test_another_tenant_cannot_see_or_act_on_a_return(db, tenant, other_tenant):
    await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 1))
    (line,) = await lines_of(db, order.id)
    ret = await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 1)]))

    with pytest.raises(DomainError) as hidden:
        await approve_return(uow(db, other_tenant.id), ret.id)
    assert hidden.value.code == Code.NOT_FOUND
    with pytest.raises(DomainError) as foreign_order:
        await request_return(uow(db, other_tenant.id), ReturnInput(order.id, [wanted(line.id, 1)]))
    assert foreign_order.value.code == Code.NOT_FOUND
    assert (await return_row(db, ret.id)).status == "REQUESTED"


# ---- the steps ------------------------------------------------------------------------------------


async def test_a_return_goes_from_approval_through_transit_and_receipt_to_closed(db, tenant):
    main, _ = await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 2))
    (line,) = await lines_of(db, order.id)
    ret = await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 2)]))

    approved = await approve_return(uow(db, tenant.id), ret.id)
    assert (approved.status, approved.approved_at is not None) == ("APPROVED", True)
    assert (await order_row(db, order.id)).return_status == "IN_PROGRESS"

    moving = await mark_in_transit(uow(db, tenant.id), ret.id, " Generic ", " RET-42 ")
    assert (moving.status, moving.carrier, moving.tracking_number) == ("IN_TRANSIT", "generic", "RET-42")
    assert (await order_row(db, order.id)).return_status == "IN_PROGRESS"

    (rl,) = await return_lines(db, ret.id)
    received = await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(rl.id, 2, C.RESELLABLE)])
    assert (received.status, received.received_at is not None) == ("RECEIVED", True)
    assert (await order_row(db, order.id)).return_status == "RETURNED"

    closed = await close_return(uow(db, tenant.id), ret.id)
    assert (closed.status, closed.closed_at is not None) == ("CLOSED", True)
    assert (await order_row(db, order.id)).return_status == "RETURNED"

    changes = await _events(db, tenant.id, "RETURN_STATUS_CHANGED")
    assert [(e.payload["oldStatus"], e.payload["newStatus"]) for e in changes] == [
        ("REQUESTED", "APPROVED"),
        ("APPROVED", "IN_TRANSIT"),
        ("IN_TRANSIT", "RECEIVED"),
        ("RECEIVED", "CLOSED"),
    ]
    assert changes[1].payload["trackingNumber"] == "RET-42"
    assert {e.aggregate_id for e in changes} == {ret.id}
    assert {e.payload["orderId"] for e in changes} == {to_global("Order", order.id)}
    types = [e.type for e in await timeline(db, tenant.id, order.id)]
    assert types.count("RETURN_STATUS_CHANGED") == 4
    assert types.count("RETURN_UNITS_RECEIVED") == 1


async def test_steps_out_of_order_are_refused_and_change_nothing(db, tenant):
    main, _ = await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 2))
    (line,) = await lines_of(db, order.id)
    ret = await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 2)]))
    (rl,) = await return_lines(db, ret.id)
    before = await _return_snapshot(db, tenant.id)

    for step in (
        lambda: close_return(uow(db, tenant.id), ret.id),
        lambda: mark_in_transit(uow(db, tenant.id), ret.id, "generic", "T-1"),
        lambda: receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(rl.id, 1, C.RESELLABLE)]),
    ):
        with pytest.raises(DomainError) as refused:
            await step()
        assert refused.value.code == Code.INVALID_TRANSITION
    assert await _return_snapshot(db, tenant.id) == before

    await approve_return(uow(db, tenant.id), ret.id)
    with pytest.raises(DomainError) as twice:
        await approve_return(uow(db, tenant.id), ret.id)
    assert twice.value.code == Code.INVALID_TRANSITION
    with pytest.raises(DomainError) as late_decline:
        await decline_return(uow(db, tenant.id), ret.id, "no")
    assert late_decline.value.code == Code.INVALID_TRANSITION
    with pytest.raises(Rejected) as bad_carrier:
        await mark_in_transit(uow(db, tenant.id), ret.id, "pigeon", "")
    assert sorted(e.code for e in bad_carrier.value.errors) == sorted([Code.UNKNOWN_CARRIER, Code.REQUIRED])

    await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(rl.id, 1, C.RESELLABLE)])
    with pytest.raises(DomainError) as cancel_received:
        await cancel_return(uow(db, tenant.id), ret.id, "no")
    assert cancel_received.value.code == Code.RETURN_NOT_CANCELLABLE
    assert (await return_row(db, ret.id)).status == "RECEIVED"

    await close_return(uow(db, tenant.id), ret.id)
    with pytest.raises(DomainError) as after_close:
        await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(rl.id, 1, C.RESELLABLE)])
    assert after_close.value.code == Code.INVALID_TRANSITION
    with pytest.raises(DomainError) as missing:
        await approve_return(uow(db, tenant.id), uuid.uuid4())
    assert missing.value.code == Code.NOT_FOUND


async def test_declining_keeps_the_reason_and_gives_the_units_back(db, tenant):
    await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 2))
    (line,) = await lines_of(db, order.id)
    ret = await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 2)]))

    with pytest.raises(Rejected) as no_reason:
        await decline_return(uow(db, tenant.id), ret.id, "   ")
    assert [(e.code, e.field) for e in no_reason.value.errors] == [(Code.REQUIRED, ["reason"])]

    declined = await decline_return(uow(db, tenant.id), ret.id, " worn and washed ")

    assert (declined.status, declined.decline_reason) == ("DECLINED", "worn and washed")
    assert (await order_row(db, order.id)).return_status == "NO_RETURN"
    (change,) = await _events(db, tenant.id, "RETURN_STATUS_CHANGED")
    assert (change.payload["newStatus"], change.payload["reason"]) == ("DECLINED", "worn and washed")
    order_changes = await _events(db, tenant.id, "ORDER_RETURN_STATUS_CHANGED")
    assert [(e.payload["oldStatus"], e.payload["newStatus"]) for e in order_changes] == [
        ("NO_RETURN", "RETURN_REQUESTED"),
        ("RETURN_REQUESTED", "NO_RETURN"),
    ]


async def test_cancelling_a_return_before_anything_arrives(db, tenant):
    await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 2))
    (line,) = await lines_of(db, order.id)
    ret = await approved_return(db, tenant.id, order.id, wanted(line.id, 1))

    cancelled = await cancel_return(uow(db, tenant.id), ret.id, "  found it fits ")

    assert (cancelled.status, cancelled.cancel_reason) == ("CANCELLED", "found it fits")
    assert (await order_row(db, order.id)).return_status == "NO_RETURN"
    with pytest.raises(DomainError) as again:
        await cancel_return(uow(db, tenant.id), ret.id, None)
    assert again.value.code == Code.INVALID_TRANSITION
    # Both units can be asked for again.
    await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 2)]))


# ---- receiving ------------------------------------------------------------------------------------


async def test_a_resellable_unit_goes_back_on_hand_with_a_returned_movement(db, tenant):
    main, ids = await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 3))
    (line,) = await lines_of(db, order.id)
    ret = await approved_return(db, tenant.id, order.id, wanted(line.id, 2))
    (rl,) = await return_lines(db, ret.id)
    assert (await level(db, ids["MUG"], main.id)).on_hand == 7

    await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(rl.id, 2, C.RESELLABLE)])

    mug = await level(db, ids["MUG"], main.id)
    assert (mug.on_hand, mug.committed, mug.damaged) == (9, 0, 0)
    (returned,) = await movements(db, tenant.id, kind="RETURNED")
    assert (
        returned.on_hand_delta,
        returned.committed_delta,
        returned.damaged_delta,
        returned.on_hand_after,
        returned.order_id,
        returned.actor,
    ) == (2, 0, 0, 9, order.id, "test")
    assert returned.note == f"Return RMA-1001 of order #{order.number}"
    (after,) = await return_lines(db, ret.id)
    assert (after.resellable, after.damaged, after.defective) == (2, 0, 0)
    (got,) = await _events(db, tenant.id, "RETURN_UNITS_RECEIVED")
    assert got.payload == {
        "orderId": to_global("Order", order.id),
        "rmaNumber": "RMA-1001",
        "locationId": to_global("Location", main.id),
        "lines": [{"sku": "MUG", "quantity": 2, "condition": "RESELLABLE"}],
    }
    level_event = (await _events(db, tenant.id, "INVENTORY_LEVEL_CHANGED"))[-1]
    assert (
        level_event.payload["kind"],
        level_event.payload["onHandDelta"],
        level_event.payload["onHand"],
    ) == (
        "RETURNED",
        2,
        9,
    )
    await assert_ledger_reconciles(db, tenant.id)
    await assert_damaged_reconciles(db, tenant.id)


@pytest.mark.parametrize("condition", [C.DAMAGED, C.DEFECTIVE])
async def test_a_damaged_or_defective_unit_is_kept_apart_as_non_sellable_stock(db, tenant, condition):
    main, ids = await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 3))
    (line,) = await lines_of(db, order.id)
    ret = await approved_return(db, tenant.id, order.id, wanted(line.id, 3, R.DEFECTIVE))
    (rl,) = await return_lines(db, ret.id)

    await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(rl.id, 2, condition)])

    mug = await level(db, ids["MUG"], main.id)
    assert (mug.on_hand, mug.committed, mug.damaged) == (7, 0, 2)
    (kept,) = await movements(db, tenant.id, kind="RETURNED_DAMAGED")
    assert (kept.on_hand_delta, kept.committed_delta, kept.damaged_delta, kept.damaged_after) == (0, 0, 2, 2)
    (after,) = await return_lines(db, ret.id)
    assert (after.resellable, after.damaged, after.defective) == (
        (0, 2, 0) if condition == C.DAMAGED else (0, 0, 2)
    )
    level_event = (await _events(db, tenant.id, "INVENTORY_LEVEL_CHANGED"))[-1]
    assert (
        level_event.payload["kind"],
        level_event.payload["damaged"],
        level_event.payload["available"],
    ) == (
        "RETURNED_DAMAGED",
        2,
        7,
    )
    await assert_ledger_reconciles(db, tenant.id)
    await assert_damaged_reconciles(db, tenant.id)


async def test_receiving_at_a_location_that_never_stocked_the_product_creates_its_level(db, tenant):
    _, ids = await _shop(db, tenant.id)
    annex = await location(db, tenant.id, "ANNEX", priority=500)
    order = await shipped_order(db, tenant.id, ("MUG", 1))
    (line,) = await lines_of(db, order.id)
    ret = await approved_return(db, tenant.id, order.id, wanted(line.id, 1))

    await receive_all(db, tenant.id, ret.id, annex.id, C.DAMAGED)

    kept = await level(db, ids["MUG"], annex.id)
    assert (kept.on_hand, kept.damaged) == (0, 1)
    await assert_ledger_reconciles(db, tenant.id)
    await assert_damaged_reconciles(db, tenant.id)


async def test_receiving_more_than_was_requested_is_refused_and_changes_nothing(db, tenant):
    main, _ = await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 3))
    (line,) = await lines_of(db, order.id)
    ret = await approved_return(db, tenant.id, order.id, wanted(line.id, 2))
    (rl,) = await return_lines(db, ret.id)
    before = await _return_snapshot(db, tenant.id)

    with pytest.raises(Rejected) as too_many:
        await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(rl.id, 3, C.RESELLABLE)])
    assert [(e.code, e.field) for e in too_many.value.errors] == [
        (Code.EXCEEDS_RETURN_QUANTITY, ["lines", "0", "quantity"])
    ]
    # Split over two receipt lines of the same return line, the sum counts.
    with pytest.raises(Rejected) as split:
        await receive(
            uow(db, tenant.id),
            ret.id,
            main.id,
            [ReceiptLine(rl.id, 1, C.RESELLABLE), ReceiptLine(rl.id, 2, C.DAMAGED)],
        )
    assert [(e.code, e.field) for e in split.value.errors] == [
        (Code.EXCEEDS_RETURN_QUANTITY, ["lines", "1", "quantity"])
    ]
    with pytest.raises(Rejected) as unknown:
        await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(uuid.uuid4(), 1, C.RESELLABLE)])
    assert [e.code for e in unknown.value.errors] == [Code.NOT_FOUND]
    with pytest.raises(DomainError) as nowhere:
        await receive(uow(db, tenant.id), ret.id, uuid.uuid4(), [ReceiptLine(rl.id, 1, C.RESELLABLE)])
    assert (nowhere.value.code, nowhere.value.field) == (Code.NOT_FOUND, ["locationId"])
    assert await _return_snapshot(db, tenant.id) == before

    await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(rl.id, 1, C.RESELLABLE)])
    with pytest.raises(Rejected) as rest:
        await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(rl.id, 2, C.RESELLABLE)])
    assert "expects 1 more unit(s)" in rest.value.errors[0].message


async def test_the_orders_return_status_follows_its_returns(db, tenant):
    main, _ = await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 2), ("TEE", 1))
    mug_line, tee_line = await lines_of(db, order.id)

    first = await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(mug_line.id, 2)]))
    await approve_return(uow(db, tenant.id), first.id)
    (rl,) = await return_lines(db, first.id)
    await receive(uow(db, tenant.id), first.id, main.id, [ReceiptLine(rl.id, 1, C.RESELLABLE)])
    await receive(uow(db, tenant.id), first.id, main.id, [ReceiptLine(rl.id, 1, C.DAMAGED)])
    await close_return(uow(db, tenant.id), first.id)
    second = await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(tee_line.id, 1)]))
    await approve_return(uow(db, tenant.id), second.id)
    await receive_all(db, tenant.id, second.id, main.id)

    changes = await _events(db, tenant.id, "ORDER_RETURN_STATUS_CHANGED")
    assert [(e.payload["oldStatus"], e.payload["newStatus"]) for e in changes] == [
        ("NO_RETURN", "RETURN_REQUESTED"),
        ("RETURN_REQUESTED", "IN_PROGRESS"),
        ("IN_PROGRESS", "PARTIALLY_RETURNED"),
        ("PARTIALLY_RETURNED", "RETURN_REQUESTED"),
        ("RETURN_REQUESTED", "IN_PROGRESS"),
        ("IN_PROGRESS", "RETURNED"),
    ]
    assert {e.aggregate_id for e in changes} == {order.id}
    assert (await order_row(db, order.id)).return_status == "RETURNED"
    on_timeline = [e.type for e in await timeline(db, tenant.id, order.id)]
    assert on_timeline.count("ORDER_RETURN_STATUS_CHANGED") == 6
    assert on_timeline.count("RETURN_REQUESTED") == 2
    assert on_timeline.count("RETURN_UNITS_RECEIVED") == 3


async def test_a_resellable_receipt_fills_a_backorder_waiting_at_that_location(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    pre = await product(db, tenant.id, "PRE", stock={main.id: 1}, backorder=BackorderPolicy.ALLOW)
    first = await shipped_order(db, tenant.id, ("PRE", 1))
    waiting = (await place_order(uow(db, tenant.id), order_input(("PRE", 1)))).order
    await confirm_order(uow(db, tenant.id), waiting.id)
    (held,) = await allocations(db, waiting.id)
    assert held.status == "BACKORDERED"
    (fo,) = await fulfillment_orders(db, waiting.id)
    assert fo.status == "ON_HOLD"
    (line,) = await lines_of(db, first.id)
    ret = await approved_return(db, tenant.id, first.id, wanted(line.id, 1))

    await receive_all(db, tenant.id, ret.id, main.id)

    (filled,) = await allocations(db, waiting.id)
    assert filled.status == "RESERVED"
    lv = await level(db, pre, main.id)
    assert (lv.on_hand, lv.committed) == (1, 1)
    assert [(m.kind, m.order_id) for m in (await movements(db, tenant.id))[-2:]] == [
        ("RETURNED", first.id),
        ("RESERVED", waiting.id),
    ]
    (allocated,) = await outbox(db, tenant.id, type="ORDER_BACKORDER_ALLOCATED")
    assert (allocated.aggregate_id, allocated.payload["quantity"]) == (waiting.id, 1)
    (fo,) = await fulfillment_orders(db, waiting.id)
    assert fo.status != "ON_HOLD"
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_damaged_receipt_fills_no_backorder(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    pre = await product(db, tenant.id, "PRE", stock={main.id: 1}, backorder=BackorderPolicy.ALLOW)
    first = await shipped_order(db, tenant.id, ("PRE", 1))
    waiting = (await place_order(uow(db, tenant.id), order_input(("PRE", 1)))).order
    (line,) = await lines_of(db, first.id)
    ret = await approved_return(db, tenant.id, first.id, wanted(line.id, 1))

    await receive_all(db, tenant.id, ret.id, main.id, C.DAMAGED)

    (still,) = await allocations(db, waiting.id)
    assert still.status == "BACKORDERED"
    lv = await level(db, pre, main.id)
    assert (lv.on_hand, lv.committed, lv.damaged) == (0, 0, 1)
    await assert_ledger_reconciles(db, tenant.id)
    await assert_damaged_reconciles(db, tenant.id)


async def test_a_partial_return_of_a_three_line_order_with_one_damaged_unit(db, tenant):
    main, ids = await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 2), ("TEE", 1), ("CAP", 3))
    mug_line, tee_line, cap_line = await lines_of(db, order.id)

    ret = await request_return(
        uow(db, tenant.id),
        ReturnInput(
            order.id,
            [wanted(mug_line.id, 1, R.SIZE_TOO_SMALL), wanted(cap_line.id, 2, R.DAMAGED)],
        ),
    )
    await approve_return(uow(db, tenant.id), ret.id)
    mug_rl, cap_rl = await return_lines(db, ret.id)
    await receive(
        uow(db, tenant.id),
        ret.id,
        main.id,
        [
            ReceiptLine(mug_rl.id, 1, C.RESELLABLE),
            ReceiptLine(cap_rl.id, 1, C.RESELLABLE),
            ReceiptLine(cap_rl.id, 1, C.DAMAGED),
        ],
    )

    assert [(rl.resellable, rl.damaged, rl.defective) for rl in await return_lines(db, ret.id)] == [
        (1, 0, 0),
        (1, 1, 0),
    ]
    after = [await level(db, ids[sku], main.id) for sku in ("MUG", "TEE", "CAP")]
    assert [(lv.on_hand, lv.damaged) for lv in after] == [(9, 0), (9, 0), (8, 1)]
    assert sorted(
        (m.kind, m.product_id, m.on_hand_delta, m.damaged_delta)
        for m in await movements(db, tenant.id, order_id=order.id)
        if m.kind.startswith("RETURNED")
    ) == sorted(
        [
            ("RETURNED", ids["MUG"], 1, 0),
            ("RETURNED", ids["CAP"], 1, 0),
            ("RETURNED_DAMAGED", ids["CAP"], 0, 1),
        ]
    )
    (got,) = await _events(db, tenant.id, "RETURN_UNITS_RECEIVED")
    assert got.payload["lines"] == [
        {"sku": "MUG", "quantity": 1, "condition": "RESELLABLE"},
        {"sku": "CAP", "quantity": 1, "condition": "RESELLABLE"},
        {"sku": "CAP", "quantity": 1, "condition": "DAMAGED"},
    ]
    assert (await order_row(db, order.id)).return_status == "PARTIALLY_RETURNED"

    closed = await close_return(uow(db, tenant.id), ret.id)
    assert closed.status == "CLOSED"
    assert (await order_row(db, order.id)).return_status == "PARTIALLY_RETURNED"
    # What did not come back can still be returned: 1 MUG, the TEE, 1 CAP.
    with pytest.raises(Rejected) as too_many:
        await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(cap_line.id, 2)]))
    assert [e.code for e in too_many.value.errors] == [Code.EXCEEDS_RETURNABLE]
    rest = await request_return(
        uow(db, tenant.id),
        ReturnInput(order.id, [wanted(mug_line.id, 1), wanted(tee_line.id, 1), wanted(cap_line.id, 1)]),
    )
    assert rest.rma_number == "RMA-1002"
    await assert_ledger_reconciles(db, tenant.id)
    await assert_damaged_reconciles(db, tenant.id)


# ---- at the same moment -----------------------------------------------------------------------------


async def test_requests_for_the_same_units_at_once_hold_them_only_once(db, tenant):
    await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 2))
    (line,) = await lines_of(db, order.id)

    async def ask():
        try:
            return await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(line.id, 2)]))
        except Rejected as exc:
            return exc

    results = await asyncio.gather(*(ask() for _ in range(5)))

    made = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(made) == 1 and len(refused) == 4
    assert {r.errors[0].code for r in refused} == {Code.EXCEEDS_RETURNABLE}
    assert await count(db, "returns", tenant.id) == 1
    assert len(await _events(db, tenant.id, "RETURN_REQUESTED")) == 1


async def test_receipts_of_the_same_line_at_once_never_take_in_more_than_requested(db, tenant):
    main, ids = await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 3))
    (line,) = await lines_of(db, order.id)
    ret = await approved_return(db, tenant.id, order.id, wanted(line.id, 3))
    (rl,) = await return_lines(db, ret.id)

    async def take(condition):
        try:
            return await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(rl.id, 2, condition)])
        except Rejected as exc:
            return exc

    results = await asyncio.gather(*(take(c) for c in (C.RESELLABLE, C.DAMAGED, C.RESELLABLE, C.DEFECTIVE)))

    assert sum(not isinstance(r, Exception) for r in results) == 1
    (after,) = await return_lines(db, ret.id)
    assert after.resellable + after.damaged + after.defective == 2
    mug = await level(db, ids["MUG"], main.id)
    assert mug.on_hand + mug.damaged == 7 + 2
    await assert_ledger_reconciles(db, tenant.id)
    await assert_damaged_reconciles(db, tenant.id)


async def test_damaged_units_are_disposed_of_or_restocked_with_a_ledger_row_each(db, tenant):
    from domain.inventory.damaged import DamagedInput, DamagedOutcome
    from domain.workflows.stock_changes import resolve_damaged

    main, ids = await _shop(db, tenant.id)
    order = await shipped_order(db, tenant.id, ("MUG", 3))
    (line,) = await lines_of(db, order.id)
    ret = await approved_return(db, tenant.id, order.id, wanted(line.id, 3, R.DAMAGED))
    await receive_all(db, tenant.id, ret.id, main.id, C.DAMAGED)

    await resolve_damaged(uow(db, tenant.id), DamagedInput("MUG", main.id, 1, DamagedOutcome.RESTOCKED))
    await resolve_damaged(
        uow(db, tenant.id), DamagedInput("MUG", main.id, 2, DamagedOutcome.DISPOSED, "crushed")
    )
    with pytest.raises(DomainError) as refused:
        await resolve_damaged(uow(db, tenant.id), DamagedInput("MUG", main.id, 1, DamagedOutcome.DISPOSED))

    assert refused.value.code == Code.NEGATIVE_STOCK
    mug = await level(db, ids["MUG"], main.id)
    assert (mug.on_hand, mug.damaged) == (8, 0)
    (restocked,) = await movements(db, tenant.id, kind="RESTOCKED")
    (disposed,) = await movements(db, tenant.id, kind="DISPOSED")
    assert (restocked.on_hand_delta, restocked.damaged_delta) == (1, -1)
    assert (disposed.on_hand_delta, disposed.damaged_delta, disposed.note) == (0, -2, "crushed")
    await assert_ledger_reconciles(db, tenant.id)
    await assert_damaged_reconciles(db, tenant.id)
