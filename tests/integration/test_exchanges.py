"""Exchanges: approving a return that asks for other units creates an exchange order, reserved and
confirmed, paid by the returned units' value; the difference is due or refunded at once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from domain.errors import Code, DomainError, Rejected
from domain.events.models import OutboxEvent
from domain.ids import to_global
from domain.orders.models import Payment
from domain.returns.service import ExchangeInput, ReturnInput, ReturnLineInput, cancel_return, request_return
from domain.returns.status import ItemCondition, ReturnReason
from domain.shipping.service import ShipmentInput, create_shipment
from domain.workflows.exchanging import approve_return
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    count,
    level,
    location,
    movements,
    orders,
    product,
    rows,
    snapshot,
    timeline,
    uow,
)
from tests.integration.fulfillment_builders import fulfillment_orders
from tests.integration.return_builders import (
    assert_damaged_reconciles,
    lines_of,
    order_row,
    receive_all,
    refund_lines,
    refunds_of,
    return_lines,
    return_row,
    shipped_order,
    wanted,
)


async def _shop(db, tenant_id, big_stock=5):
    main = await location(db, tenant_id, "MAIN")
    ids = {
        "MUG": await product(db, tenant_id, "MUG", price="10.00", stock={main.id: 10}),
        "BIG": await product(db, tenant_id, "BIG", price="30.00", stock={main.id: big_stock}),
        "SMALL": await product(db, tenant_id, "SMALL", price="5.00", stock={main.id: 10}),
    }
    return main, ids


def swap(line_id, quantity, sku, units) -> ReturnLineInput:
    return ReturnLineInput(
        order_line_id=line_id,
        quantity=quantity,
        reason=ReturnReason.SIZE_TOO_SMALL,
        exchange_for=ExchangeInput(sku, units),
    )


async def _events(db, tenant_id, type_):
    t = OutboxEvent.__table__
    return await rows(db, select(t).where(t.c.tenant_id == tenant_id, t.c.type == type_).order_by(t.c.seq))


async def test_an_exchange_for_a_dearer_sku_creates_a_confirmed_order_with_a_balance_due(db, tenant):
    main, ids = await _shop(db, tenant.id)
    original = await shipped_order(db, tenant.id, ("MUG", 2))  # 2 x (10.00 + 1.00 tax) + 5.50 shipping
    (mug,) = await lines_of(db, original.id)
    ret = await request_return(uow(db, tenant.id), ReturnInput(original.id, [swap(mug.id, 1, "BIG", 1)]))
    (rl,) = await return_lines(db, ret.id)
    assert (rl.exchange_sku, rl.exchange_quantity, rl.exchange_product_id) == ("BIG", 1, ids["BIG"])

    approved = await approve_return(uow(db, tenant.id), ret.id)

    exchange = await order_row(db, approved.exchange_order_id)
    assert (exchange.exchange_of_id, exchange.status, exchange.customer_id) == (
        original.id,
        "CONFIRMED",
        original.customer_id,
    )
    assert (exchange.subtotal, exchange.shipping, exchange.tax, exchange.total) == (3000, 0, 300, 3300)
    # The returned MUG was charged 11.00: that pays part of the 33.00 exchange.
    assert (exchange.paid, exchange.payment_status) == (1100, "PARTIALLY_PAID")
    assert exchange.tags == ["exchange"] and "RMA-1001" in exchange.note
    (payment,) = await rows(db, select(Payment.__table__).where(Payment.__table__.c.order_id == exchange.id))
    assert (payment.amount, payment.reference) == (1100, "Exchange credit RMA-1001")
    (line,) = await lines_of(db, exchange.id)
    assert (line.sku, line.quantity, line.unit_price, line.tax) == ("BIG", 1, 3000, 300)
    (held,) = await allocations(db, exchange.id)
    assert (held.product_id, held.location_id, held.quantity, held.status) == (
        ids["BIG"],
        main.id,
        1,
        "RESERVED",
    )
    (fo,) = await fulfillment_orders(db, exchange.id)
    assert (fo.status, fo.location_id) == ("OPEN", main.id)
    big = await level(db, ids["BIG"], main.id)
    assert (big.on_hand, big.committed) == (5, 1)
    assert [(m.kind, m.committed_delta) for m in await movements(db, tenant.id, order_id=exchange.id)] == [
        ("RESERVED", 1)
    ]

    (credit,) = await refunds_of(db, original.id)
    assert (credit.return_id, credit.lines_amount, credit.amount, credit.credited) == (ret.id, 1100, 0, 1100)
    assert [
        (x.order_line_id, x.quantity, x.amount, x.return_line_id) for x in await refund_lines(db, credit.id)
    ] == [(mug.id, 1, 1100, rl.id)]
    before = await order_row(db, original.id)
    assert (before.refunded, before.payment_status) == (1100, "PARTIALLY_REFUNDED")
    assert (await return_lines(db, ret.id))[0].refunded == 1
    assert (await return_row(db, ret.id)).status == "APPROVED"

    (created,) = await _events(db, tenant.id, "RETURN_EXCHANGE_CREATED")
    assert (created.aggregate_type, created.aggregate_id) == ("Return", ret.id)
    assert created.payload == {
        "orderId": to_global("Order", original.id),
        "rmaNumber": "RMA-1001",
        "exchangeOrderId": to_global("Order", exchange.id),
        "exchangeNumber": f"#{exchange.number}",
        "credit": {"amount": "11.00", "currencyCode": "USD"},
        "balanceDue": {"amount": "22.00", "currencyCode": "USD"},
        "refund": {"amount": "0.00", "currencyCode": "USD"},
    }
    exchange_events = [e.type for e in await timeline(db, tenant.id, exchange.id)]
    for expected in (
        "ORDER_CREATED",
        "ORDER_STOCK_RESERVED",
        "ORDER_STATUS_CHANGED",
        "ORDER_PAYMENT_RECORDED",
    ):
        assert expected in exchange_events
    original_events = [e.type for e in await timeline(db, tenant.id, original.id)]
    assert "RETURN_EXCHANGE_CREATED" in original_events and "REFUND_ISSUED" in original_events
    (issued,) = await _events(db, tenant.id, "REFUND_ISSUED")
    assert (issued.payload["amount"]["amount"], issued.payload["credited"]["amount"]) == ("0.00", "11.00")
    await assert_ledger_reconciles(db, tenant.id)


async def test_an_exchange_for_a_cheaper_sku_is_paid_and_the_difference_refunded(db, tenant):
    await _shop(db, tenant.id)
    original = await shipped_order(db, tenant.id, ("MUG", 2))
    (mug,) = await lines_of(db, original.id)
    ret = await request_return(uow(db, tenant.id), ReturnInput(original.id, [swap(mug.id, 1, "SMALL", 1)]))

    approved = await approve_return(uow(db, tenant.id), ret.id)

    exchange = await order_row(db, approved.exchange_order_id)
    assert (exchange.total, exchange.paid, exchange.payment_status) == (550, 550, "PAID")
    (refund,) = await refunds_of(db, original.id)
    # 11.00 of credit: 5.50 pays the exchange, 5.50 goes back to the customer.
    assert (refund.lines_amount, refund.amount, refund.credited) == (1100, 550, 550)
    assert refund.amount == 1100 - exchange.total and refund.credited == exchange.total
    assert (await order_row(db, original.id)).refunded == 1100
    (created,) = await _events(db, tenant.id, "RETURN_EXCHANGE_CREATED")
    assert (created.payload["balanceDue"]["amount"], created.payload["refund"]["amount"]) == ("0.00", "5.50")


async def test_an_exchange_of_an_order_not_paid_in_full_credits_nothing_and_the_units_stay_refundable(
    db, tenant
):
    from domain.orders.service import record_payment
    from domain.refunds.service import RefundInput, RefundLineInput, create_refund
    from domain.shipping.service import ShipmentInput as Ship
    from domain.workflows.confirming import confirm_order
    from domain.workflows.placing import place_order
    from tests.integration.builders import order_input

    await _shop(db, tenant.id)
    placed = (await place_order(uow(db, tenant.id), order_input(("MUG", 2)))).order
    await record_payment(uow(db, tenant.id), placed.id, "part", "4.00")
    await confirm_order(uow(db, tenant.id), placed.id)
    (fo,) = await fulfillment_orders(db, placed.id)
    await create_shipment(uow(db, tenant.id), Ship(fo.id, "generic", "PP-1"))
    (mug,) = await lines_of(db, placed.id)
    ret = await request_return(uow(db, tenant.id), ReturnInput(placed.id, [swap(mug.id, 1, "SMALL", 1)]))

    approved = await approve_return(uow(db, tenant.id), ret.id)

    # The mug was charged 11.00 but only 4.00 of the order is paid: no partial credit that would
    # count the unit as refunded for less than it cost.
    exchange = await order_row(db, approved.exchange_order_id)
    assert (exchange.total, exchange.paid, exchange.payment_status) == (550, 0, "PENDING")
    assert await refunds_of(db, placed.id) == []
    original = await order_row(db, placed.id)
    assert (original.paid, original.refunded, original.payment_status) == (400, 0, "PARTIALLY_PAID")
    await record_payment(uow(db, tenant.id), placed.id, "rest", None)
    later = await create_refund(
        uow(db, tenant.id),
        RefundInput(placed.id, "Returned mug", "pp-1", lines=[RefundLineInput(mug.id, 1)]),
    )
    assert later.refund.amount == 1100  # the unit's whole share, once paid for


async def test_an_exchange_without_enough_stock_is_refused_and_changes_nothing(db, tenant):
    await _shop(db, tenant.id, big_stock=1)
    original = await shipped_order(db, tenant.id, ("MUG", 2), ("SMALL", 1))
    mug, small = await lines_of(db, original.id)
    ret = await request_return(
        uow(db, tenant.id),
        ReturnInput(original.id, [wanted(small.id, 1), swap(mug.id, 2, "BIG", 2)]),
    )
    before = await snapshot(db, tenant.id)
    refunds_before = await count(db, "refunds", tenant.id)

    with pytest.raises(Rejected) as refused:
        await approve_return(uow(db, tenant.id), ret.id)

    assert [(e.code, e.field) for e in refused.value.errors] == [
        (Code.INSUFFICIENT_STOCK, ["lines", "1", "exchangeFor", "quantity"])
    ]
    stored = await return_row(db, ret.id)
    assert (stored.status, stored.exchange_order_id) == ("REQUESTED", None)
    assert await snapshot(db, tenant.id) == before
    assert await count(db, "refunds", tenant.id) == refunds_before
    assert [o.id for o in await orders(db, tenant.id)] == [original.id]
    assert (await order_row(db, original.id)).return_status == "RETURN_REQUESTED"


async def test_an_unknown_exchange_sku_or_quantity_is_refused_at_request(db, tenant):
    await _shop(db, tenant.id)
    original = await shipped_order(db, tenant.id, ("MUG", 2))
    (mug,) = await lines_of(db, original.id)

    with pytest.raises(Rejected) as refused:
        await request_return(uow(db, tenant.id), ReturnInput(original.id, [swap(mug.id, 1, "NOPE", 1)]))
    assert [(e.code, e.field) for e in refused.value.errors] == [
        (Code.UNKNOWN_SKU, ["lines", "0", "exchangeFor", "sku"])
    ]
    with pytest.raises(Rejected) as both:  # every problem of the request at once
        await request_return(uow(db, tenant.id), ReturnInput(original.id, [swap(mug.id, 3, "NOPE", 1)]))
    assert [(e.code, e.field) for e in both.value.errors] == [
        (Code.UNKNOWN_SKU, ["lines", "0", "exchangeFor", "sku"]),
        (Code.EXCEEDS_RETURNABLE, ["lines", "0", "quantity"]),
    ]
    with pytest.raises(Rejected) as zero:
        await request_return(uow(db, tenant.id), ReturnInput(original.id, [swap(mug.id, 1, "BIG", 0)]))
    assert [(e.code, e.field) for e in zero.value.errors] == [
        (Code.INVALID_QUANTITY, ["lines", "0", "exchangeFor", "quantity"])
    ]
    assert await count(db, "returns", tenant.id) == 0


async def test_a_return_with_an_exchange_order_cannot_be_cancelled(db, tenant):
    await _shop(db, tenant.id)
    original = await shipped_order(db, tenant.id, ("MUG", 2))
    (mug,) = await lines_of(db, original.id)
    ret = await request_return(uow(db, tenant.id), ReturnInput(original.id, [swap(mug.id, 1, "BIG", 1)]))
    await approve_return(uow(db, tenant.id), ret.id)

    with pytest.raises(DomainError) as refused:
        await cancel_return(uow(db, tenant.id), ret.id, "never mind")

    assert refused.value.code == Code.RETURN_NOT_CANCELLABLE
    assert (await return_row(db, ret.id)).status == "APPROVED"


async def test_the_exchange_order_ships_through_normal_fulfillment(db, tenant):
    main, ids = await _shop(db, tenant.id)
    original = await shipped_order(db, tenant.id, ("MUG", 2))
    (mug,) = await lines_of(db, original.id)
    ret = await request_return(uow(db, tenant.id), ReturnInput(original.id, [swap(mug.id, 2, "BIG", 1)]))
    approved = await approve_return(uow(db, tenant.id), ret.id)
    (fo,) = await fulfillment_orders(db, approved.exchange_order_id)

    shipment = await create_shipment(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "EXCH-1"))

    assert shipment.order_id == approved.exchange_order_id
    exchange = await order_row(db, approved.exchange_order_id)
    assert (exchange.status, exchange.fulfillment_status) == ("SHIPPED", "FULFILLED")
    big = await level(db, ids["BIG"], main.id)
    assert (big.on_hand, big.committed) == (4, 0)
    assert [(m.kind, m.on_hand_delta) for m in await movements(db, tenant.id, order_id=exchange.id)] == [
        ("RESERVED", 0),
        ("SHIPPED", -1),
    ]
    # The returned units still come back as usual.
    await receive_all(db, tenant.id, ret.id, main.id, ItemCondition.RESELLABLE)
    assert (await level(db, ids["MUG"], main.id)).on_hand == 10
    assert (await order_row(db, original.id)).return_status == "RETURNED"
    await assert_ledger_reconciles(db, tenant.id)
    await assert_damaged_reconciles(db, tenant.id)


async def test_two_exchanges_approved_at_once_for_the_last_unit_reserve_it_once(db, tenant):
    main, ids = await _shop(db, tenant.id, big_stock=1)
    first = await shipped_order(db, tenant.id, ("MUG", 1))
    second = await shipped_order(db, tenant.id, ("MUG", 1))
    returns = []
    for order in (first, second):
        (mug,) = await lines_of(db, order.id)
        returns.append(
            await request_return(uow(db, tenant.id), ReturnInput(order.id, [swap(mug.id, 1, "BIG", 1)]))
        )

    async def approve(return_id):
        try:
            return await approve_return(uow(db, tenant.id), return_id)
        except Rejected as exc:
            return exc

    results = await asyncio.gather(*(approve(r.id) for r in returns))

    approved = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(approved) == 1 and len(refused) == 1
    assert refused[0].errors[0].code == Code.INSUFFICIENT_STOCK
    big = await level(db, ids["BIG"], main.id)
    assert (big.on_hand, big.committed) == (1, 1)
    assert len([o for o in await orders(db, tenant.id) if o.exchange_of_id is not None]) == 1
    await assert_ledger_reconciles(db, tenant.id)
