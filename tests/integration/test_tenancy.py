"""One tenant's use cases never see or change another tenant's rows."""

from __future__ import annotations

import pytest

from domain.errors import Code, DomainError, Rejected
from domain.inventory.models import AdjustReason
from domain.inventory.service import AdjustInput
from domain.orders.service import record_payment
from domain.orders.status import OrderStatus
from domain.workflows.cancelling import cancel_order
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from domain.workflows.stock_changes import adjust_level
from tests.integration.builders import (
    allocations,
    assert_ledger_reconciles,
    level,
    location,
    order_input,
    outbox,
    product,
    snapshot,
    uow,
)


async def test_a_tenant_cannot_confirm_cancel_or_pay_another_tenants_order(db, tenant, other_tenant):
    theirs_location = await location(db, other_tenant.id, "MAIN")
    theirs_mug = await product(db, other_tenant.id, "MUG", stock={theirs_location.id: 5})
    theirs = (await place_order(uow(db, other_tenant.id), order_input(("MUG", 2)))).order
    before = await snapshot(db, other_tenant.id)

    for attempt in (
        confirm_order(uow(db, tenant.id), theirs.id),
        cancel_order(uow(db, tenant.id), theirs.id, "not mine"),
        record_payment(uow(db, tenant.id), theirs.id, "pay-1", None),
    ):
        with pytest.raises(DomainError) as refused:
            await attempt
        assert (refused.value.code, refused.value.field) == (Code.NOT_FOUND, ["id"])

    assert await snapshot(db, other_tenant.id) == before
    assert (await level(db, theirs_mug, theirs_location.id)).committed == 2
    assert await outbox(db, tenant.id) == []
    still = await cancel_order(uow(db, other_tenant.id), theirs.id, None)
    assert still.status == OrderStatus.CANCELLED


async def test_a_tenant_cannot_order_or_stock_another_tenants_products(db, tenant, other_tenant):
    mine = await location(db, tenant.id, "MAIN")
    theirs = await location(db, other_tenant.id, "MAIN")
    await product(db, other_tenant.id, "SECRET", stock={theirs.id: 5})
    before = await snapshot(db, other_tenant.id)

    with pytest.raises(Rejected) as rejected:
        await place_order(uow(db, tenant.id), order_input(("SECRET", 1)))
    assert [(e.code, e.field) for e in rejected.value.errors] == [(Code.UNKNOWN_SKU, ["lines", "0", "sku"])]

    with pytest.raises(Rejected) as rejected:
        await adjust_level(uow(db, tenant.id), AdjustInput("SECRET", mine.id, 1, AdjustReason.FOUND))
    assert [e.code for e in rejected.value.errors] == [Code.UNKNOWN_SKU]

    assert await snapshot(db, other_tenant.id) == before


async def test_orders_of_two_tenants_with_the_same_skus_use_their_own_stock(db, tenant, other_tenant):
    mine = await location(db, tenant.id, "MAIN")
    theirs = await location(db, other_tenant.id, "MAIN")
    my_mug = await product(db, tenant.id, "MUG", stock={mine.id: 1})
    their_mug = await product(db, other_tenant.id, "MUG", stock={theirs.id: 3})

    order = (await place_order(uow(db, other_tenant.id), order_input(("MUG", 3)))).order
    with pytest.raises(Rejected):
        await place_order(uow(db, tenant.id), order_input(("MUG", 2)))

    assert [(a.product_id, a.location_id) for a in await allocations(db, order.id)] == [
        (their_mug, theirs.id)
    ]
    assert (await level(db, my_mug, mine.id)).committed == 0
    assert (await level(db, their_mug, theirs.id)).committed == 3
    assert {e.tenant_id for e in await outbox(db, other_tenant.id)} == {other_tenant.id}
    await assert_ledger_reconciles(db, tenant.id)
    await assert_ledger_reconciles(db, other_tenant.id)
