"""The one rule for `available` (domain/inventory/models.py), as levels, the subscription's stock changes
and the order edit preview show it; tests/integration/test_available_rule.py pins its SQL form to it."""

from __future__ import annotations

from sqlalchemy import select

from domain.inventory.models import InventoryLevel, available, sellable_units


def test_available_is_the_sellable_units_never_negative_unless_backorders_are_allowed():
    assert [available(sellable_units(10, 3, 2), allow) for allow in (False, True)] == [5, 5]
    assert [available(sellable_units(4, 3, 2), allow) for allow in (False, True)] == [0, -1]
    assert [available(sellable_units(2, 5, 0), allow) for allow in (False, True)] == [0, -3]


def test_a_levels_sellable_units_are_one_expression_on_the_row_and_in_sql():
    level = InventoryLevel(on_hand=4, committed=3, safety_stock=2)
    compiled = str(select(InventoryLevel.sellable).compile())

    assert level.sellable == sellable_units(4, 3, 2) == -1
    assert (
        "(inventory_levels.on_hand - inventory_levels.committed) - inventory_levels.safety_stock" in compiled
    )
