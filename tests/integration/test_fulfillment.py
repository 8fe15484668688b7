"""Fulfillment orders from confirmation to shipment: split by location, held, moved, shipped."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from domain.errors import Code, DomainError, Rejected
from domain.fulfillment import service as fulfillment
from domain.fulfillment.picking import LinePick
from domain.fulfillment.status import HoldReason
from domain.inventory.models import AdjustReason
from domain.inventory.service import AdjustInput
from domain.shipping.service import ShipmentInput, create_shipment
from domain.workflows.cancelling import cancel_order
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from domain.workflows.stock_changes import adjust_level
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    level,
    location,
    movements,
    order_input,
    product,
    rows,
    snapshot,
    uow,
)
from tests.integration.fulfillment_builders import fulfillment_orders, holds


async def _split_order(db, tenant):
    """MUG only at A, TEE only at B: one order needs both."""
    a = await location(db, tenant.id, "A", priority=1)
    b = await location(db, tenant.id, "B", priority=2)
    mug = await product(db, tenant.id, "MUG", stock={a.id: 5})
    tee = await product(db, tenant.id, "TEE", stock={b.id: 5})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 3), ("TEE", 2)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    return a, b, mug, tee, order


async def test_confirming_an_order_opens_one_fulfillment_order_per_location(db, tenant):
    a, b, mug, tee, order = await _split_order(db, tenant)

    fos = await fulfillment_orders(db, order.id)

    assert sorted((fo.location_id, fo.status) for fo in fos) == sorted([(a.id, "OPEN"), (b.id, "OPEN")])
    assert {(x.product_id, x.fulfillment_order_id) for x in await allocations(db, order.id)} == {
        (mug, next(fo.id for fo in fos if fo.location_id == a.id)),
        (tee, next(fo.id for fo in fos if fo.location_id == b.id)),
    }


async def test_a_partial_shipment_leaves_the_rest_open_and_moves_stock_out(db, tenant):
    a, _, mug, _, order = await _split_order(db, tenant)
    fo = next(fo for fo in await fulfillment_orders(db, order.id) if fo.location_id == a.id)
    (mug_allocation,) = [x for x in await allocations(db, order.id) if x.product_id == mug]

    shipment = await create_shipment(
        uow(db, tenant.id),
        ShipmentInput(fo.id, "generic", "TRK-1", lines=[LinePick(mug_allocation.id, 2)]),
    )

    assert shipment.status == "LABEL_CREATED"
    mug_level = await level(db, mug, a.id)
    assert (mug_level.on_hand, mug_level.committed) == (3, 1)
    assert [
        (m.kind, m.on_hand_delta, m.committed_delta) for m in await movements(db, tenant.id, kind="SHIPPED")
    ] == [("SHIPPED", -2, -2)]
    (after,) = [f for f in await fulfillment_orders(db, order.id) if f.id == fo.id]
    assert after.status == "IN_PROGRESS"
    (placed,) = await rows(db, order.__table__.select().where(order.__table__.c.id == order.id))
    assert (placed.status, placed.fulfillment_status) == ("PARTIALLY_SHIPPED", "PARTIALLY_FULFILLED")
    await assert_ledger_reconciles(db, tenant.id)


async def test_shipping_more_than_is_left_is_refused_and_changes_nothing(db, tenant):
    a, _, mug, _, order = await _split_order(db, tenant)
    fo = next(fo for fo in await fulfillment_orders(db, order.id) if fo.location_id == a.id)
    (mug_allocation,) = [x for x in await allocations(db, order.id) if x.product_id == mug]
    before = await snapshot(db, tenant.id)

    with pytest.raises(Rejected) as refused:
        await create_shipment(
            uow(db, tenant.id),
            ShipmentInput(fo.id, "generic", "TRK-1", lines=[LinePick(mug_allocation.id, 4)]),
        )

    assert [e.code for e in refused.value.errors] == [Code.EXCEEDS_UNSHIPPED]
    assert await snapshot(db, tenant.id) == before


async def test_two_pickers_shipping_the_same_fulfillment_order_cannot_ship_more_than_reserved(db, tenant):
    a, _, mug, _, order = await _split_order(db, tenant)
    fo = next(fo for fo in await fulfillment_orders(db, order.id) if fo.location_id == a.id)
    (mug_allocation,) = [x for x in await allocations(db, order.id) if x.product_id == mug]

    async def ship(number: str):
        try:
            return await create_shipment(
                uow(db, tenant.id),
                ShipmentInput(fo.id, "generic", number, lines=[LinePick(mug_allocation.id, 2)]),
            )
        except (Rejected, DomainError) as exc:
            return exc

    results = await asyncio.gather(*(ship(f"RACE-{i}") for i in range(4)))

    shipped = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(shipped) == 1 and len(refused) == 3
    assert all(isinstance(r, Rejected) and r.errors[0].code == Code.EXCEEDS_UNSHIPPED for r in refused)
    mug_level = await level(db, mug, a.id)
    assert (mug_level.on_hand, mug_level.committed) == (3, 1)
    await assert_ledger_reconciles(db, tenant.id)


async def test_shipping_everything_closes_the_fulfillment_orders_and_ships_the_order(db, tenant):
    _, _, _, _, order = await _split_order(db, tenant)

    for i, fo in enumerate(await fulfillment_orders(db, order.id)):
        await create_shipment(uow(db, tenant.id), ShipmentInput(fo.id, "generic", f"ALL-{i}"))

    assert {fo.status for fo in await fulfillment_orders(db, order.id)} == {"CLOSED"}
    (placed,) = await rows(db, order.__table__.select().where(order.__table__.c.id == order.id))
    assert (placed.status, placed.fulfillment_status) == ("SHIPPED", "FULFILLED")
    with pytest.raises(DomainError) as refused:
        await cancel_order(uow(db, tenant.id), order.id, "too late")
    assert refused.value.code == Code.ORDER_NOT_CANCELLABLE
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_pending_order_cannot_ship(db, tenant):
    a = await location(db, tenant.id, "A")
    await product(db, tenant.id, "MUG", stock={a.id: 5})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order

    assert await fulfillment_orders(db, order.id) == []


async def test_releasing_one_hold_leaves_the_others_in_force(db, tenant):
    a, _, _, _, order = await _split_order(db, tenant)
    fo = next(fo for fo in await fulfillment_orders(db, order.id) if fo.location_id == a.id)
    await fulfillment.start_picking(uow(db, tenant.id), fo.id)

    await fulfillment.hold(uow(db, tenant.id), fo.id, HoldReason.HIGH_RISK_OF_FRAUD, "score 91")
    await fulfillment.hold(uow(db, tenant.id), fo.id, HoldReason.INCORRECT_ADDRESS, None)
    after_one = await fulfillment.release_hold(uow(db, tenant.id), fo.id, HoldReason.HIGH_RISK_OF_FRAUD)

    assert after_one.status == "ON_HOLD"
    with pytest.raises(DomainError) as refused:
        await create_shipment(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "HELD-1"))
    assert refused.value.code == Code.FULFILLMENT_ON_HOLD

    resumed = await fulfillment.release_hold(uow(db, tenant.id), fo.id, HoldReason.INCORRECT_ADDRESS)
    assert resumed.status == "IN_PROGRESS"  # back where it was before the first hold
    assert [(h.reason, h.released_at is not None) for h in await holds(db, fo.id)] == [
        ("HIGH_RISK_OF_FRAUD", True),
        ("INCORRECT_ADDRESS", True),
    ]
    with pytest.raises(DomainError) as missing:
        await fulfillment.release_hold(uow(db, tenant.id), fo.id, HoldReason.OTHER)
    assert missing.value.code == Code.HOLD_NOT_FOUND


async def test_moving_a_fulfillment_order_re_reserves_its_stock_at_the_new_location(db, tenant):
    a = await location(db, tenant.id, "A", priority=1)
    b = await location(db, tenant.id, "B", priority=2)
    mug = await product(db, tenant.id, "MUG", stock={a.id: 5, b.id: 4})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 3)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)

    moved = await fulfillment.move(uow(db, tenant.id), fo.id, b.id, None)

    assert (moved.id, moved.location_id, moved.status) == (fo.id, b.id, "OPEN")
    assert (await level(db, mug, a.id)).committed == 0
    assert (await level(db, mug, b.id)).committed == 3
    assert {x.location_id for x in await allocations(db, order.id)} == {b.id}
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_move_to_a_location_without_enough_stock_is_refused_and_changes_nothing(db, tenant):
    a = await location(db, tenant.id, "A", priority=1)
    b = await location(db, tenant.id, "B", priority=2)
    await product(db, tenant.id, "MUG", stock={a.id: 5, b.id: 2})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 3)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)
    before = await snapshot(db, tenant.id)

    with pytest.raises(Rejected) as refused:
        await fulfillment.move(uow(db, tenant.id), fo.id, b.id, None)

    assert [e.code for e in refused.value.errors] == [Code.INSUFFICIENT_STOCK]
    assert await snapshot(db, tenant.id) == before
    assert [f.location_id for f in await fulfillment_orders(db, order.id)] == [a.id]


async def test_moving_part_of_a_fulfillment_order_splits_it(db, tenant):
    a = await location(db, tenant.id, "A", priority=1)
    b = await location(db, tenant.id, "B", priority=2)
    mug = await product(db, tenant.id, "MUG", stock={a.id: 5, b.id: 5})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 4)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)
    (allocation,) = await allocations(db, order.id)
    await fulfillment.hold(uow(db, tenant.id), fo.id, HoldReason.AWAITING_PAYMENT, None)

    split = await fulfillment.move(uow(db, tenant.id), fo.id, b.id, [LinePick(allocation.id, 1)])

    assert split.id != fo.id and split.location_id == b.id
    assert split.status == "ON_HOLD"  # the payment hold travels with the units
    assert sorted((x.location_id, x.quantity) for x in await allocations(db, order.id)) == sorted(
        [(a.id, 3), (b.id, 1)]
    )
    assert ((await level(db, mug, a.id)).committed, (await level(db, mug, b.id)).committed) == (3, 1)
    await assert_ledger_reconciles(db, tenant.id)


async def test_cancelling_a_confirmed_order_cancels_its_fulfillment_orders(db, tenant):
    _, _, _, _, order = await _split_order(db, tenant)

    await cancel_order(uow(db, tenant.id), order.id, "changed mind")

    assert {fo.status for fo in await fulfillment_orders(db, order.id)} == {"CANCELLED"}
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_move_to_an_unknown_or_foreign_location_is_not_found(db, tenant, other_tenant):
    a = await location(db, tenant.id, "A")
    theirs = await location(db, other_tenant.id, "X")
    await product(db, tenant.id, "MUG", stock={a.id: 5})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)

    for where in (uuid.uuid4(), theirs.id):
        with pytest.raises(DomainError) as refused:
            await fulfillment.move(uow(db, tenant.id), fo.id, where, None)
        assert (refused.value.code, refused.value.field) == (Code.NOT_FOUND, ["locationId"])


async def test_shipping_units_lost_after_they_were_reserved_is_refused(db, tenant):
    a = await location(db, tenant.id, "A")
    await product(db, tenant.id, "MUG", stock={a.id: 5})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 5)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    await adjust_level(uow(db, tenant.id), AdjustInput("MUG", a.id, -3, AdjustReason.DAMAGED))
    (fo,) = await fulfillment_orders(db, order.id)
    before = await snapshot(db, tenant.id)

    with pytest.raises(Rejected) as refused:
        await create_shipment(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "LOST-1"))

    assert [(e.code, e.field) for e in refused.value.errors] == [
        (Code.INSUFFICIENT_STOCK, ["lines", "0", "quantity"])
    ]
    assert await snapshot(db, tenant.id) == before


async def test_moving_what_is_left_of_a_held_partly_shipped_fulfillment_order_closes_it(db, tenant):
    a = await location(db, tenant.id, "A", priority=1)
    b = await location(db, tenant.id, "B", priority=2)
    await product(db, tenant.id, "MUG", stock={a.id: 5, b.id: 5})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 4)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)
    (allocation,) = await allocations(db, order.id)
    await create_shipment(
        uow(db, tenant.id), ShipmentInput(fo.id, "generic", "PART-1", lines=[LinePick(allocation.id, 1)])
    )
    await fulfillment.hold(uow(db, tenant.id), fo.id, HoldReason.HIGH_RISK_OF_FRAUD, None)

    moved = await fulfillment.move(uow(db, tenant.id), fo.id, b.id, None)

    assert (moved.location_id, moved.status) == (b.id, "ON_HOLD")  # the hold went with the units
    original = next(f for f in await fulfillment_orders(db, order.id) if f.id == fo.id)
    assert original.status == "CLOSED"
    assert all(h.released_at is not None for h in await holds(db, fo.id))
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_tracking_number_already_on_a_shipment_is_refused_and_changes_nothing(db, tenant):
    _, _, _, _, order = await _split_order(db, tenant)
    first, second = await fulfillment_orders(db, order.id)
    await create_shipment(uow(db, tenant.id), ShipmentInput(first.id, "generic", "SAME-1"))
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as refused:
        await create_shipment(uow(db, tenant.id), ShipmentInput(second.id, "generic", "SAME-1"))

    assert (refused.value.code, refused.value.field) == (Code.DUPLICATE, ["trackingNumber"])
    assert await snapshot(db, tenant.id) == before
