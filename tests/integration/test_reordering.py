"""Reordering against real Postgres: demand from order history (cancelled orders left out), suggestions
that count what is incoming and on order, and the automatic pass that orders once, not every pass."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from domain.db import SYSTEM_SESSION
from domain.purchasing import reordering
from domain.purchasing.demand import daily_history
from domain.purchasing.reordering import PolicyInput, reorder_pass
from domain.purchasing.rules import DemandStats
from domain.purchasing.status import AutoMode
from domain.purchasing.suggesting import Policy, suggestions
from domain.reading import Reader
from domain.workflows.cancelling import cancel_order
from domain.workflows.placing import place_order
from server.reordering import reorder_all
from tests.integration.builders import level, location, order_input, outbox_types, product, uow
from tests.integration.purchasing_builders import po_lines, purchase_orders, supplier

TODAY = datetime.now(UTC).date()
POLICY = Policy(service_level=0.95, review_period_days=7, history_days=14)


async def _suggest(database_url, tenant_id):
    conn = await asyncpg.connect(database_url, server_settings=SYSTEM_SESSION)
    try:
        return await suggestions(Reader(conn), tenant_id, POLICY, TODAY)
    finally:
        await conn.close()


async def test_daily_demand_counts_todays_orders_and_leaves_cancelled_ones_out(db, tenant, database_url):
    main = await location(db, tenant.id, "MAIN")
    tee = await product(db, tenant.id, "TEE", stock={main.id: 50})
    await place_order(uow(db, tenant.id), order_input(("TEE", 3)))
    gone = (await place_order(uow(db, tenant.id), order_input(("TEE", 5)))).order
    await cancel_order(uow(db, tenant.id), gone.id, "changed mind")

    conn = await asyncpg.connect(database_url, server_settings=SYSTEM_SESSION)
    try:
        history = await daily_history(Reader(conn), tenant.id, [tee], TODAY, 7)
    finally:
        await conn.close()

    assert history == {(tee, main.id): [0, 0, 0, 0, 0, 0, 3]}


async def test_a_suggestion_buys_from_the_supplier_in_its_packs_counting_what_is_incoming(
    db, tenant, database_url
):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "TEE", stock={main.id: 20})
    await supplier(db, tenant.id, {"TEE": "4.50"}, lead_time_days=3, minimum=10, pack=10)
    await place_order(uow(db, tenant.id), order_input(("TEE", 14)))  # 14 today over 14 days: 1 a day

    [due] = await _suggest(database_url, tenant.id)

    assert due.stock.sku == "TEE" and due.stock.available == 6
    assert due.demand.mean == 1.0
    # lead time 3: 3 + 1.645 * sd * sqrt(3), sd = 14 / sqrt(14) = 3.74 -> 3 + 10.66 -> 14
    assert due.levels.reorder_point == 14 and due.needs_reorder
    assert due.quantity % 10 == 0 and due.quantity >= due.levels.order_up_to - 6


async def test_automatic_reordering_drafts_once_and_the_next_pass_makes_nothing(db, tenant):
    main = await location(db, tenant.id, "MAIN")
    tee = await product(db, tenant.id, "TEE", stock={main.id: 20})
    await supplier(db, tenant.id, {"TEE": "4.50"}, lead_time_days=3, pack=12)
    await place_order(uow(db, tenant.id), order_input(("TEE", 14)))
    await reordering.update_policy(uow(db, tenant.id), PolicyInput(auto_mode=AutoMode.DRAFT, history_days=14))

    first = await reorder_pass(uow(db, tenant.id), TODAY)
    second = await reorder_pass(uow(db, tenant.id), TODAY)

    assert len(first) == 1 and second == []
    [po] = await purchase_orders(db, tenant.id)
    assert (po.status, po.automatic) == ("DRAFT", True)
    [line] = await po_lines(db, po.id)
    assert line.quantity % 12 == 0 and line.unit_cost == 450
    assert (await level(db, tee, main.id)).incoming == 0  # a draft is not incoming yet
    assert (await outbox_types(db, tenant.id))["REORDER_POLICY_UPDATED"] == 1


async def test_the_worker_submits_per_policy_once_and_leaves_shops_that_do_not_reorder(
    db, tenant, other_tenant, database_url
):
    for shop in (tenant, other_tenant):
        main = await location(db, shop.id, "MAIN")
        await product(db, shop.id, "TEE", stock={main.id: 20})
        await supplier(db, shop.id, {"TEE": "4.50"}, lead_time_days=3)
        await place_order(uow(db, shop.id), order_input(("TEE", 14)))
    await reordering.update_policy(
        uow(db, tenant.id), PolicyInput(auto_mode=AutoMode.SUBMIT, history_days=14)
    )
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1, server_settings=SYSTEM_SESSION)
    try:
        made = [await reorder_all(pool, db, TODAY) for _ in range(2)]
    finally:
        await pool.close()

    assert made == [1, 0]
    [po] = await purchase_orders(db, tenant.id)
    [line] = await po_lines(db, po.id)
    assert po.status == "SUBMITTED"
    assert (await level(db, line.product_id, line.location_id)).incoming == line.quantity
    events = await outbox_types(db, tenant.id)
    assert (events["PURCHASE_ORDER_CREATED"], events["PURCHASE_ORDER_STATUS_CHANGED"]) == (1, 1)
    assert await purchase_orders(db, other_tenant.id) == []


async def test_another_demand_source_such_as_a_forecast_replaces_order_history(db, tenant, database_url):
    main = await location(db, tenant.id, "MAIN")
    tee = await product(db, tenant.id, "TEE", stock={main.id: 40})
    await supplier(db, tenant.id, {"TEE": "4.50"}, lead_time_days=5)

    async def forecast(reader, tenant_id, product_ids, today, days):
        return {(tee, main.id): DemandStats(mean=10.0, sd=0.0)}  # what a forecast would say

    conn = await asyncpg.connect(database_url, server_settings=SYSTEM_SESSION)
    try:
        [due] = await suggestions(Reader(conn), tenant.id, POLICY, TODAY, demand=forecast)
    finally:
        await conn.close()

    assert (due.levels.reorder_point, due.levels.order_up_to) == (50, 120)
    assert due.needs_reorder and due.quantity == 80
