"""Refunds against real Postgres: amounts computed per line with their tax, restocking fees, shipping,
the limit of what was paid, payment statuses, idempotency (also under concurrency), cancelled orders
and refunds of returns."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select, update

from domain.errors import Code, DomainError, Rejected
from domain.events.models import OutboxEvent
from domain.ids import to_global
from domain.orders.models import Order
from domain.orders.service import record_payment
from domain.refunds.service import RefundInput, RefundLineInput, create_refund
from domain.returns.models import ReturnLine
from domain.returns.receiving import ReceiptLine, receive
from domain.returns.service import ReturnInput, request_return
from domain.returns.status import ItemCondition, ReturnReason
from domain.tenancy.models import Tenant
from domain.workflows.cancelling import cancel_order
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from tests.db_helpers import as_tenant
from tests.integration.builders import count, location, order_input, product, rows, snapshot, timeline, uow
from tests.integration.return_builders import (
    approved_return,
    lines_of,
    order_row,
    refund_lines,
    refunds_of,
    return_lines,
    shipped_order,
    wanted,
)

C = ItemCondition


async def _shop(db, tenant_id):
    """Tax is 10 % (the tenant fixture); STANDARD shipping is 5.00, taxed 0.50."""
    main = await location(db, tenant_id, "MAIN")
    for sku, price in (("MUG", "10.00"), ("TEE", "20.00"), ("CAP", "3.33")):
        await product(db, tenant_id, sku, price=price, stock={main.id: 20})
    return main


async def _order(db, tenant_id, pay=True):
    """MUG 3 x 10.00 (+3.00 tax), TEE 1 x 20.00 (+2.00), CAP 3 x 3.33 = 9.99 (+1.00), shipping 5.00 (+0.50)."""
    order = await shipped_order(db, tenant_id, ("MUG", 3), ("TEE", 1), ("CAP", 3), pay=pay)
    assert (order.subtotal, order.shipping, order.tax, order.total) == (5999, 500, 650, 7149)
    return order, await lines_of(db, order.id)


def _refund(order_id, key=None, *lines, **kw) -> RefundInput:
    return RefundInput(
        order_id=order_id,
        reason=kw.pop("reason", "customer asked"),
        idempotency_key=key or f"k-{uuid.uuid4().hex[:12]}",
        lines=[RefundLineInput(line_id, units) for line_id, units in lines]
        if lines
        else kw.pop("lines", None),
        **kw,
    )


async def _refund_events(db, tenant_id):
    t = OutboxEvent.__table__
    return await rows(
        db, select(t).where(t.c.tenant_id == tenant_id, t.c.type == "REFUND_ISSUED").order_by(t.c.seq)
    )


async def _state(db, tenant_id):
    state = await snapshot(db, tenant_id)
    for table in ("refunds", "refund_lines", "returns", "return_lines"):
        state[table] = await count(db, table, tenant_id)
    o = Order.__table__
    state["money"] = sorted(
        (r.id, r.paid, r.refunded, r.payment_status, r.version)
        for r in await rows(db, select(o).where(o.c.tenant_id == tenant_id))
    )
    rl = ReturnLine.__table__
    state["return_lines_refunded"] = sorted(
        r.refunded for r in await rows(db, select(rl).where(rl.c.tenant_id == tenant_id))
    )
    return state


async def test_a_refund_of_lines_gives_back_each_units_share_of_subtotal_and_tax(db, tenant):
    await _shop(db, tenant.id)
    order, (mug, _, cap) = await _order(db, tenant.id)

    done = await create_refund(uow(db, tenant.id), _refund(order.id, "r-1", (mug.id, 1), (cap.id, 1)))

    assert done.created
    refund = done.refund
    # MUG: 3300 over 3 units -> 1100; CAP: 1099 over 3 units -> 366 (the last unit takes the odd cent).
    assert (
        refund.lines_amount,
        refund.shipping_amount,
        refund.restocking_fee,
        refund.amount,
        refund.credited,
    ) == (
        1466,
        0,
        0,
        1466,
        0,
    )
    assert sorted(
        (rl.order_line_id, rl.quantity, rl.amount) for rl in await refund_lines(db, refund.id)
    ) == sorted([(mug.id, 1, 1100), (cap.id, 1, 366)])
    stored = await order_row(db, order.id)
    assert (stored.paid, stored.refunded, stored.payment_status) == (7149, 1466, "PARTIALLY_REFUNDED")
    (issued,) = await _refund_events(db, tenant.id)
    assert (issued.aggregate_type, issued.aggregate_id) == ("Order", order.id)
    assert issued.payload == {
        "number": f"#{order.number}",
        "refundId": to_global("Refund", refund.id),
        "returnId": None,
        "amount": {"amount": "14.66", "currencyCode": "USD"},
        "credited": {"amount": "0.00", "currencyCode": "USD"},
        "reason": "customer asked",
        "paymentStatus": "PARTIALLY_REFUNDED",
    }
    (entry,) = [e for e in await timeline(db, tenant.id, order.id) if e.type == "REFUND_ISSUED"]
    assert entry.message == "Refunded 14.66 USD: customer asked; payment status PARTIALLY_REFUNDED"

    # The rest of the CAP line, in two steps, gives back exactly what it was charged.
    second = await create_refund(uow(db, tenant.id), _refund(order.id, None, (cap.id, 1)))
    third = await create_refund(uow(db, tenant.id), _refund(order.id, None, (cap.id, 1)))
    assert (second.refund.amount, third.refund.amount) == (366, 367)
    assert cap.subtotal + cap.tax == 366 + 366 + 367


async def test_refunding_everything_with_shipping_makes_the_order_refunded(db, tenant):
    await _shop(db, tenant.id)
    order, (mug, tee, cap) = await _order(db, tenant.id)

    await create_refund(uow(db, tenant.id), _refund(order.id, None, (tee.id, 1)))
    assert (await order_row(db, order.id)).payment_status == "PARTIALLY_REFUNDED"
    last = await create_refund(
        uow(db, tenant.id), _refund(order.id, None, (mug.id, 3), (cap.id, 3), shipping_amount="5.50")
    )

    assert (last.refund.lines_amount, last.refund.shipping_amount, last.refund.amount) == (4399, 550, 4949)
    stored = await order_row(db, order.id)
    assert (stored.refunded, stored.paid, stored.payment_status) == (7149, 7149, "REFUNDED")
    assert [e.payload["paymentStatus"] for e in await _refund_events(db, tenant.id)] == [
        "PARTIALLY_REFUNDED",
        "REFUNDED",
    ]
    with pytest.raises(Rejected) as nothing_left:
        await create_refund(uow(db, tenant.id), _refund(order.id, None, (mug.id, 1)))
    assert [(e.code, e.field) for e in nothing_left.value.errors] == [
        (Code.EXCEEDS_REFUNDABLE, ["lines", "0", "quantity"])
    ]


async def test_a_shipping_refund_is_capped_at_the_shipping_charged_with_its_tax(db, tenant):
    await _shop(db, tenant.id)
    order, _ = await _order(db, tenant.id)
    before = await _state(db, tenant.id)

    with pytest.raises(Rejected) as too_much:
        await create_refund(uow(db, tenant.id), _refund(order.id, shipping_amount="5.51"))
    assert [(e.code, e.field) for e in too_much.value.errors] == [
        (Code.EXCEEDS_REFUNDABLE, ["shippingAmount"])
    ]
    assert await _state(db, tenant.id) == before

    first = await create_refund(uow(db, tenant.id), _refund(order.id, shipping_amount="3.00"))
    assert (first.refund.shipping_amount, first.refund.amount) == (300, 300)
    with pytest.raises(Rejected) as over_the_rest:
        await create_refund(uow(db, tenant.id), _refund(order.id, shipping_amount="2.51"))
    assert "250 minor units of shipping" in over_the_rest.value.errors[0].message
    rest = await create_refund(uow(db, tenant.id), _refund(order.id, shipping_amount="2.50"))
    assert rest.refund.amount == 250


async def test_a_refund_beyond_what_was_paid_is_refused_and_changes_nothing(db, tenant):
    await _shop(db, tenant.id)
    order, (mug, tee, _) = await _order(db, tenant.id, pay=False)
    before = await _state(db, tenant.id)

    with pytest.raises(DomainError) as unpaid:
        await create_refund(uow(db, tenant.id), _refund(order.id, None, (mug.id, 1)))
    assert (unpaid.value.code, unpaid.value.field) == (Code.REFUND_EXCEEDS_PAID, ["amount"])
    assert await _state(db, tenant.id) == before

    await record_payment(uow(db, tenant.id), order.id, "part", "15.00")
    before = await _state(db, tenant.id)
    with pytest.raises(DomainError) as partly:
        await create_refund(uow(db, tenant.id), _refund(order.id, None, (tee.id, 1)))  # 22.00 > 15.00
    assert partly.value.code == Code.REFUND_EXCEEDS_PAID
    with pytest.raises(DomainError) as goodwill:
        await create_refund(uow(db, tenant.id), _refund(order.id, amount="15.01"))
    assert goodwill.value.code == Code.REFUND_EXCEEDS_PAID
    assert await _state(db, tenant.id) == before

    done = await create_refund(uow(db, tenant.id), _refund(order.id, amount="15.00"))
    assert (done.refund.extra_amount, done.refund.amount) == (1500, 1500)
    stored = await order_row(db, order.id)
    assert (stored.paid, stored.refunded, stored.payment_status) == (1500, 1500, "REFUNDED")


async def test_a_refund_that_gives_nothing_or_names_bad_input_is_refused(db, tenant):
    await _shop(db, tenant.id)
    order, (mug, *_) = await _order(db, tenant.id)
    other, _ = await _order(db, tenant.id)
    (other_line, *_) = await lines_of(db, other.id)

    with pytest.raises(DomainError) as nothing:
        await create_refund(uow(db, tenant.id), _refund(order.id, amount="0"))
    assert nothing.value.code == Code.NOTHING_TO_REFUND
    with pytest.raises(Rejected) as bad:
        await create_refund(
            uow(db, tenant.id),
            _refund(order.id, None, (other_line.id, 1), (mug.id, 4), amount="-1", shipping_amount="x"),
        )
    assert sorted((e.code, tuple(e.field or ())) for e in bad.value.errors) == sorted(
        [
            (Code.NOT_FOUND, ("lines", "0", "orderLineId")),
            (Code.EXCEEDS_REFUNDABLE, ("lines", "1", "quantity")),
            (Code.INVALID_AMOUNT, ("amount",)),
            (Code.INVALID_AMOUNT, ("shippingAmount",)),
        ]
    )
    with pytest.raises(Rejected) as no_reason:
        await create_refund(uow(db, tenant.id), _refund(order.id, " ", amount="1.00", reason=" "))
    assert sorted(e.code for e in no_reason.value.errors) == [Code.REQUIRED, Code.REQUIRED]
    assert await count(db, "refunds", tenant.id) == 0


async def test_the_same_idempotency_key_returns_the_first_refund_and_a_changed_request_is_refused(db, tenant):
    await _shop(db, tenant.id)
    order, (mug, tee, _) = await _order(db, tenant.id)

    first = await create_refund(uow(db, tenant.id), _refund(order.id, "same", (mug.id, 1)))
    again = await create_refund(uow(db, tenant.id), _refund(order.id, "same", (mug.id, 1)))

    assert (first.created, again.created) == (True, False)
    assert again.refund.id == first.refund.id
    assert again.order.refunded == 1100
    with pytest.raises(DomainError) as reused:
        await create_refund(uow(db, tenant.id), _refund(order.id, "same", (tee.id, 1)))
    assert (reused.value.code, reused.value.field) == (Code.IDEMPOTENCY_KEY_REUSED, ["idempotencyKey"])
    assert len(await refunds_of(db, order.id)) == 1
    assert (await order_row(db, order.id)).refunded == 1100
    assert len(await _refund_events(db, tenant.id)) == 1


async def test_concurrent_repeats_of_one_refund_request_refund_once(db, tenant):
    await _shop(db, tenant.id)
    order, (mug, *_) = await _order(db, tenant.id)

    results = await asyncio.gather(
        *(create_refund(uow(db, tenant.id), _refund(order.id, "race", (mug.id, 2))) for _ in range(6))
    )

    assert sum(r.created for r in results) == 1
    assert len({r.refund.id for r in results}) == 1
    (refund,) = await refunds_of(db, order.id)
    assert refund.amount == 2200
    stored = await order_row(db, order.id)
    assert (stored.refunded, stored.payment_status) == (2200, "PARTIALLY_REFUNDED")
    assert len(await _refund_events(db, tenant.id)) == 1


async def test_one_idempotency_key_used_at_once_for_two_orders_refunds_only_one(db, tenant):
    await _shop(db, tenant.id)
    first, (first_mug, *_) = await _order(db, tenant.id)
    second, (second_mug, *_) = await _order(db, tenant.id)

    async def attempt(order_id, line_id):
        try:
            return await create_refund(uow(db, tenant.id), _refund(order_id, "shared", (line_id, 1)))
        except DomainError as exc:
            return exc

    results = await asyncio.gather(attempt(first.id, first_mug.id), attempt(second.id, second_mug.id))

    done = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(done) == 1 and len(refused) == 1
    assert refused[0].code == Code.IDEMPOTENCY_KEY_REUSED
    assert sorted([(await order_row(db, o)).refunded for o in (first.id, second.id)]) == [0, 1100]
    assert await count(db, "refunds", tenant.id) == 1


async def test_cancelling_a_paid_order_refunds_what_was_paid(db, tenant):
    await _shop(db, tenant.id)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 2)))).order
    await record_payment(uow(db, tenant.id), order.id, "p-1", "10.00")
    await confirm_order(uow(db, tenant.id), order.id)

    await cancel_order(uow(db, tenant.id), order.id, "customer changed mind")

    (refund,) = await refunds_of(db, order.id)
    assert (refund.extra_amount, refund.lines_amount, refund.amount, refund.reason) == (
        1000,
        0,
        1000,
        "Order cancelled",
    )
    stored = await order_row(db, order.id)
    assert (stored.status, stored.paid, stored.refunded, stored.payment_status) == (
        "CANCELLED",
        1000,
        1000,
        "REFUNDED",
    )
    (issued,) = await _refund_events(db, tenant.id)
    assert (issued.aggregate_id, issued.payload["amount"]["amount"], issued.payload["paymentStatus"]) == (
        order.id,
        "10.00",
        "REFUNDED",
    )
    assert "REFUND_ISSUED" in [e.type for e in await timeline(db, tenant.id, order.id)]


async def test_cancelling_an_unpaid_order_refunds_nothing(db, tenant):
    await _shop(db, tenant.id)
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 2)))).order

    await cancel_order(uow(db, tenant.id), order.id, None)

    assert await refunds_of(db, order.id) == []
    assert (await order_row(db, order.id)).payment_status == "PENDING"


async def test_a_refund_of_a_return_gives_back_the_units_received_and_not_yet_refunded(db, tenant):
    main = await _shop(db, tenant.id)
    order, (mug, tee, _) = await _order(db, tenant.id)
    ret = await approved_return(db, tenant.id, order.id, wanted(mug.id, 2), wanted(tee.id, 1))
    mug_rl, tee_rl = await return_lines(db, ret.id)

    with pytest.raises(DomainError) as nothing_yet:
        await create_refund(uow(db, tenant.id), _refund(order.id, return_id=ret.id))
    assert nothing_yet.value.code == Code.NOTHING_TO_REFUND

    await receive(uow(db, tenant.id), ret.id, main.id, [ReceiptLine(mug_rl.id, 1, C.RESELLABLE)])
    first = await create_refund(uow(db, tenant.id), _refund(order.id, return_id=ret.id))

    assert first.refund.return_id == ret.id
    assert [
        (rl.order_line_id, rl.quantity, rl.amount, rl.return_line_id)
        for rl in await refund_lines(db, first.refund.id)
    ] == [(mug.id, 1, 1100, mug_rl.id)]
    assert [rl.refunded for rl in await return_lines(db, ret.id)] == [1, 0]

    await receive(
        uow(db, tenant.id),
        ret.id,
        main.id,
        [ReceiptLine(mug_rl.id, 1, C.DAMAGED), ReceiptLine(tee_rl.id, 1, C.RESELLABLE)],
    )
    second = await create_refund(uow(db, tenant.id), _refund(order.id, return_id=ret.id))
    assert sorted(
        (rl.order_line_id, rl.quantity, rl.amount) for rl in await refund_lines(db, second.refund.id)
    ) == sorted([(mug.id, 1, 1100), (tee.id, 1, 2200)])
    assert [rl.refunded for rl in await return_lines(db, ret.id)] == [2, 1]
    with pytest.raises(DomainError) as all_done:
        await create_refund(uow(db, tenant.id), _refund(order.id, return_id=ret.id))
    assert all_done.value.code == Code.NOTHING_TO_REFUND
    (issued, *_) = await _refund_events(db, tenant.id)
    assert issued.payload["returnId"] == to_global("Return", ret.id)
    assert (await order_row(db, order.id)).refunded == 1100 + 3300


async def test_a_refund_of_a_return_may_name_lines_on_the_return_only(db, tenant):
    await _shop(db, tenant.id)
    order, (mug, tee, _) = await _order(db, tenant.id)
    ret = await approved_return(db, tenant.id, order.id, wanted(mug.id, 2))

    with pytest.raises(Rejected) as refused:
        await create_refund(
            uow(db, tenant.id), _refund(order.id, None, (mug.id, 3), (tee.id, 1), return_id=ret.id)
        )
    assert [(e.code, e.field) for e in refused.value.errors] == [
        (Code.EXCEEDS_REFUNDABLE, ["lines", "0", "quantity"]),
        (Code.NOT_FOUND, ["lines", "1", "orderLineId"]),
    ]
    # Before the units arrive, a shop may refund what the return asks for.
    done = await create_refund(uow(db, tenant.id), _refund(order.id, None, (mug.id, 2), return_id=ret.id))
    assert done.refund.amount == 2200
    assert [rl.refunded for rl in await return_lines(db, ret.id)] == [2]


async def test_a_return_waiting_for_a_decision_is_not_refunded(db, tenant):
    await _shop(db, tenant.id)
    order, (mug, *_) = await _order(db, tenant.id)
    ret = await request_return(uow(db, tenant.id), ReturnInput(order.id, [wanted(mug.id, 1)]))

    with pytest.raises(DomainError) as refused:
        await create_refund(uow(db, tenant.id), _refund(order.id, return_id=ret.id))

    assert (refused.value.code, refused.value.field) == (Code.INVALID_TRANSITION, ["returnId"])
    with pytest.raises(DomainError) as elsewhere:
        await create_refund(uow(db, tenant.id), _refund(order.id, return_id=uuid.uuid4()))
    assert elsewhere.value.code == Code.NOT_FOUND


async def test_a_no_longer_needed_return_keeps_the_restocking_fee(db, tenant):
    main = await _shop(db, tenant.id)
    async with as_tenant(db, tenant.id) as conn:
        await conn.execute(
            update(Tenant.__table__).where(Tenant.__table__.c.id == tenant.id).values(restocking_fee_bps=1500)
        )
    order, (mug, tee, _) = await _order(db, tenant.id)
    ret = await approved_return(
        db,
        tenant.id,
        order.id,
        wanted(mug.id, 1, ReturnReason.NO_LONGER_NEEDED),
        wanted(tee.id, 1, ReturnReason.DEFECTIVE),
    )
    mug_rl, tee_rl = await return_lines(db, ret.id)
    await receive(
        uow(db, tenant.id),
        ret.id,
        main.id,
        [ReceiptLine(mug_rl.id, 1, C.RESELLABLE), ReceiptLine(tee_rl.id, 1, C.DEFECTIVE)],
    )

    done = await create_refund(uow(db, tenant.id), _refund(order.id, return_id=ret.id))

    refund = done.refund
    # MUG 11.00 less 15 % (1.65); the defective TEE 22.00 in full.
    assert (refund.lines_amount, refund.restocking_fee, refund.amount) == (3300, 165, 3135)
    assert sorted(
        (rl.order_line_id, rl.amount, rl.restocking_fee) for rl in await refund_lines(db, refund.id)
    ) == sorted([(mug.id, 1100, 165), (tee.id, 2200, 0)])
    assert (await order_row(db, order.id)).refunded == 3135
    # A refund without the return charges no fee.
    plain = await create_refund(uow(db, tenant.id), _refund(order.id, None, (mug.id, 1)))
    assert (plain.refund.restocking_fee, plain.refund.amount) == (0, 1100)
