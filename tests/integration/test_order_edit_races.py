"""Order edits racing each other and a shipment: a third transaction holds the order row for a moment so
both sides really queue on it; whoever goes second sees the first's work, and the order, its lines, its
allocations and the stock ledger stay consistent either way."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from domain.db import system_scope
from domain.errors import Code, DomainError, Rejected
from domain.fulfillment.picking import LinePick
from domain.shipping.service import ShipmentInput, create_shipment
from domain.workflows import order_edit
from domain.workflows.confirming import confirm_order
from domain.workflows.order_edit_commit import commit
from domain.workflows.placing import place_order
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    level,
    location,
    order_input,
    product,
    uow,
)
from tests.integration.fulfillment_builders import fulfillment_orders
from tests.integration.return_builders import lines_of

PAUSE = 0.3


async def _holding_order(db, order_id):
    conn = await db.connect()
    trans = await conn.begin()
    await system_scope(conn, "a test holds the order")
    await conn.execute(text("SELECT 1 FROM orders WHERE id = :id FOR UPDATE"), {"id": order_id})
    return conn, trans


async def _outcome(action):
    try:
        await action
    except (DomainError, Rejected) as exc:
        errors = exc.errors if isinstance(exc, Rejected) else [exc]
        return errors[0].code
    return "OK"


async def _consistent(db, tenant_id, order_id):
    """Every line holds exactly its quantity in live allocations, and never less than it shipped."""
    live = [a for a in await allocations(db, order_id) if a.status != "RELEASED"]
    for line in await lines_of(db, order_id):
        mine = [a for a in live if a.line_id == line.id]
        assert sum(a.quantity for a in mine) == line.quantity, line.sku
        assert sum(a.shipped for a in mine) <= line.quantity, line.sku
    await assert_ledger_reconciles(db, tenant_id)


async def test_two_edits_committed_at_once_one_wins_and_the_other_is_stale(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", stock={main.id: 10})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 2)))).order
    order = await confirm_order(uow(db, tenant.id), order.id)
    (line,) = await lines_of(db, order.id)
    first = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    second = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.set_quantity(uow(db, tenant.id), first.id, line.id, 5)
    await order_edit.set_quantity(uow(db, tenant.id), second.id, line.id, 1)

    conn, trans = await _holding_order(db, order.id)
    racing = [
        asyncio.create_task(_outcome(commit(uow(db, tenant.id), edit.id, False, None, None)))
        for edit in (first, second)
    ]
    await asyncio.sleep(PAUSE)
    await trans.rollback()
    await conn.close()
    outcomes = await asyncio.gather(*racing)

    assert sorted(map(str, outcomes)) == sorted(["OK", str(Code.STALE_VERSION)])
    (after,) = await lines_of(db, order.id)
    assert after.quantity in (5, 1)
    assert (await level(db, mug, main.id)).committed == after.quantity
    await _consistent(db, tenant.id, order.id)


@pytest.mark.parametrize("first", ["edit", "shipment"])
async def test_an_edit_racing_a_shipment_leaves_the_order_consistent_whichever_goes_first(db, tenant, first):
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", stock={main.id: 10})
    order = (await place_order(uow(db, tenant.id), order_input(("MUG", 3)))).order
    order = await confirm_order(uow(db, tenant.id), order.id)
    (line,) = await lines_of(db, order.id)
    (fo,) = await fulfillment_orders(db, order.id)
    (a,) = await allocations(db, order.id)
    edit = (await order_edit.begin(uow(db, tenant.id), order.id)).edit
    await order_edit.set_quantity(uow(db, tenant.id), edit.id, line.id, 1)

    def edit_now():
        return asyncio.create_task(_outcome(commit(uow(db, tenant.id), edit.id, False, None, None)))

    def ship_now():
        picks = [LinePick(a.id, 2)]
        return asyncio.create_task(
            _outcome(create_shipment(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "1Z-9", picks)))
        )

    conn, trans = await _holding_order(db, order.id)
    if first == "edit":  # the first to queue on the order's lock usually goes first
        editing = edit_now()
        await asyncio.sleep(PAUSE / 3)
        shipping = ship_now()
    else:
        shipping = ship_now()
        await asyncio.sleep(PAUSE / 3)
        editing = edit_now()
    await asyncio.sleep(PAUSE)
    await trans.rollback()
    await conn.close()
    edited, shipped = await asyncio.gather(editing, shipping)

    assert "OK" in (edited, shipped)  # one of them always goes through
    assert not (edited == "OK" and shipped == "OK")  # never both: two units cannot ship of one left
    (after,) = await lines_of(db, order.id)
    held = sum(x.quantity - x.shipped for x in await allocations(db, order.id) if x.status == "RESERVED")
    assert (await level(db, mug, main.id)).committed == held
    if edited == "OK":
        assert after.quantity == 1
    else:
        assert after.quantity == 3 and edited in (Code.STALE_VERSION, Code.BELOW_SHIPPED)
    await _consistent(db, tenant.id, order.id)
