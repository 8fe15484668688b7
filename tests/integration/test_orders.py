"""Placing orders: what one successful order writes, all-or-nothing rejection, server-side pricing and
per-tenant order numbers."""

from __future__ import annotations

import pytest

from domain.catalog.service import ProductInput, create_product
from domain.errors import Code, Rejected
from domain.ids import to_global
from domain.money import to_decimal
from domain.orders.models import OrderLine
from domain.orders.status import OrderStatus, PaymentStatus, ShippingMethod
from domain.workflows.placing import place_order
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    count,
    level,
    location,
    movements,
    order_input,
    orders,
    outbox,
    outbox_types,
    product,
    rows,
    snapshot,
    timeline,
    uow,
)


async def test_placing_an_order_reserves_stock_and_writes_ledger_outbox_and_timeline(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", price="12.50", stock={main.id: 5})

    placed = await place_order(uow(db, tenant.id), order_input(("MUG", 2)))

    order = placed.order
    assert placed.created
    assert (order.status, order.payment_status) == (OrderStatus.PENDING, PaymentStatus.PENDING)
    assert order.display_number == "#1001"
    assert (await level(db, mug, main.id)).committed == 2
    assert (await level(db, mug, main.id)).on_hand == 5

    reserved = await movements(db, tenant.id, order_id=order.id)
    assert [
        (m.kind, m.on_hand_delta, m.committed_delta, m.on_hand_after, m.committed_after) for m in reserved
    ] == [("RESERVED", 0, 2, 5, 2)]
    assert reserved[0].actor == "test"
    assert [(a.product_id, a.location_id, a.quantity, a.status) for a in await allocations(db, order.id)] == [
        (mug, main.id, 2, "RESERVED")
    ]

    events = await outbox(db, tenant.id, aggregate_id=order.id)
    assert sorted(e.type for e in events) == ["ORDER_CREATED", "ORDER_RISK_ASSESSED", "ORDER_STOCK_RESERVED"]
    created = next(e for e in events if e.type == "ORDER_CREATED")
    assert created.payload == {
        "number": "#1001",
        "channel": "WEB",
        "total": {"amount": str(to_decimal(order.total, "USD")), "currencyCode": "USD"},
    }
    assert created.actor == "test"
    reserved_event = next(e for e in events if e.type == "ORDER_STOCK_RESERVED")
    assert reserved_event.payload["allocations"] == [
        {"sku": "MUG", "locationId": to_global("Location", main.id), "quantity": 2, "backordered": False}
    ]
    level_events = await outbox(
        db, tenant.id, type="INVENTORY_LEVEL_CHANGED", aggregate_id=reserved[0].level_id
    )
    assert [
        (e.payload["kind"], e.payload["committed"], e.payload["committedDelta"]) for e in level_events
    ] == [
        ("SET", 0, 0),
        ("RESERVED", 2, 2),
    ]

    entries = await timeline(db, tenant.id, order.id)
    assert sorted(t.type for t in entries) == ["ORDER_CREATED", "ORDER_RISK_ASSESSED", "ORDER_STOCK_RESERVED"]
    assert {t.event_id for t in entries} == {e.id for e in events}
    assert any(t.message == "Order #1001 was placed via WEB" for t in entries)
    await assert_ledger_reconciles(db, tenant.id)


async def test_an_order_with_two_short_lines_is_rejected_whole_with_one_error_per_short_line(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 5})
    await product(db, tenant.id, "TEE", stock={main.id: 1})
    await product(db, tenant.id, "CAP", stock={main.id: 0})
    before = await snapshot(db, tenant.id)

    with pytest.raises(Rejected) as rejected:
        await place_order(uow(db, tenant.id), order_input(("MUG", 2), ("TEE", 3), ("CAP", 1)))

    errors = sorted(rejected.value.errors, key=lambda e: e.field)
    assert [(e.code, e.field) for e in errors] == [
        (Code.INSUFFICIENT_STOCK, ["lines", "1", "quantity"]),
        (Code.INSUFFICIENT_STOCK, ["lines", "2", "quantity"]),
    ]
    assert "Only 1 of 3" in errors[0].message
    assert await snapshot(db, tenant.id) == before
    assert before["orders"] == before["customers"] == 0
    await assert_ledger_reconciles(db, tenant.id)


