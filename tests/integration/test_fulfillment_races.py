"""Receipts filling backorders while the same orders are confirmed, cancelled or filled by another
receipt: nothing deadlocks, nothing is left behind. A third transaction holds a row or a table for a
moment so the two sides really overlap."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from domain.catalog.models import BackorderPolicy
from domain.db import system_scope
from domain.inventory.models import AdjustReason
from domain.inventory.service import AdjustInput
from domain.workflows.cancelling import cancel_order
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from domain.workflows.stock_changes import adjust_level
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    location,
    order_input,
    product,
    uow,
)
from tests.integration.fulfillment_builders import fulfillment_orders, holds

PAUSE = 0.3


async def _holding(db, sql: str, **params):
    conn = await db.connect()
    trans = await conn.begin()
    await system_scope(conn, "a test holds a lock")
    await conn.execute(text(sql), params)
    return conn, trans


async def _release(conn, trans) -> None:
    await trans.rollback()
    await conn.close()


@pytest.mark.parametrize("change", ["confirm", "cancel"])
async def test_a_partial_receipt_and_a_change_of_the_same_order_never_deadlock(db, tenant, change):
    a = await location(db, tenant.id, "A")
    await product(db, tenant.id, "X", stock={a.id: 0}, backorder=BackorderPolicy.ALLOW)
    order = (await place_order(uow(db, tenant.id), order_input(("X", 5)))).order
    conn, trans = await _holding(db, "SELECT 1 FROM orders WHERE id = :id FOR UPDATE", id=order.id)
    changing = asyncio.create_task(
        confirm_order(uow(db, tenant.id), order.id)
        if change == "confirm"
        else cancel_order(uow(db, tenant.id), order.id, "race")
    )
    await asyncio.sleep(PAUSE)
    receipt = asyncio.create_task(
        adjust_level(uow(db, tenant.id), AdjustInput("X", a.id, 2, AdjustReason.RECEIVED))
    )
    await asyncio.sleep(PAUSE)
    await _release(conn, trans)

    results = await asyncio.gather(changing, receipt, return_exceptions=True)

    assert [r for r in results if isinstance(r, BaseException)] == []
    await assert_ledger_reconciles(db, tenant.id)
    if change == "confirm":  # every unit, the split-off reserved ones too, is in a fulfillment order
        assert all(x.fulfillment_order_id is not None for x in await allocations(db, order.id))


async def test_two_receipts_filling_one_fulfillment_order_at_once_open_it(db, tenant):
    a = await location(db, tenant.id, "A")
    for sku in ("X", "Y"):
        await product(db, tenant.id, sku, stock={a.id: 0}, backorder=BackorderPolicy.ALLOW)
    order = (await place_order(uow(db, tenant.id), order_input(("X", 2), ("Y", 2)))).order
    await confirm_order(uow(db, tenant.id), order.id)
    conn, trans = await _holding(db, "LOCK TABLE outbox_events IN SHARE MODE")  # both wait at commit
    receipts = [
        asyncio.create_task(
            adjust_level(uow(db, tenant.id), AdjustInput(sku, a.id, 5, AdjustReason.RECEIVED))
        )
        for sku in ("X", "Y")
    ]
    await asyncio.sleep(PAUSE * 3)
    await _release(conn, trans)
    await asyncio.gather(*receipts)

    assert {x.status for x in await allocations(db, order.id)} == {"RESERVED"}
    (fo,) = await fulfillment_orders(db, order.id)
    assert fo.status == "OPEN"
    assert all(h.released_at is not None for h in await holds(db, fo.id))


async def test_stock_freed_by_a_cancel_goes_to_the_waiting_backorder_first(db, tenant):
    a = await location(db, tenant.id, "A")
    await product(db, tenant.id, "X", stock={a.id: 2}, backorder=BackorderPolicy.ALLOW)
    first = (await place_order(uow(db, tenant.id), order_input(("X", 2)))).order
    waiting = (await place_order(uow(db, tenant.id), order_input(("X", 2)))).order

    await cancel_order(uow(db, tenant.id), first.id, "changed mind")

    assert [(x.status, x.quantity) for x in await allocations(db, waiting.id)] == [("RESERVED", 2)]
    await assert_ledger_reconciles(db, tenant.id)
