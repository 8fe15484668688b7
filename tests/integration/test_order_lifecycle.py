"""After an order is placed: confirming, cancelling (which gives its stock back) and taking payments."""

from __future__ import annotations

import pytest

from domain.errors import Code, DomainError
from domain.ids import to_global
from domain.orders.service import record_payment
from domain.orders.status import OrderStatus, PaymentStatus
from domain.workflows.cancelling import cancel_order
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    count,
    level,
    location,
    movements,
    order_input,
    outbox,
    outbox_types,
    product,
    snapshot,
    timeline,
    uow,
)


async def _shop(db, tenant):
    east = await location(db, tenant.id, "EAST", priority=1)
    west = await location(db, tenant.id, "WEST", priority=2)
    mug = await product(db, tenant.id, "MUG", price="10.00", stock={east.id: 2, west.id: 5})
    return east, west, mug


async def test_cancelling_an_order_releases_every_reservation(db, tenant):
    _east, west, mug = await _shop(db, tenant)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 3)))).order
    assert [(a.location_id, a.quantity) for a in await allocations(db, order.id)] == [(west.id, 3)]

    cancelled = await cancel_order(uow(db, tenant.id), order.id, "  customer changed their mind  ")

    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.cancel_reason == "customer changed their mind"
    assert cancelled.cancelled_at is not None
    assert (await level(db, mug, west.id)).committed == 0
    assert (await level(db, mug, west.id)).on_hand == 5
    assert [a.status for a in await allocations(db, order.id)] == ["RELEASED"]
    assert [
        (m.kind, m.committed_delta, m.committed_after)
        for m in await movements(db, tenant.id, order_id=order.id)
    ] == [
        ("RESERVED", 3, 3),
        ("RELEASED", -3, 0),
    ]
    assert await outbox_types(db, tenant.id, aggregate_id=order.id) == {
        "ORDER_CREATED": 1,
        "ORDER_STOCK_RESERVED": 1,
        "ORDER_RISK_ASSESSED": 1,
        "ORDER_STATUS_CHANGED": 1,
        "ORDER_STOCK_RELEASED": 1,
    }
    changed = (await outbox(db, tenant.id, aggregate_id=order.id, type="ORDER_STATUS_CHANGED"))[0]
    assert changed.payload == {
        "number": "#1001",
        "oldStatus": "PENDING",
        "newStatus": "CANCELLED",
        "reason": "customer changed their mind",
    }
    released = (await outbox(db, tenant.id, aggregate_id=order.id, type="ORDER_STOCK_RELEASED"))[0]
    assert released.payload == {"units": 3}
    level_events = await outbox(db, tenant.id, type="INVENTORY_LEVEL_CHANGED")
    assert [
        e.payload["kind"] for e in level_events if e.payload["locationId"] == to_global("Location", west.id)
    ] == [
        "SET",
        "RESERVED",
        "RELEASED",
    ]
    entries = await timeline(db, tenant.id, order.id)
    assert [t.type for t in entries][-2:] in (
        ["ORDER_STATUS_CHANGED", "ORDER_STOCK_RELEASED"],
        ["ORDER_STOCK_RELEASED", "ORDER_STATUS_CHANGED"],
    )
    assert len(entries) == 5
    assert any(
        t.message == "Status changed from PENDING to CANCELLED: customer changed their mind" for t in entries
    )
    await assert_ledger_reconciles(db, tenant.id)


async def test_cancelled_stock_can_be_sold_again(db, tenant):
    east, west, _mug = await _shop(db, tenant)
    first = (await place_order(uow(db, tenant.id), order_input(("MUG", 7)))).order
    await cancel_order(uow(db, tenant.id), first.id, None)

    second = (await place_order(uow(db, tenant.id), order_input(("MUG", 7)))).order

    assert sorted((a.location_id, a.quantity) for a in await allocations(db, second.id)) == sorted(
        [(east.id, 2), (west.id, 5)]
    )
    await assert_ledger_reconciles(db, tenant.id)


async def test_cancelling_a_cancelled_order_is_refused_and_changes_nothing(db, tenant):
    await _shop(db, tenant)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 3)))).order
    await cancel_order(uow(db, tenant.id), order.id, "first")
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as refused:
        await cancel_order(uow(db, tenant.id), order.id, "again")

    assert (refused.value.code, refused.value.field) == (Code.ORDER_NOT_CANCELLABLE, ["id"])
    assert await snapshot(db, tenant.id) == before
    await assert_ledger_reconciles(db, tenant.id)


