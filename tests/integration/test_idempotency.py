"""Retried order requests: an idempotency key or a channel's external id places an order once."""

from __future__ import annotations

import asyncio

import pytest

from domain.errors import Code, DomainError
from domain.orders.status import SalesChannel
from domain.workflows.placing import place_order
from tests.integration.builders import (
    assert_ledger_reconciles,
    count,
    level,
    location,
    movements,
    order_input,
    orders,
    outbox_types,
    product,
    snapshot,
    uow,
)


async def _shop(db, tenant, units=10):
    main = await location(db, tenant.id, "MAIN")
    mug = await product(db, tenant.id, "MUG", stock={main.id: units})
    return main, mug


async def test_the_same_key_and_payload_returns_the_first_order_and_reserves_nothing_more(db, tenant):
    main, mug = await _shop(db, tenant)
    first = await place_order(uow(db, tenant.id), order_input(("MUG", 2), key="req-1"))
    before = await snapshot(db, tenant.id)

    again = await place_order(uow(db, tenant.id), order_input(("MUG", 2), key="req-1"))

    assert (first.created, again.created) == (True, False)
    assert again.order.id == first.order.id
    assert again.order.number == 1001
    assert await snapshot(db, tenant.id) == before
    assert (await level(db, mug, main.id)).committed == 2


async def test_the_same_key_with_another_payload_is_refused(db, tenant):
    await _shop(db, tenant)
    await place_order(uow(db, tenant.id), order_input(("MUG", 2), key="req-1"))
    before = await snapshot(db, tenant.id)

    with pytest.raises(DomainError) as refused:
        await place_order(uow(db, tenant.id), order_input(("MUG", 3), key="req-1"))

    assert (refused.value.code, refused.value.field) == (Code.IDEMPOTENCY_KEY_REUSED, ["idempotencyKey"])
    assert await snapshot(db, tenant.id) == before


async def test_one_key_means_one_order_per_tenant_only(db, tenant, other_tenant):
    await _shop(db, tenant)
    await _shop(db, other_tenant)

    mine = await place_order(uow(db, tenant.id), order_input(("MUG", 1), key="req-1"))
    theirs = await place_order(uow(db, other_tenant.id), order_input(("MUG", 1), key="req-1"))

    assert mine.created and theirs.created
    assert mine.order.id != theirs.order.id


async def test_concurrent_requests_with_one_key_place_exactly_one_order(db, tenant):
    main, mug = await _shop(db, tenant)

    results = await asyncio.gather(
        *(place_order(uow(db, tenant.id), order_input(("MUG", 2), key="req-1")) for _ in range(10))
    )

    assert sum(r.created for r in results) == 1
    assert {r.order.id for r in results} == {results[0].order.id}
    assert len(await orders(db, tenant.id)) == 1
    assert (await level(db, mug, main.id)).committed == 2
    assert len(await movements(db, tenant.id, kind="RESERVED")) == 1
    assert await outbox_types(db, tenant.id, aggregate_type="Order") == {
        "ORDER_CREATED": 1,
        "ORDER_STOCK_RESERVED": 1,
        "ORDER_RISK_ASSESSED": 1,
    }
    await assert_ledger_reconciles(db, tenant.id)


async def test_concurrent_retries_for_the_last_units_all_get_the_one_order(db, tenant):
    main, mug = await _shop(db, tenant, units=2)

    results = await asyncio.gather(
        *(place_order(uow(db, tenant.id), order_input(("MUG", 2), key="req-1")) for _ in range(10)),
        return_exceptions=True,
    )

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert {r.order.id for r in results} == {results[0].order.id}
    assert sum(r.created for r in results) == 1
    assert (await level(db, mug, main.id)).committed == 2
    await assert_ledger_reconciles(db, tenant.id)


async def test_the_same_external_id_on_one_channel_returns_the_first_order(db, tenant):
    main, mug = await _shop(db, tenant)
    first = await place_order(
        uow(db, tenant.id), order_input(("MUG", 1), external_id="shop-77", channel=SalesChannel.MARKETPLACE)
    )
    before = await snapshot(db, tenant.id)

    again = await place_order(
        uow(db, tenant.id), order_input(("MUG", 1), external_id="shop-77", channel=SalesChannel.MARKETPLACE)
    )

    assert (first.created, again.created) == (True, False)
    assert again.order.id == first.order.id
    assert await snapshot(db, tenant.id) == before
    assert (await level(db, mug, main.id)).committed == 1


async def test_the_same_external_id_on_another_channel_is_another_order(db, tenant):
    main, mug = await _shop(db, tenant)

    web = await place_order(
        uow(db, tenant.id), order_input(("MUG", 1), external_id="77", channel=SalesChannel.WEB)
    )
    pos = await place_order(
        uow(db, tenant.id), order_input(("MUG", 1), external_id="77", channel=SalesChannel.POS)
    )

    assert web.created and pos.created
    assert web.order.id != pos.order.id
    assert [o.number for o in await orders(db, tenant.id)] == [1001, 1002]
    assert (await level(db, mug, main.id)).committed == 2


async def test_concurrent_requests_with_one_external_id_place_exactly_one_order(db, tenant):
    main, mug = await _shop(db, tenant)

    results = await asyncio.gather(
        *(
            place_order(
                uow(db, tenant.id), order_input(("MUG", 1), external_id="ext-1", channel=SalesChannel.SOCIAL)
            )
            for _ in range(10)
        )
    )

    assert sum(r.created for r in results) == 1
    assert {r.order.id for r in results} == {results[0].order.id}
    assert await count(db, "orders", tenant.id) == 1
    assert (await level(db, mug, main.id)).committed == 1
    await assert_ledger_reconciles(db, tenant.id)


async def test_requests_without_keys_are_separate_orders(db, tenant):
    main, mug = await _shop(db, tenant)

    first = await place_order(uow(db, tenant.id), order_input(("MUG", 1)))
    second = await place_order(uow(db, tenant.id), order_input(("MUG", 1)))

    assert first.created and second.created
    assert first.order.id != second.order.id
    assert (await level(db, mug, main.id)).committed == 2
