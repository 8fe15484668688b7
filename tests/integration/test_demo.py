"""The demo tenant `baton serve --demo` creates: every stage of an order's life, made by the use cases."""

from __future__ import annotations

import asyncio

from domain.tenancy import service as tenancy
from server.demo import ensure_demo
from tests.integration.builders import orders
from tests.integration.fulfillment_builders import fulfillment_orders, shipments
from tests.integration.fulfillment_builders import holds as holds_of


async def test_the_demo_shop_holds_orders_at_every_stage_and_keeps_its_key(db, database_url, tmp_path):
    key = await asyncio.to_thread(ensure_demo, database_url, tmp_path)
    again = await asyncio.to_thread(ensure_demo, database_url, tmp_path)

    principal = await tenancy.authenticate(db, key)
    assert principal is not None and again == key
    placed = await orders(db, principal.tenant_id)
    assert [o.status for o in placed] == [
        "SHIPPED",
        "CONFIRMED",
        "PENDING",
        "CANCELLED",
        "CONFIRMED",
        "DELIVERED",
    ]
    assert placed[5].return_status == "RETURN_REQUESTED"  # a tee to swap for a larger size
    assert [s.status for s in await shipments(db, placed[0].id)] == ["IN_TRANSIT"]
    assert [fo.status for fo in await fulfillment_orders(db, placed[4].id)] == ["ON_HOLD"]  # waits for stock


async def test_the_demo_shops_normal_orders_are_never_held_as_fraud(db, database_url, tmp_path):
    key = await asyncio.to_thread(ensure_demo, database_url, tmp_path)
    principal = await tenancy.authenticate(db, key)
    assert principal is not None

    placed = await orders(db, principal.tenant_id)

    assert placed and all(o.risk_level != "HIGH" for o in placed)
    holds = [
        h for o in placed for fo in await fulfillment_orders(db, o.id) for h in await holds_of(db, fo.id)
    ]
    assert "HIGH_RISK_OF_FRAUD" not in {h.reason for h in holds}
