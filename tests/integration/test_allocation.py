"""Where an order's stock comes from, and products that may be sold without stock (backorders)."""

from __future__ import annotations

import pytest

from domain.catalog.models import BackorderPolicy
from domain.errors import Code, DomainError, Rejected
from domain.ids import to_global
from domain.inventory.service import SetInput
from domain.workflows.cancelling import cancel_order
from domain.workflows.placing import place_order
from domain.workflows.stock_changes import set_level
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    level,
    location,
    movements,
    order_input,
    outbox,
    product,
    snapshot,
    uow,
)


async def test_one_location_that_can_ship_everything_is_preferred_over_a_split_by_priority(db, tenant):
    first = await location(db, tenant.id, "FIRST", priority=1)
    second = await location(db, tenant.id, "SECOND", priority=50)
    mug = await product(db, tenant.id, "MUG", stock={first.id: 3, second.id: 5})
    tee = await product(db, tenant.id, "TEE", stock={first.id: 9, second.id: 2})

    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 4), ("TEE", 2)))).order

    assert sorted(
        (a.product_id, a.location_id, a.quantity) for a in await allocations(db, order.id)
    ) == sorted([(mug, second.id, 4), (tee, second.id, 2)])
    assert (await level(db, mug, first.id)).committed == 0
    assert (await level(db, tee, first.id)).committed == 0
    reserved = (await outbox(db, tenant.id, aggregate_id=order.id, type="ORDER_STOCK_RESERVED"))[0]
    assert {a["locationId"] for a in reserved.payload["allocations"]} == {to_global("Location", second.id)}
    await assert_ledger_reconciles(db, tenant.id)


async def test_when_every_location_ships_everything_the_highest_priority_one_wins(db, tenant):
    low = await location(db, tenant.id, "LOW", priority=90)
    high = await location(db, tenant.id, "HIGH", priority=10)
    await product(db, tenant.id, "MUG", stock={low.id: 10, high.id: 10})

    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 10)))).order

    assert [(a.location_id, a.quantity) for a in await allocations(db, order.id)] == [(high.id, 10)]


async def test_when_no_single_location_can_ship_the_order_is_split_in_priority_order(db, tenant):
    a = await location(db, tenant.id, "A", priority=1)
    b = await location(db, tenant.id, "B", priority=2)
    c = await location(db, tenant.id, "C", priority=3)
    mug = await product(db, tenant.id, "MUG", stock={a.id: 2, b.id: 3, c.id: 10})
    tee = await product(db, tenant.id, "TEE", stock={a.id: 1, b.id: 0, c.id: 0})

    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 6), ("TEE", 1)))).order

    assert sorted(
        (x.product_id, x.location_id, x.quantity) for x in await allocations(db, order.id)
    ) == sorted([(mug, a.id, 2), (mug, b.id, 3), (mug, c.id, 1), (tee, a.id, 1)])
    reserved = await movements(db, tenant.id, order_id=order.id, kind="RESERVED")
    assert sorted((m.product_id, m.location_id, m.committed_delta) for m in reserved) == sorted(
        [(mug, a.id, 2), (mug, b.id, 3), (mug, c.id, 1), (tee, a.id, 1)]
    )
    assert (await level(db, mug, c.id)).committed == 1
    await assert_ledger_reconciles(db, tenant.id)


async def test_inactive_locations_are_never_shipped_from(db, tenant):
    closed = await location(db, tenant.id, "CLOSED", priority=0, active=False)
    open_ = await location(db, tenant.id, "OPEN", priority=5)
    await product(db, tenant.id, "MUG", stock={closed.id: 100, open_.id: 2})

    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 2)))).order
    assert [(x.location_id, x.quantity) for x in await allocations(db, order.id)] == [(open_.id, 2)]

    with pytest.raises(Rejected) as rejected:
        await place_order(uow(db, tenant.id), order_input(("MUG", 1)))
    assert [(e.code, e.field) for e in rejected.value.errors] == [
        (Code.INSUFFICIENT_STOCK, ["lines", "0", "quantity"])
    ]


