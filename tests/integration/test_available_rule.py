"""`available` has one rule (domain/inventory/models.py): the sellable units, never negative unless the
product takes backorders. Its SQL form (available_sql, used by queries such as the order edit preview)
must give what the Python form gives, for every sign of the sellable units and either policy; and the
INVENTORY_LEVEL_CHANGED events (webhooks, the event log) record the same `available` as the API shows."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import Boolean, Integer, column, literal, select, values

from domain.catalog.models import BackorderPolicy
from domain.inventory.models import AdjustReason, available, available_sql, sellable_units
from domain.inventory.service import AdjustInput, SetInput
from domain.workflows.placing import place_order
from domain.workflows.stock_changes import adjust_level, set_level
from tests.integration.builders import location, order_input, outbox, product, uow

# on_hand, committed, safety_stock: plenty, exactly none, below the safety stock, oversold (backorders)
LEVELS = [(10, 3, 2), (5, 3, 2), (4, 3, 2), (2, 5, 0), (0, 0, 0)]


async def test_the_sql_and_the_python_rule_for_available_agree(db):
    grid = [(*lv, allow) for lv, allow in itertools.product(LEVELS, (False, True))]
    rows = values(
        column("on_hand", Integer),
        column("committed", Integer),
        column("safety_stock", Integer),
        column("allow", Boolean),
        name="levels",
    ).data(grid)
    sellable = rows.c.on_hand - rows.c.committed - rows.c.safety_stock
    query = select(rows, available_sql(sellable, rows.c.allow), available_sql(literal(-1), rows.c.allow))
    async with db.connect() as conn:
        found = (await conn.execute(query)).all()

    assert [(r[:4], r[4]) for r in found] == [(g, available(sellable_units(*g[:3]), g[3])) for g in grid]
    assert [r[5] for r in found] == [available(-1, g[3]) for g in grid]


@pytest.mark.parametrize(("policy", "allow"), [(BackorderPolicy.DENY, False), (BackorderPolicy.ALLOW, True)])
async def test_a_levels_events_record_available_by_the_rule(db, tenant, policy, allow):
    main = await location(db, tenant.id, "MAIN")
    await product(db, tenant.id, "MUG", stock={main.id: 5}, backorder=policy)
    await place_order(uow(db, tenant.id), order_input(("MUG", 3)))
    # 5 on hand, 3 committed; 4 lost leaves 1 on hand for 3 committed, then a count finds none
    await adjust_level(uow(db, tenant.id), AdjustInput("MUG", main.id, -4, AdjustReason.LOST))  # lean path
    await set_level(uow(db, tenant.id), SetInput(sku="MUG", location_id=main.id, on_hand=0))  # ORM path

    changed = [e.payload for e in await outbox(db, tenant.id) if e.type == "INVENTORY_LEVEL_CHANGED"]
    lost, counted = changed[-2:]
    assert (lost["kind"], lost["onHand"], lost["committed"], lost["available"]) == (
        "LOST",
        1,
        3,
        -2 if allow else 0,
    )
    assert (counted["kind"], counted["onHand"], counted["available"]) == ("SET", 0, -3 if allow else 0)
