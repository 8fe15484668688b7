"""Setting and adjusting stock: compare-and-set, the sign rules of adjustment reasons, and one ledger
movement (and one event) per change."""

from __future__ import annotations

import pytest

from domain.errors import Code, DomainError, Rejected
from domain.inventory.models import AdjustReason
from domain.inventory.service import AdjustInput, SetInput
from domain.workflows.placing import place_order
from domain.workflows.stock_changes import adjust_level, set_level
from tests.integration.builders import (
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


async def _shop(db, tenant, units=10):
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", stock={main.id: units})
    return main, mug


async def test_setting_stock_the_first_time_creates_the_level_with_one_movement(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG")

    updated, found = await set_level(
        uow(db, tenant.id), SetInput(sku=" MUG ", location_id=main.id, on_hand=7, safety_stock=1, incoming=3)
    )

    assert found.id == mug
    assert (updated.on_hand, updated.committed, updated.safety_stock, updated.incoming) == (7, 0, 1, 3)
    stored = await level(db, mug, main.id)
    assert (stored.on_hand, stored.safety_stock, stored.incoming) == (7, 1, 3)
    assert [(m.kind, m.on_hand_delta, m.on_hand_after, m.actor) for m in await movements(db, tenant.id)] == [
        ("SET", 7, 7, "test")
    ]
    (changed,) = await outbox(db, tenant.id, type="INVENTORY_LEVEL_CHANGED")
    assert (changed.aggregate_type, changed.aggregate_id) == ("InventoryLevel", stored.id)
    assert changed.payload["onHand"] == 7 and changed.payload["onHandDelta"] == 7
    await assert_ledger_reconciles(db, tenant.id)


async def test_setting_stock_with_a_matching_compare_value_changes_it(db, tenant):
    main, mug = await _shop(db, tenant, units=10)

    await set_level(
        uow(db, tenant.id), SetInput(sku="MUG", location_id=main.id, on_hand=4, compare_on_hand=10)
    )

    assert (await level(db, mug, main.id)).on_hand == 4
    assert [(m.kind, m.on_hand_delta) for m in await movements(db, tenant.id)] == [("SET", 10), ("SET", -6)]
    await assert_ledger_reconciles(db, tenant.id)


async def test_setting_stock_with_a_stale_compare_value_fails_and_changes_nothing(db, tenant):
    main, mug = await _shop(db, tenant, units=10)
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as refused:
        await set_level(
            uow(db, tenant.id),
            SetInput(sku="MUG", location_id=main.id, on_hand=4, compare_on_hand=9, safety_stock=3),
        )

    assert (refused.value.code, refused.value.field) == (Code.COMPARE_FAILED, ["compareOnHand"])
    assert await snapshot(db, tenant.id) == before
    assert (await level(db, mug, main.id)).safety_stock == 0


async def test_a_compare_failure_on_a_new_level_leaves_no_level_behind(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG")
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as refused:
        await set_level(
            uow(db, tenant.id), SetInput(sku="MUG", location_id=main.id, on_hand=4, compare_on_hand=1)
        )

    assert refused.value.code == Code.COMPARE_FAILED
    assert await snapshot(db, tenant.id) == before
    assert before["stock"] == {}


async def test_setting_unchanged_values_writes_no_movement_but_a_safety_stock_change_writes_one(db, tenant):
    main, _ = await _shop(db, tenant, units=10)

    await set_level(uow(db, tenant.id), SetInput(sku="MUG", location_id=main.id, on_hand=10))
    await set_level(uow(db, tenant.id), SetInput(sku="MUG", location_id=main.id, on_hand=10, safety_stock=2))

    assert [(m.kind, m.on_hand_delta) for m in await movements(db, tenant.id)] == [("SET", 10), ("SET", 0)]
    assert len(await outbox(db, tenant.id, type="INVENTORY_LEVEL_CHANGED")) == 2
    await assert_ledger_reconciles(db, tenant.id)


async def test_stock_set_below_what_orders_hold_stops_further_sales(db, tenant):
    main, mug = await _shop(db, tenant, units=10)
    await place_order(uow(db, tenant.id), order_input(("MUG", 6)))

    await set_level(uow(db, tenant.id), SetInput(sku="MUG", location_id=main.id, on_hand=3))

    # onHand may drop below committed (a shrinkage found in a count); nothing more can be sold then.
    stored = await level(db, mug, main.id)
    assert (stored.on_hand, stored.committed) == (3, 6)
    with pytest.raises(Rejected):
        await place_order(uow(db, tenant.id), order_input(("MUG", 1)))
    await assert_ledger_reconciles(db, tenant.id)


async def test_invalid_set_values_are_all_reported(db, tenant):
    main, _ = await _shop(db, tenant)

    with pytest.raises(Rejected) as rejected:
        await set_level(
            uow(db, tenant.id), SetInput(sku="MUG", location_id=main.id, on_hand=-1, safety_stock=-2)
        )

    assert sorted((e.code, e.field[0]) for e in rejected.value.errors) == [
        (Code.INVALID_QUANTITY, "onHand"),
        (Code.INVALID_QUANTITY, "safetyStock"),
    ]


async def test_unknown_sku_and_location_are_both_reported(db, tenant, other_tenant):
    elsewhere = await location(db, other_tenant.id, "MAIN")

    with pytest.raises(Rejected) as rejected:
        await set_level(uow(db, tenant.id), SetInput(sku="NOPE", location_id=elsewhere.id, on_hand=1))

    assert sorted((e.code, e.field[0]) for e in rejected.value.errors) == [
        (Code.NOT_FOUND, "locationId"),
        (Code.UNKNOWN_SKU, "sku"),
    ]


async def test_each_adjustment_writes_exactly_one_movement_with_its_reason(db, tenant):
    main, mug = await _shop(db, tenant, units=10)

    await adjust_level(
        uow(db, tenant.id), AdjustInput("MUG", main.id, 5, AdjustReason.RECEIVED, note=" PO-1 ")
    )
    await adjust_level(uow(db, tenant.id), AdjustInput("MUG", main.id, -2, AdjustReason.DAMAGED))
    await adjust_level(uow(db, tenant.id), AdjustInput("MUG", main.id, -1, AdjustReason.CORRECTION))
    await adjust_level(uow(db, tenant.id), AdjustInput("MUG", main.id, 3, AdjustReason.CYCLE_COUNT))

    assert (await level(db, mug, main.id)).on_hand == 15
    assert [(m.kind, m.on_hand_delta, m.on_hand_after, m.note) for m in await movements(db, tenant.id)] == [
        ("SET", 10, 10, None),
        ("RECEIVED", 5, 15, "PO-1"),
        ("DAMAGED", -2, 13, None),
        ("CORRECTION", -1, 12, None),
        ("CYCLE_COUNT", 3, 15, None),
    ]
    events = await outbox(db, tenant.id, type="INVENTORY_LEVEL_CHANGED")
    assert [e.payload["kind"] for e in events] == ["SET", "RECEIVED", "DAMAGED", "CORRECTION", "CYCLE_COUNT"]
    await assert_ledger_reconciles(db, tenant.id)


@pytest.mark.parametrize(
    ("reason", "delta"),
    [
        (AdjustReason.DAMAGED, 2),
        (AdjustReason.LOST, 1),
        (AdjustReason.THEFT, 1),
        (AdjustReason.RECEIVED, -1),
        (AdjustReason.RETURNED, -3),
        (AdjustReason.FOUND, -1),
        (AdjustReason.CORRECTION, 0),
    ],
)
async def test_an_adjustment_against_its_reasons_direction_is_refused(db, tenant, reason, delta):
    main, _ = await _shop(db, tenant, units=10)
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as refused:
        await adjust_level(uow(db, tenant.id), AdjustInput("MUG", main.id, delta, reason))

    assert (refused.value.code, refused.value.field) == (Code.INVALID_QUANTITY, ["delta"])
    assert await snapshot(db, tenant.id) == before


async def test_removing_more_than_is_on_hand_is_refused(db, tenant):
    main, mug = await _shop(db, tenant, units=3)
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as refused:
        await adjust_level(uow(db, tenant.id), AdjustInput("MUG", main.id, -4, AdjustReason.LOST))

    assert (refused.value.code, refused.value.field) == (Code.NEGATIVE_STOCK, ["delta"])
    assert await snapshot(db, tenant.id) == before
    await adjust_level(uow(db, tenant.id), AdjustInput("MUG", main.id, -3, AdjustReason.LOST))
    assert (await level(db, mug, main.id)).on_hand == 0
    await assert_ledger_reconciles(db, tenant.id)


async def test_stock_received_after_a_sell_out_can_be_sold(db, tenant):
    main, mug = await _shop(db, tenant, units=1)
    await place_order(uow(db, tenant.id), order_input(("MUG", 1)))
    with pytest.raises(Rejected):
        await place_order(uow(db, tenant.id), order_input(("MUG", 1)))

    await adjust_level(uow(db, tenant.id), AdjustInput("MUG", main.id, 4, AdjustReason.RECEIVED))
    await place_order(uow(db, tenant.id), order_input(("MUG", 4)))

    stored = await level(db, mug, main.id)
    assert (stored.on_hand, stored.committed) == (5, 5)
    await assert_ledger_reconciles(db, tenant.id)