async def test_unknown_and_inactive_skus_are_reported_per_line_and_nothing_is_written(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 5})
    await create_product(uow(db, tenant.id), ProductInput(sku="OLD", name="Old", price="1.00", active=False))
    before = await snapshot(db, tenant.id)

    with pytest.raises(Rejected) as rejected:
        await place_order(uow(db, tenant.id), order_input(("MUG", 1), ("NOPE", 1), ("OLD", 1)))

    assert sorted(((e.code, tuple(e.field)) for e in rejected.value.errors), key=lambda x: x[1]) == [
        (Code.UNKNOWN_SKU, ("lines", "1", "sku")),
        (Code.PRODUCT_INACTIVE, ("lines", "2", "sku")),
    ]
    assert await snapshot(db, tenant.id) == before


async def test_totals_are_priced_on_the_server_with_the_tenants_tax_and_shipping_rates(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", price="19.99", stock={main.id: 10})
    await product(db, tenant.id, "PIN", price="0.05", stock={main.id: 10})

    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 2), ("PIN", 1)))).order

    # 10 % tax, rounded half up per line and on shipping: 399.8 -> 400, 0.5 -> 1, 50 on STANDARD 5.00.
    assert (order.subtotal, order.shipping, order.tax) == (3998 + 5, 500, 400 + 1 + 50)
    assert order.total == order.subtotal + order.shipping + order.tax == 4954
    assert order.currency == "USD"
    line = OrderLine.__table__
    found = await rows(db, line.select().where(line.c.order_id == order.id).order_by(line.c.position))
    assert [(r.sku, r.unit_price, r.quantity, r.subtotal, r.tax) for r in found] == [
        ("MUG", 1999, 2, 3998, 400),
        ("PIN", 5, 1, 5, 1),
    ]
    created = await outbox(db, tenant.id, aggregate_id=order.id, type="ORDER_CREATED")
    assert created[0].payload["total"] == {"amount": "49.54", "currencyCode": "USD"}

    express = (
        await place_order(uow(db, tenant.id), order_input(("MUG", 1), method=ShippingMethod.EXPRESS))
    ).order
    assert (express.subtotal, express.shipping, express.tax) == (1999, 1500, 200 + 150)
    assert express.total == 1999 + 1500 + 350


async def test_a_tenant_without_tax_charges_only_lines_and_shipping(db, other_tenant):
    main = await location(db, other_tenant.id, "MAIN")
    await product(db, other_tenant.id, "MUG", price="19.99", stock={main.id: 10})

    order = (await place_order(uow(db, other_tenant.id), order_input(("MUG", 3)))).order

    assert (order.subtotal, order.shipping, order.tax, order.total) == (5997, 500, 0, 6497)


async def test_order_numbers_are_sequential_per_tenant_and_independent_between_tenants(
    db, tenant, other_tenant
):
    for t in (tenant, other_tenant):
        main = await location(db, t.id, "MAIN")
        await product(db, t.id, "MUG", stock={main.id: 10})

    numbers = [
        (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order.display_number,
        (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order.display_number,
        (await place_order(uow(db, other_tenant.id), order_input(("MUG", 1)))).order.display_number,
        (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order.display_number,
    ]

    assert numbers == ["#1001", "#1002", "#1001", "#1003"]
    assert [o.number for o in await orders(db, tenant.id)] == [1001, 1002, 1003]
    assert [o.number for o in await orders(db, other_tenant.id)] == [1001]


async def test_a_rejected_order_does_not_use_up_an_order_number(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 1})

    with pytest.raises(Rejected):
        await place_order(uow(db, tenant.id), order_input(("MUG", 2)))
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order

    assert order.number == 1001
    assert await outbox_types(db, tenant.id, aggregate_type="Order") == {
        "ORDER_CREATED": 1,
        "ORDER_STOCK_RESERVED": 1,
        "ORDER_RISK_ASSESSED": 1,
    }


async def test_repeat_customers_are_found_by_email_and_keep_one_customer_row(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 10})

    first = (await place_order(uow(db, tenant.id), order_input(("MUG", 1), email="Ada@Example.com"))).order
    second = (await place_order(uow(db, tenant.id), order_input(("MUG", 1), email="ada@example.com"))).order

    assert first.customer_id == second.customer_id
    assert first.email == second.email == "ada@example.com"
    assert await count(db, "customers", tenant.id) == 1