async def test_a_tenant_without_an_active_location_cannot_take_orders(db, tenant):
    await location(db, tenant.id, "CLOSED", active=False)
    await product(db, tenant.id, "MUG")
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as refused:
        await place_order(uow(db, tenant.id), order_input(("MUG", 1)))

    assert refused.value.code == Code.NO_LOCATION
    assert await snapshot(db, tenant.id) == before


async def test_safety_stock_is_not_sold(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG")
    await set_level(uow(db, tenant.id), SetInput(sku="MUG", location_id=main.id, on_hand=5, safety_stock=2))

    with pytest.raises(Rejected) as rejected:
        await place_order(uow(db, tenant.id), order_input(("MUG", 4)))
    assert "Only 3 of 4" in rejected.value.errors[0].message

    await place_order(uow(db, tenant.id), order_input(("MUG", 3)))
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_backorderable_product_without_stock_is_sold_and_waits_as_a_backorder(db, tenant):
    main = await location(db, tenant.id, "MAIN", priority=1)
    spare = await location(db, tenant.id, "SPARE", priority=2)
    pre = await product(db, tenant.id, "PRE", stock={spare.id: 0}, backorder=BackorderPolicy.ALLOW)
    fresh = await product(db, tenant.id, "FRESH", backorder=BackorderPolicy.ALLOW)  # no level anywhere

    order = (await place_order(uow(db, tenant.id), order_input(("PRE", 3), ("FRESH", 2)))).order

    # A backorder waits at the first location that stocks the product, else at the first location;
    # it promises units without committing any, so availability never goes below zero.
    assert sorted(
        (x.product_id, x.location_id, x.quantity, x.status) for x in await allocations(db, order.id)
    ) == sorted([(pre, spare.id, 3, "BACKORDERED"), (fresh, main.id, 2, "BACKORDERED")])
    pre_level, fresh_level = await level(db, pre, spare.id), await level(db, fresh, main.id)
    assert (pre_level.on_hand, pre_level.committed) == (0, 0)
    assert (fresh_level.on_hand, fresh_level.committed) == (0, 0)
    assert await movements(db, tenant.id, order_id=order.id) == []
    await assert_ledger_reconciles(db, tenant.id)

    await cancel_order(uow(db, tenant.id), order.id, None)
    assert {x.status for x in await allocations(db, order.id)} == {"RELEASED"}
    assert (await level(db, pre, spare.id)).committed == 0
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_backorderable_product_takes_real_stock_first(db, tenant):
    a = await location(db, tenant.id, "A", priority=1)
    b = await location(db, tenant.id, "B", priority=2)
    pre = await product(db, tenant.id, "PRE", stock={a.id: 1, b.id: 2}, backorder=BackorderPolicy.ALLOW)

    order = (await place_order(uow(db, tenant.id), order_input(("PRE", 5)))).order

    assert sorted((x.location_id, x.quantity, x.status) for x in await allocations(db, order.id)) == sorted(
        [(a.id, 1, "RESERVED"), (b.id, 2, "RESERVED"), (a.id, 2, "BACKORDERED")]
    )
    assert (await level(db, pre, a.id)).committed == 1
    assert (await level(db, pre, b.id)).committed == 2
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_deny_product_is_never_sold_below_zero(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", stock={main.id: 2})
    await place_order(uow(db, tenant.id), order_input(("MUG", 2)))
    before = await snapshot(db, tenant.id)

    with pytest.raises(Rejected) as rejected:
        await place_order(uow(db, tenant.id), order_input(("MUG", 1)))

    assert [e.code for e in rejected.value.errors] == [Code.INSUFFICIENT_STOCK]
    assert await snapshot(db, tenant.id) == before
    mug_level = await level(db, mug, main.id)
    assert mug_level.on_hand - mug_level.committed == 0
