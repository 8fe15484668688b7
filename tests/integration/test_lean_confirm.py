"""Confirming an order in a few statements written once (domain/orders/confirming.py): how many statements
one takes, and what it writes: the order, one fulfillment order per location, backordered units apart and
on hold, every held allocation pointing at its fulfillment order, the same events in the same order."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from domain.catalog.models import BackorderPolicy
from domain.fulfillment.models import FulfillmentHold, FulfillmentOrder
from domain.orders.status import OrderStatus
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from tests.integration.builders import (
    allocations,
    location,
    order_input,
    outbox,
    product,
    rows,
    timeline,
    uow,
)
from tests.integration.statement_counting import counted_engine

# BEGIN, tenant, the order locked with its products, their levels locked, the allocations locked,
# the write, events, COMMIT
MAX_STATEMENTS = 8
FOS, HOLDS = FulfillmentOrder.__table__, FulfillmentHold.__table__


async def test_confirming_an_order_takes_at_most_eight_statements(db, tenant, database_url):
    east = await location(db, tenant.id, "EAST", priority=1)
    west = await location(db, tenant.id, "WEST", priority=2)
    await product(db, tenant.id, "MUG", stock={east.id: 100})
    await product(db, tenant.id, "TEE", stock={west.id: 100})
    await product(db, tenant.id, "PRE", stock={east.id: 0}, backorder=BackorderPolicy.ALLOW)
    three_lines = order_input(("MUG", 1), ("TEE", 2), ("PRE", 3))
    first = (await place_order(uow(db, tenant.id), three_lines)).order
    order = (await place_order(uow(db, tenant.id), three_lines)).order

    async with counted_engine(database_url) as (engine, statements):
        await confirm_order(uow(engine, tenant.id), first.id)  # fills the connection's caches
        await asyncio.sleep(0.05)
        statements.seen.clear()
        confirmed = await confirm_order(uow(engine, tenant.id), order.id, expected_version=1)
        await asyncio.sleep(0.05)  # asyncpg hands records to its loggers on a later loop turn

    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements.seen)
    assert (confirmed.status, confirmed.version) == (OrderStatus.CONFIRMED, 2)
    assert confirmed.confirmed_at is not None
    fos = {
        (fo.location_id, fo.status): fo
        for fo in await rows(db, select(FOS).where(FOS.c.order_id == order.id))
    }
    assert sorted((loc, str(status)) for loc, status in fos) == sorted(
        [(east.id, "OPEN"), (east.id, "ON_HOLD"), (west.id, "OPEN")]
    )
    waiting = fos[east.id, "ON_HOLD"]
    assert (waiting.resume_status, waiting.priority) == ("OPEN", confirmed.effective_priority)
    holds = await rows(db, select(HOLDS).where(HOLDS.c.fulfillment_order_id == waiting.id))
    assert [(h.reason, h.note, h.actor) for h in holds] == [
        ("INVENTORY_OUT_OF_STOCK", "Waiting for stock to arrive", "test")
    ]
    by_fo = {(a.location_id, str(a.status)): a.fulfillment_order_id for a in await allocations(db, order.id)}
    assert by_fo == {
        (east.id, "RESERVED"): fos[east.id, "OPEN"].id,
        (west.id, "RESERVED"): fos[west.id, "OPEN"].id,
        (east.id, "BACKORDERED"): waiting.id,
    }
    events = Counter(
        e.type for e in await outbox(db, tenant.id) if e.aggregate_id in {f.id for f in fos.values()}
    )
    assert events == {
        "FULFILLMENT_ORDER_CREATED": 3,
        "FULFILLMENT_ORDER_STATUS_CHANGED": 1,
        "FULFILLMENT_ORDER_HOLD_PLACED": 1,
    }
    west_first = str(west.id) < str(east.id)
    opened_east = [
        "FULFILLMENT_ORDER_CREATED",
        "FULFILLMENT_ORDER_CREATED",
        "FULFILLMENT_ORDER_STATUS_CHANGED",
        "FULFILLMENT_ORDER_HOLD_PLACED",
    ]
    opened = (
        ["FULFILLMENT_ORDER_CREATED", *opened_east]
        if west_first
        else [*opened_east, "FULFILLMENT_ORDER_CREATED"]
    )
    # the timeline follows the order in which the events happened
    assert [t.type for t in await timeline(db, tenant.id, order.id)] == [
        "ORDER_CREATED",
        "ORDER_STOCK_RESERVED",
        "ORDER_RISK_ASSESSED",
        "ORDER_STATUS_CHANGED",
        *opened,
    ]
