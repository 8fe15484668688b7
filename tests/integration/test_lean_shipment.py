"""Shipping in a few statements (domain/shipping/rows.py): how many statements a three-line shipment
takes, that what it writes and returns is what a later read finds, and that the order and its
fulfillment order change as the ORM's flush changed them (status, version, times, events)."""

from __future__ import annotations

import asyncio

from domain.fulfillment.picking import LinePick
from domain.reading import Row
from domain.shipping.queries import shipment_lines
from domain.shipping.service import ShipmentInput, ship
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    location,
    movements,
    order_input,
    orders,
    outbox,
    outbox_types,
    product,
    rows,
    stock,
    uow,
)
from tests.integration.fulfillment_builders import fulfillment_orders
from tests.integration.statement_counting import counted_engine

# BEGIN, tenant, the order locked, its levels and then the fulfillment order locked, its allocations
# locked (with their SKUs and the order's units), the shipment's one statement (with the fulfillment
# order's and the order's changes), events, COMMIT
MAX_STATEMENTS = 8


async def _confirmed(db, tenant_id, *lines):
    order = (await place_order(uow(db, tenant_id), order_input(*lines))).order
    await confirm_order(uow(db, tenant_id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)
    return order, fo


async def test_a_three_line_shipment_takes_at_most_eight_statements(db, tenant, database_url):
    here = await location(db, tenant.id, "HERE")
    for sku in ("MUG", "TEE", "CAP"):
        await product(db, tenant.id, sku, stock={here.id: 100})
    _, warm = await _confirmed(db, tenant.id, ("MUG", 1), ("TEE", 2), ("CAP", 3))
    order, fo = await _confirmed(db, tenant.id, ("MUG", 1), ("TEE", 2), ("CAP", 3))

    async with counted_engine(database_url) as (engine, statements):
        await ship(uow(engine, tenant.id), ShipmentInput(warm.id, "generic", "WARM-1"))  # fills caches
        await asyncio.sleep(0.05)
        statements.seen.clear()
        shipped = await ship(uow(engine, tenant.id), ShipmentInput(fo.id, "generic", "TRK-1"))
        await asyncio.sleep(0.05)  # asyncpg hands records to its loggers on a later loop turn

    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements.seen)
    assert {o.id: o.status for o in await orders(db, tenant.id)}[order.id] == "SHIPPED"
    assert [f.status for f in await fulfillment_orders(db, order.id)] == ["CLOSED"]
    assert set((await stock(db, tenant.id)).values()) == {(98, 0), (96, 0), (94, 0)}  # two orders shipped
    assert sorted(m.on_hand_delta for m in await movements(db, tenant.id, kind="SHIPPED")) == [
        -3,
        -3,
        -2,
        -2,
        -1,
        -1,
    ]
    assert await outbox_types(db, tenant.id, type="SHIPMENT_CREATED") == {"SHIPMENT_CREATED": 2}
    await assert_ledger_reconciles(db, tenant.id)
    # the lines handed to the payload's loader are the loader's own rows
    read = await rows(
        db,
        shipment_lines.select()
        .where(shipment_lines.c.shipment_id == shipped.shipment.id)
        .order_by(shipment_lines.c.sku),
    )
    assert all(isinstance(r, Row) for r in shipped.lines)
    assert [tuple(r) for r in shipped.lines] == [tuple(r) for r in read]
    assert [(r.sku, r.quantity) for r in shipped.lines] == [("CAP", 3), ("MUG", 1), ("TEE", 2)]


async def test_two_lines_of_one_sku_leave_one_level_in_turn(db, tenant):
    here = await location(db, tenant.id, "HERE")
    mug = await product(db, tenant.id, "MUG", stock={here.id: 10})
    _, fo = await _confirmed(db, tenant.id, ("MUG", 1), ("MUG", 2))

    await ship(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "TRK-2"))

    assert (await stock(db, tenant.id))[mug, here.id] == (7, 0)
    shipped = sorted(
        (m.on_hand_after, m.committed_after) for m in await movements(db, tenant.id, kind="SHIPPED")
    )
    assert shipped in ([(7, 0), (8, 1)], [(7, 0), (9, 2)])  # each after the one before it
    changed = await outbox_types(db, tenant.id, type="INVENTORY_LEVEL_CHANGED")
    assert changed == {"INVENTORY_LEVEL_CHANGED": 1 + 2 + 2}  # stocked, reserved and shipped per line
    await assert_ledger_reconciles(db, tenant.id)


async def test_a_partial_then_a_final_shipment_move_the_order_and_its_fulfillment_order(db, tenant):
    here = await location(db, tenant.id, "HERE")
    for sku in ("MUG", "TEE"):
        await product(db, tenant.id, sku, stock={here.id: 10})
    order, fo = await _confirmed(db, tenant.id, ("MUG", 1), ("TEE", 2))
    by_line = {a.quantity: a.id for a in await allocations(db, order.id)}
    (confirmed,) = await orders(db, tenant.id)

    await ship(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "TRK-A", [LinePick(by_line[2], 1)]))
    (partly,) = await orders(db, tenant.id)
    (open_fo,) = await fulfillment_orders(db, order.id)
    await ship(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "TRK-B"))
    (shipped,) = await orders(db, tenant.id)
    (closed_fo,) = await fulfillment_orders(db, order.id)

    assert (partly.status, partly.fulfillment_status, partly.shipped_at) == (
        "PARTIALLY_SHIPPED",
        "PARTIALLY_FULFILLED",
        None,
    )
    assert (shipped.status, shipped.fulfillment_status) == ("SHIPPED", "FULFILLED")
    assert shipped.shipped_at is not None
    assert [confirmed.version + 1, confirmed.version + 2] == [partly.version, shipped.version]
    assert confirmed.updated_at < partly.updated_at < shipped.updated_at
    assert (open_fo.status, closed_fo.status) == ("IN_PROGRESS", "CLOSED")
    assert open_fo.updated_at < closed_fo.updated_at
    changes = [
        (e.type, e.payload.get("newStatus"))
        for e in await outbox(db, tenant.id, aggregate_id=order.id)
        if e.type == "ORDER_STATUS_CHANGED"
    ]
    assert changes[-2:] == [
        ("ORDER_STATUS_CHANGED", "PARTIALLY_SHIPPED"),
        ("ORDER_STATUS_CHANGED", "SHIPPED"),
    ]
    fo_changes = [
        e.payload["newStatus"]
        for e in await outbox(db, tenant.id, aggregate_id=fo.id, type="FULFILLMENT_ORDER_STATUS_CHANGED")
    ]
    assert fo_changes[-2:] == ["IN_PROGRESS", "CLOSED"]
    await assert_ledger_reconciles(db, tenant.id)
