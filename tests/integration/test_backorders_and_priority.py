"""Backorders wait for stock and are filled most urgent first; priority comes from rules or a person."""

from __future__ import annotations

from datetime import timedelta

from domain.catalog.models import BackorderPolicy
from domain.db import utcnow
from domain.fulfillment.status import HoldReason
from domain.inventory.models import AdjustReason
from domain.inventory.service import AdjustInput, SetInput
from domain.orders.status import ShippingMethod
from domain.pagination import MAX_PAGE
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from domain.workflows.prioritizing import set_priority
from domain.workflows.stock_changes import adjust_level, set_level
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    level,
    location,
    order_input,
    orders,
    outbox_types,
    product,
    uow,
)
from tests.integration.fulfillment_builders import fulfillment_orders, holds


async def test_receiving_three_units_fills_the_three_most_urgent_of_five_backorders(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    pre = await product(db, tenant.id, "PRE", stock={main.id: 0}, backorder=BackorderPolicy.ALLOW)
    placed = []
    for i in range(5):
        order = (
            await place_order(uow(db, tenant.id), order_input(("PRE", 1), email=f"c{i}@example.com"))
        ).order
        await confirm_order(uow(db, tenant.id), order.id)
        placed.append(order)
    # Priorities 10, 50, 30, 90, 70: the three highest are orders 3, 4 and 1.
    for order, priority in zip(placed, (10, 50, 30, 90, 70), strict=True):
        await set_priority(uow(db, tenant.id), order.id, priority, "test")
    for order in placed:
        (fo,) = await fulfillment_orders(db, order.id)
        assert fo.status == "ON_HOLD"
        assert [h.reason for h in await holds(db, fo.id)] == [HoldReason.INVENTORY_OUT_OF_STOCK]

    await adjust_level(uow(db, tenant.id), AdjustInput("PRE", main.id, 3, AdjustReason.RECEIVED))

    filled = {
        i
        for i, order in enumerate(placed)
        if {a.status for a in await allocations(db, order.id)} == {"RESERVED"}
    }
    assert filled == {1, 3, 4}
    for i, order in enumerate(placed):
        (fo,) = await fulfillment_orders(db, order.id)
        assert fo.status == ("OPEN" if i in filled else "ON_HOLD")
    pre_level = await level(db, pre, main.id)
    assert (pre_level.on_hand, pre_level.committed) == (3, 3)
    assert (await outbox_types(db, tenant.id))["ORDER_BACKORDER_ALLOCATED"] == 3
    await assert_ledger_reconciles(db, tenant.id)


async def test_equal_priorities_fill_the_oldest_backorder_first_and_may_fill_part_of_one(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "PRE", stock={main.id: 0}, backorder=BackorderPolicy.ALLOW)
    first = (await place_order(uow(db, tenant.id), order_input(("PRE", 2)))).order
    second = (await place_order(uow(db, tenant.id), order_input(("PRE", 2)))).order

    await set_level(uow(db, tenant.id), SetInput("PRE", main.id, 3))

    assert sorted((a.status, a.quantity) for a in await allocations(db, first.id)) == [("RESERVED", 2)]
    assert sorted((a.status, a.quantity) for a in await allocations(db, second.id)) == [
        ("BACKORDERED", 1),
        ("RESERVED", 1),
    ]
    await assert_ledger_reconciles(db, tenant.id)


async def test_priority_follows_shipping_method_and_promised_date(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 50})
    standard = order_input(("MUG", 1))
    overnight = order_input(("MUG", 1), method=ShippingMethod.OVERNIGHT)
    promised = order_input(("MUG", 1))
    promised.ship_by = utcnow() + timedelta(hours=6)

    for data in (standard, overnight, promised):
        await place_order(uow(db, tenant.id), data)

    by_number = {o.number: o for o in await orders(db, tenant.id)}
    assert by_number[1002].priority > by_number[1003].priority > by_number[1001].priority
    assert abs(by_number[1003].ship_by - promised.ship_by) < timedelta(seconds=1)


async def test_a_manual_priority_moves_the_orders_fulfillment_orders_in_the_queue(db, tenant):
    from domain.fulfillment.queries import queue
    from domain.reading import ReadPool

    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 50})
    placed = []
    for _ in range(3):
        order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order
        await confirm_order(uow(db, tenant.id), order.id)
        placed.append(order)
    await set_priority(uow(db, tenant.id), placed[2].id, 99, "VIP complaint")
    reads = ReadPool(db.url.render_as_string(hide_password=False).replace("+asyncpg", ""), 2)
    try:
        async with reads.tenant(tenant.id) as reader:
            page = await queue(reader, tenant.id, main.id, MAX_PAGE, None)
            first_two = await queue(reader, tenant.id, main.id, 2, None)
            rest = await queue(reader, tenant.id, main.id, 2, first_two.cursors[-1])
    finally:
        await reads.close()

    # The override first, then by ship-by date and age: the order the three were placed in.
    assert [r.order_id for r in page.rows] == [placed[2].id, placed[0].id, placed[1].id]
    assert [r.order_id for r in first_two.rows + rest.rows] == [r.order_id for r in page.rows]
    assert first_two.has_next and not rest.has_next
