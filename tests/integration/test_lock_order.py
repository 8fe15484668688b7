"""Creating a stock level that does not exist yet happens after the existing ones are locked, by
orders and stock changes alike, so the two never wait on each other in a cycle."""

from __future__ import annotations

import asyncio

from domain.catalog.models import BackorderPolicy
from domain.catalog.service import LocationInput, update_location
from domain.inventory.models import AdjustReason
from domain.inventory.service import AdjustInput
from domain.workflows.placing import place_order
from domain.workflows.stock_changes import adjust_level
from tests.integration.builders import assert_ledger_reconciles, location, order_input, product, uow

ROUNDS = 25


async def test_a_backorder_and_a_first_receipt_at_a_new_location_never_deadlock(db, tenant):
    old = await location(db, tenant.id, "old", priority=1)
    new = await location(db, tenant.id, "new", priority=2)
    skus = [f"PRE-{i}" for i in range(ROUNDS)]
    for sku in skus:  # stocked only at the old location, which then closes
        await product(db, tenant.id, sku, stock={old.id: 0}, backorder=BackorderPolicy.ALLOW)
    await update_location(uow(db, tenant.id), old.id, LocationInput(active=False))

    for sku in skus:
        placed, received = await asyncio.gather(
            place_order(uow(db, tenant.id), order_input((sku, 1))),
            adjust_level(uow(db, tenant.id), AdjustInput(sku, new.id, 3, AdjustReason.RECEIVED)),
        )
        assert placed.created
        assert received[0].on_hand == 3

    await assert_ledger_reconciles(db, tenant.id)
