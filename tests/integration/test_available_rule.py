"""`available` has one rule (domain/inventory/models.py): the sellable units, never negative unless the
product takes backorders. Its SQL form (available_sql, used by queries such as the order edit preview)
must give what the Python form gives, for every sign of the sellable units and either policy."""

from __future__ import annotations

import itertools

from sqlalchemy import Boolean, Integer, column, literal, select, values

from domain.inventory.models import available, available_sql, sellable_units

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
