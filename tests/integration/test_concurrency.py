"""Many real connections racing for the same stock: nothing is oversold, nothing deadlocks, and the ledger
still adds up afterwards."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.db import make_engine
from domain.errors import Code, Rejected
from domain.inventory.models import AdjustReason
from domain.inventory.service import AdjustInput
from domain.workflows.cancelling import cancel_order
from domain.workflows.placing import Placed, place_order
from domain.workflows.stock_changes import adjust_level
from tests.integration.builders import (
    assert_ledger_reconciles,
    count,
    location,
    movements,
    order_input,
    orders,
    outbox_types,
    product,
    stock,
    uow,
)

ORDERS = 200


@pytest.fixture
async def crowd(db: AsyncEngine, database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine of its own with up to 80 connections (the server allows 100), so requests really contend.
    The shared engine's idle connections, kept from earlier tests, are closed first to leave room."""
    await db.dispose()
    engine = make_engine(database_url, pool_size=60, max_overflow=20)
    yield engine
    await engine.dispose()


def _requests(seed: int, n: int) -> list[list[tuple[str, int]]]:
    """Single-line orders of 1 to 3 units of either SKU, and two-line orders of both."""
    rnd = random.Random(seed)
    shapes = []
    for _ in range(n):
        kind = rnd.random()
        if kind < 0.35:
            shapes.append([("MUG", rnd.randint(1, 3))])
        elif kind < 0.7:
            shapes.append([("TEE", rnd.randint(1, 3))])
        else:
            shapes.append([("MUG", rnd.randint(1, 2)), ("TEE", rnd.randint(1, 2))])
    return shapes


def _failures_are_only_stock_shortages(results: list[object]) -> None:
    unexpected = [r for r in results if not isinstance(r, Placed | Rejected)]
    assert unexpected == [], f"{len(unexpected)} unexpected errors, e.g. {unexpected[0]!r}"
    codes = {e.code for r in results if isinstance(r, Rejected) for e in r.errors}
    assert codes <= {Code.INSUFFICIENT_STOCK}


async def test_two_hundred_concurrent_orders_never_oversell(db, tenant, crowd):
    east = await location(db, tenant.id, "EAST", priority=1)
    west = await location(db, tenant.id, "WEST", priority=2)
    ids = {
        "MUG": await product(db, tenant.id, "MUG", stock={east.id: 6, west.id: 4}),
        "TEE": await product(db, tenant.id, "TEE", stock={east.id: 6, west.id: 4}),
    }
    shapes = _requests(seed=7, n=ORDERS)
    assert sum(len(s) == 2 for s in shapes) > 40  # plenty of multi-line orders in the mix

    results = await asyncio.gather(
        *(
            place_order(uow(crowd, tenant.id), order_input(*lines, email=f"buyer{i % 25}@example.com"))
            for i, lines in enumerate(shapes)
        ),
        return_exceptions=True,
    )

    _failures_are_only_stock_shortages(results)
    placed = [(shape, r) for shape, r in zip(shapes, results, strict=True) if isinstance(r, Placed)]
    # A one-unit request for a SKU that was refused proves that SKU had nothing left anywhere.
    for sku in ids:
        assert any(s == [(sku, 1)] and isinstance(r, Rejected) for s, r in zip(shapes, results, strict=True))

    levels = await stock(db, tenant.id)
    for sku, product_id in ids.items():
        assert sum(levels[product_id, loc][1] for loc in (east.id, west.id)) == 10, sku
        for loc, on_hand in ((east.id, 6), (west.id, 4)):
            assert levels[product_id, loc] == (on_hand, on_hand), (sku, "available must be 0")
        sold = sum(q for shape, _ in placed for s, q in shape if s == sku)
        assert sold == 10, sku

    assert all(r.created for _, r in placed)
    numbers = sorted(o.number for o in await orders(db, tenant.id))
    assert numbers == list(range(1001, 1001 + len(placed)))
    assert await outbox_types(db, tenant.id, aggregate_type="Order") == {
        "ORDER_CREATED": len(placed),
        "ORDER_STOCK_RESERVED": len(placed),
        "ORDER_RISK_ASSESSED": len(placed),
    }
    assert await count(db, "timeline_entries", tenant.id) == 3 * len(placed)
    assert len(await movements(db, tenant.id, kind="RESERVED")) == await count(
        db, "order_allocations", tenant.id
    )
    assert await count(db, "customers", tenant.id) == len({o.email for o in await orders(db, tenant.id)})
    await assert_ledger_reconciles(db, tenant.id)


async def test_orders_cancels_and_restocks_racing_each_other_keep_the_ledger_balanced(db, tenant, crowd):
    east = await location(db, tenant.id, "EAST", priority=1)
    west = await location(db, tenant.id, "WEST", priority=2)
    ids = {
        "MUG": await product(db, tenant.id, "MUG", stock={east.id: 8, west.id: 8}),
        "TEE": await product(db, tenant.id, "TEE", stock={east.id: 8, west.id: 8}),
    }
    early = [
        (await place_order(uow(db, tenant.id), order_input(*lines))).order.id
        for lines in _requests(seed=1, n=10)
    ]
    rnd = random.Random(3)
    work = [place_order(uow(crowd, tenant.id), order_input(*lines)) for lines in _requests(seed=2, n=120)]
    work += [cancel_order(uow(crowd, tenant.id), order_id, "race") for order_id in early]
    work += [
        adjust_level(
            uow(crowd, tenant.id),
            AdjustInput(rnd.choice(list(ids)), rnd.choice([east.id, west.id]), 1, AdjustReason.RECEIVED),
        )
        for _ in range(40)
    ]
    rnd.shuffle(work)

    results = await asyncio.gather(*work, return_exceptions=True)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(e, Rejected) for e in errors), errors[:1]
    assert {e.code for r in errors for e in r.errors} <= {Code.INSUFFICIENT_STOCK}
    levels = await stock(db, tenant.id)
    assert sum(on_hand for on_hand, _ in levels.values()) == 4 * 8 + 40
    for on_hand, committed in levels.values():
        assert committed <= on_hand  # nothing sold that was not there
    assert Counter(o.status for o in await orders(db, tenant.id))["CANCELLED"] == len(early)
    assert len(await movements(db, tenant.id, kind="RELEASED")) > 0
    await assert_ledger_reconciles(db, tenant.id)
