"""Adjusting stock in a few statements written once (domain/inventory/adjusting.py): how many statements
one takes, that it writes what the ORM path writes (level, movement, event), that its refusals change
nothing, and that the cases it leaves to the ORM path (a new level, backorders waiting) still work."""

from __future__ import annotations

import asyncio

import pytest

from domain.catalog.models import BackorderPolicy
from domain.errors import Code, DomainError
from domain.inventory.models import AdjustReason
from domain.inventory.service import AdjustInput
from domain.workflows.placing import place_order
from domain.workflows.stock_changes import adjust_level
from tests.integration.builders import level, location, movements, order_input, outbox, product, uow
from tests.integration.statement_counting import counted_engine

# BEGIN, the tenant (one round trip), the level locked with its product, the write, the event, COMMIT
MAX_STATEMENTS = 6


async def test_an_adjustment_takes_at_most_six_statements_and_writes_level_movement_and_event(
    db, tenant, database_url
) -> None:
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", stock={main.id: 10})
    first = AdjustInput("MUG", main.id, 1, AdjustReason.FOUND)
    found = AdjustInput("MUG", main.id, 5, AdjustReason.RECEIVED, note="  PO-7  ")
    async with counted_engine(database_url) as (engine, statements):
        await adjust_level(uow(engine, tenant.id), first)  # fills the connection's caches
        await asyncio.sleep(0.05)
        statements.seen.clear()
        adjusted, adjusted_product = await adjust_level(uow(engine, tenant.id), found)
        await asyncio.sleep(0.05)
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements.seen)
    assert (adjusted.on_hand, adjusted.committed, adjusted_product.sku) == (16, 0, "MUG")

    stored = await level(db, mug, main.id)
    assert (stored.on_hand, stored.committed) == (16, 0)
    last = (await movements(db, tenant.id, product_id=mug))[-1]
    assert (last.kind, last.on_hand_delta, last.on_hand_after, last.note, last.actor) == (
        "RECEIVED",
        5,
        16,
        "PO-7",
        "test",
    )
    event = [e for e in await outbox(db, tenant.id) if e.type == "INVENTORY_LEVEL_CHANGED"][-1]
    assert event.aggregate_id == stored.id
    assert {k: event.payload[k] for k in ("kind", "onHand", "onHandDelta", "available", "committed")} == {
        "kind": "RECEIVED",
        "onHand": 16,
        "onHandDelta": 5,
        "available": 16,
        "committed": 0,
    }


async def test_a_refused_adjustment_changes_nothing(db, tenant) -> None:
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", stock={main.id: 3})
    before = len(await movements(db, tenant.id))
    with pytest.raises(DomainError) as refused:
        await adjust_level(uow(db, tenant.id), AdjustInput("MUG", main.id, -4, AdjustReason.LOST))
    assert refused.value.code == Code.NEGATIVE_STOCK
    assert (await level(db, mug, main.id)).on_hand == 3
    assert len(await movements(db, tenant.id)) == before


async def test_cases_left_to_the_orm_path_still_work(db, tenant) -> None:
    main = await location(db, tenant.id, "MAIN")
    other = await location(db, tenant.id, "OTHER")
    pre = await product(db, tenant.id, "PRE", stock={main.id: 0}, backorder=BackorderPolicy.ALLOW)
    placed = await place_order(uow(db, tenant.id), order_input(("PRE", 2)))
    # Units arriving where a backorder waits fill it
    await adjust_level(uow(db, tenant.id), AdjustInput("PRE", main.id, 3, AdjustReason.RECEIVED))
    assert ((await level(db, pre, main.id)).on_hand, (await level(db, pre, main.id)).committed) == (3, 2)
    assert placed.order.id in {m.order_id for m in await movements(db, tenant.id, kind="RESERVED")}
    # A location that never stocked the product gets its level
    await adjust_level(uow(db, tenant.id), AdjustInput("PRE", other.id, 4, AdjustReason.FOUND))
    assert (await level(db, pre, other.id)).on_hand == 4