async def test_confirming_an_order_keeps_its_reservation_and_it_can_still_be_cancelled(db, tenant):
    _, west, mug = await _shop(db, tenant)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 4)))).order

    confirmed = await confirm_order(uow(db, tenant.id), order.id)

    assert confirmed.status == OrderStatus.CONFIRMED
    assert confirmed.confirmed_at is not None
    assert confirmed.version == order.version + 1
    assert (await level(db, mug, west.id)).committed == 4
    changed = await outbox(db, tenant.id, aggregate_id=order.id, type="ORDER_STATUS_CHANGED")
    assert [(e.payload["oldStatus"], e.payload["newStatus"]) for e in changed] == [("PENDING", "CONFIRMED")]
    assert [t.type for t in await timeline(db, tenant.id, order.id)].count("ORDER_STATUS_CHANGED") == 1

    with pytest.raises(DomainError) as refused:
        await confirm_order(uow(db, tenant.id), order.id)
    assert refused.value.code == Code.INVALID_TRANSITION

    await cancel_order(uow(db, tenant.id), order.id, None)
    assert (await level(db, mug, west.id)).committed == 0
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_cancelled_order_cannot_be_confirmed(db, tenant):
    await _shop(db, tenant)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order
    await cancel_order(uow(db, tenant.id), order.id, None)

    with pytest.raises(DomainError) as refused:
        await confirm_order(uow(db, tenant.id), order.id)

    assert refused.value.code == Code.INVALID_TRANSITION


async def test_a_partial_then_a_final_payment_makes_the_order_paid(db, tenant):
    await _shop(db, tenant)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 2)))).order
    assert order.total == 2000 + 500 + 250

    partly = await record_payment(uow(db, tenant.id), order.id, "pay-1", "10.00")
    assert (partly.paid, partly.payment_status) == (1000, PaymentStatus.PARTIALLY_PAID)

    paid = await record_payment(uow(db, tenant.id), order.id, "pay-2", None)  # the balance due
    assert (paid.paid, paid.payment_status) == (2750, PaymentStatus.PAID)

    events = await outbox(db, tenant.id, aggregate_id=order.id, type="ORDER_PAYMENT_RECORDED")
    assert sorted(
        (e.payload["reference"], e.payload["amount"]["amount"], e.payload["paymentStatus"]) for e in events
    ) == [
        ("pay-1", "10.00", "PARTIALLY_PAID"),
        ("pay-2", "17.50", "PAID"),
    ]
    assert [t.type for t in await timeline(db, tenant.id, order.id)].count("ORDER_PAYMENT_RECORDED") == 2
    assert await count(db, "payments", tenant.id) == 2

    with pytest.raises(DomainError) as refused:
        await record_payment(uow(db, tenant.id), order.id, "pay-3", "0.01")
    assert refused.value.code == Code.ALREADY_PAID


async def test_paying_more_than_the_balance_due_is_refused(db, tenant):
    await _shop(db, tenant)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order
    assert order.total == 1000 + 500 + 150
    await record_payment(uow(db, tenant.id), order.id, "pay-1", "5.00")
    before = await snapshot(db, tenant.id)

    for amount in ("11.51", "0", "-1.00", "1.001", "lots"):
        with pytest.raises(DomainError) as refused:
            await record_payment(uow(db, tenant.id), order.id, f"pay-{amount}", amount)
        assert (refused.value.code, refused.value.field) == (Code.INVALID_AMOUNT, ["amount"]), amount

    assert await snapshot(db, tenant.id) == before
    assert await count(db, "payments", tenant.id) == 1
    exact = await record_payment(uow(db, tenant.id), order.id, "pay-2", "11.50")
    assert (exact.paid, exact.payment_status) == (1650, PaymentStatus.PAID)


async def test_the_same_payment_reference_twice_is_recorded_once(db, tenant):
    await _shop(db, tenant)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order

    first = await record_payment(uow(db, tenant.id), order.id, "pay-1", "5.00")
    again = await record_payment(uow(db, tenant.id), order.id, " pay-1 ", "5.00")

    assert first.paid == again.paid == 500
    assert again.payment_status == PaymentStatus.PARTIALLY_PAID
    assert await count(db, "payments", tenant.id) == 1
    assert len(await outbox(db, tenant.id, aggregate_id=order.id, type="ORDER_PAYMENT_RECORDED")) == 1


async def test_a_cancelled_order_takes_no_payment(db, tenant):
    await _shop(db, tenant)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order
    await cancel_order(uow(db, tenant.id), order.id, None)

    with pytest.raises(DomainError) as refused:
        await record_payment(uow(db, tenant.id), order.id, "pay-1", None)

    assert refused.value.code == Code.INVALID_TRANSITION
    assert await count(db, "payments", tenant.id) == 0
