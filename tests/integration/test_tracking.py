"""Tracking events: stored once per carrier event id, the latest one sets the status, DELIVERED
on every shipment delivers the order, EXCEPTION flags it for support."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.db import utcnow
from domain.errors import Code, DomainError, Rejected
from domain.shipping.service import ShipmentInput, create_shipment
from domain.shipping.tracking import TrackingInput, add_tracking_event
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from tests.integration.builders import location, order_input, orders, outbox_types, product, uow
from tests.integration.fulfillment_builders import fulfillment_orders, tracking_events


async def _shipped(db, tenant, units=(("MUG", 2),)):
    main = await location(db, tenant.id, "MAIN")
    for sku, _ in units:
        await product(db, tenant.id, sku, stock={main.id: 10})
    order = (await place_order(uow(db, tenant.id), order_input(*units))).order
    await confirm_order(uow(db, tenant.id), order.id)
    (fo,) = await fulfillment_orders(db, order.id)
    shipment = await create_shipment(uow(db, tenant.id), ShipmentInput(fo.id, "generic", "1Z999"))
    return order, shipment


async def _order(db, tenant):
    (row,) = await orders(db, tenant.id)
    return row


async def test_delivery_of_the_only_shipment_delivers_the_order(db, tenant):
    _, shipment = await _shipped(db, tenant)
    start = utcnow() - timedelta(hours=5)

    for hours, status in ((0, "picked up"), (2, "IN_TRANSIT"), (4, "delivered")):
        await add_tracking_event(
            uow(db, tenant.id), TrackingInput(status, occurred_at=start + timedelta(hours=hours)), shipment.id
        )

    row = await _order(db, tenant)
    assert (row.status, row.delivered_at is not None) == ("DELIVERED", True)
    assert [e.status for e in await tracking_events(db, shipment.id)] == [
        "PICKED_UP",
        "IN_TRANSIT",
        "DELIVERED",
    ]


async def test_a_late_event_does_not_roll_the_status_back(db, tenant):
    _, shipment = await _shipped(db, tenant)
    now = utcnow()
    await add_tracking_event(
        uow(db, tenant.id), TrackingInput("OUT_FOR_DELIVERY", occurred_at=now), shipment.id
    )

    tracked = await add_tracking_event(
        uow(db, tenant.id), TrackingInput("IN_TRANSIT", occurred_at=now - timedelta(hours=3)), shipment.id
    )

    assert tracked.shipment.status == "OUT_FOR_DELIVERY"
    assert len(await tracking_events(db, shipment.id)) == 2


async def test_a_repeated_carrier_event_id_is_stored_once_even_when_sent_at_once(db, tenant):
    _, shipment = await _shipped(db, tenant)

    results = await asyncio.gather(
        *(
            add_tracking_event(
                uow(db, tenant.id), TrackingInput("IN_TRANSIT", carrier_event_id="evt-1"), shipment.id
            )
            for _ in range(3)
        )
    )

    assert sorted(r.stored for r in results) == [False, False, True]
    assert len(await tracking_events(db, shipment.id)) == 1
    assert (await outbox_types(db, tenant.id))["SHIPMENT_TRACKING_UPDATED"] == 1


async def test_an_exception_flags_the_order_until_the_shipment_moves_again(db, tenant):
    _, shipment = await _shipped(db, tenant)

    await add_tracking_event(
        uow(db, tenant.id), TrackingInput("EXCEPTION", description="Box damaged"), shipment.id
    )
    assert (await _order(db, tenant)).shipment_exception == "Box damaged"

    await add_tracking_event(uow(db, tenant.id), TrackingInput("IN_TRANSIT"), shipment.id)
    assert (await _order(db, tenant)).shipment_exception is None
    assert (await outbox_types(db, tenant.id))["ORDER_SHIPMENT_EXCEPTION_CHANGED"] == 2


async def test_unknown_statuses_and_tracking_numbers_are_refused(db, tenant):
    _, shipment = await _shipped(db, tenant)

    with pytest.raises(Rejected) as bad_status:
        await add_tracking_event(uow(db, tenant.id), TrackingInput("TELEPORTED"), shipment.id)
    with pytest.raises(DomainError) as unknown:
        await add_tracking_event(
            uow(db, tenant.id), TrackingInput("IN_TRANSIT"), carrier="generic", tracking_number="NOPE"
        )

    assert bad_status.value.errors[0].code == Code.INVALID
    assert unknown.value.code == Code.UNKNOWN_TRACKING_NUMBER
    assert await tracking_events(db, shipment.id) == []
