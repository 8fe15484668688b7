"""POST /carriers/{carrier}/tracking: signed per shop, idempotent on the carrier's event id."""

from __future__ import annotations

import json
import time

from domain.shipping.tracking import sign
from tests.api.documents import ORDER_CONFIRM, ok, place_order
from tests.api.fulfillment_documents import CARRIER_SECRET, fulfillment_of, ship

SHOP_ID = "{ viewer { shop { id } } }"


async def _shipment(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    (fo,) = (await fulfillment_of(api, shop.admin, order["id"]))["fulfillmentOrders"]
    await ship(api, shop.admin, fo["id"], "GEN-123")
    secret = ok(await api(shop.admin, CARRIER_SECRET, carrier="generic"), "carrierSecretCreate")["secret"]
    shop_id = (await api(shop.admin, SHOP_ID))["data"]["viewer"]["shop"]["id"]
    return order, secret, shop_id


async def _post(api, shop_id, secret, event, stamp=None, signature=None, carrier="generic"):
    body = json.dumps(event).encode()
    stamp = stamp or str(int(time.time()))
    headers = {
        "content-type": "application/json",
        "x-baton-shop": shop_id,
        "x-baton-timestamp": stamp,
        "x-baton-signature": signature or "sha256=" + sign(secret, stamp, body),
    }
    return await api.client.post(f"/carriers/{carrier}/tracking", content=body, headers=headers)


EVENT = {"eventId": "evt-1", "trackingNumber": "GEN-123", "status": "delivered", "location": "Arlington, VA"}


async def _tracking(api, shop, order):
    return (await fulfillment_of(api, shop.admin, order["id"]))["shipments"][0]["trackingEvents"]


async def test_a_signed_carrier_event_is_stored_once_however_often_it_is_replayed(api, shop):
    order, secret, shop_id = await _shipment(api, shop)

    answers = [await _post(api, shop_id, secret, EVENT) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["stored"] for a in answers] == [True, False, False]
    events = await _tracking(api, shop, order)
    assert [(e["status"], e["source"], e["location"]) for e in events] == [
        ("DELIVERED", "CARRIER", "Arlington, VA")
    ]
    assert (await fulfillment_of(api, shop.admin, order["id"]))["status"] == "DELIVERED"


async def test_a_bad_signature_is_refused_with_401_and_stores_nothing(api, shop):
    order, secret, shop_id = await _shipment(api, shop)
    stale = str(int(time.time()) - 3600)

    answers = [
        await _post(api, shop_id, "cs_wrong", EVENT),
        await _post(api, shop_id, secret, EVENT, signature="sha256=00"),
        await _post(api, shop_id, secret, EVENT, stamp=stale),
        await _post(api, "U2hvcDpub3BlCg", secret, EVENT),
    ]

    assert [a.status_code for a in answers] == [401, 401, 401, 401]
    assert {a.json()["error"]["code"] for a in answers} == {"INVALID_SIGNATURE"}
    assert await _tracking(api, shop, order) == []


async def test_an_unknown_tracking_number_is_a_clear_404_and_stores_nothing(api, shop):
    order, secret, shop_id = await _shipment(api, shop)

    answer = await _post(api, shop_id, secret, {**EVENT, "trackingNumber": "NOT-OURS"})

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "UNKNOWN_TRACKING_NUMBER"
    assert await _tracking(api, shop, order) == []


async def test_malformed_events_and_unknown_carriers_are_refused(api, shop):
    order, secret, shop_id = await _shipment(api, shop)

    no_status = await _post(api, shop_id, secret, {"eventId": "e", "trackingNumber": "GEN-123"})
    bad_status = await _post(api, shop_id, secret, {**EVENT, "status": "teleported"})
    carrier = await _post(api, shop_id, secret, EVENT, carrier="pigeon")

    assert (no_status.status_code, no_status.json()["error"]["code"]) == (400, "INVALID")
    assert (bad_status.status_code, bad_status.json()["error"]["code"]) == (400, "INVALID")
    assert (carrier.status_code, carrier.json()["error"]["code"]) == (404, "UNKNOWN_CARRIER")
    assert await _tracking(api, shop, order) == []


async def test_nul_characters_deep_nesting_and_huge_bodies_are_refused_not_crashed(api, shop):
    order, secret, shop_id = await _shipment(api, shop)
    bodies = [
        {**EVENT, "trackingNumber": "GEN-\u0000123"},
        {**EVENT, "description": "a\u0000b"},
        {**EVENT, "occurredAt": "2026-01-01T00:00:00"},  # no time zone
    ]

    answers = [await _post(api, shop_id, secret, body) for body in bodies]
    deep = b"[" * 20000 + b"]" * 20000
    stamp = str(int(time.time()))
    headers = {
        "x-baton-shop": shop_id,
        "x-baton-timestamp": stamp,
        "x-baton-signature": "sha256=" + sign(secret, stamp, deep),
    }
    nested = await api.client.post("/carriers/generic/tracking", content=deep, headers=headers)
    huge = await api.client.post("/carriers/generic/tracking", content=b"x" * 70_000, headers=headers)

    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [(400, "INVALID")] * 3
    assert (nested.status_code, nested.json()["error"]["code"]) == (400, "INVALID")
    assert huge.status_code == 413
    assert await _tracking(api, shop, order) == []
