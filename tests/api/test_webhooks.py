"""Webhooks end to end: a real uvicorn server running the delivery loop, a real HTTP receiver that fails
and recovers, signatures checked with an independent Standard Webhooks implementation; 410, Retry-After,
a spent retry schedule, rotation, replay; refused private URLs; permissions and tenant isolation."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import pytest

from domain.tenancy.models import Role
from server.app import create_app
from server.settings import Settings
from tests.api.conftest import open_shop
from tests.api.documents import (
    ORDER_CONFIRM,
    WEBHOOK_CREATE,
    WEBHOOK_DELETE,
    WEBHOOK_DELIVERIES,
    WEBHOOK_ENDPOINTS,
    WEBHOOK_REPLAY,
    WEBHOOK_ROTATE,
    WEBHOOK_UPDATE,
    global_id,
    ok,
    place_order,
)
from tests.api.live import EVENTS_FEED, serving
from tests.api.receiver import receiving, verify


@pytest.fixture
def scale() -> float:
    return 0.001  # the retry schedule in milliseconds instead of seconds


@pytest.fixture
async def live(db, database_url, live_settings, scale):
    settings = Settings(**{**live_settings.__dict__, "webhook_allow_private": True, "retry_scale": scale})
    async with serving(create_app(settings, database_url)) as server:
        yield server


@pytest.fixture
async def receiver():
    async with receiving() as r:
        yield r


async def pause(seconds: float = 0.05) -> None:
    await asyncio.sleep(seconds)


def codes(body: dict) -> list[str]:
    """The userError codes of a one-mutation response."""
    return [e["code"] for e in next(iter(body["data"].values()))["userErrors"]]


async def endpoint(live, key, url, types=None) -> tuple[str, str]:
    made = ok(await live.api(key, WEBHOOK_CREATE, url=url, types=types), "webhookEndpointCreate")
    assert made["secret"].startswith("whsec_")
    return made["webhookEndpoint"]["id"], made["secret"]


async def deliveries(live, key, endpoint_id) -> list[dict]:
    return (await live.api(key, WEBHOOK_DELIVERIES, id=endpoint_id))["data"]["webhookDeliveries"]["nodes"]


async def one_delivery_with(live, key, endpoint_id, attempts: int) -> dict:
    """The endpoint's one delivery once it shows `attempts` attempts: the receiver answers before the
    worker records the attempt, so a test that saw the answer may ask a moment too early."""
    for _ in range(200):
        [delivery] = await deliveries(live, key, endpoint_id)
        if len(delivery["attempts"]) >= attempts:
            return delivery
        await pause()
    return delivery


async def test_every_event_reaches_a_receiver_that_fails_then_recovers_each_signed(live, tenant, receiver):
    shop = await open_shop(live.api, tenant)
    hook_id, secret = await endpoint(
        live, shop.admin, receiver.url, ["ORDER_CREATED", "ORDER_STATUS_CHANGED"]
    )
    receiver.script = [(500, {}), (503, {}), (502, {})]
    first = await place_order(live.api, shop.admin, [("TEE", 1)])
    second = await place_order(live.api, shop.admin, [("MUG", 1)])
    ok(await live.api(shop.admin, ORDER_CONFIRM, id=first["id"]), "orderConfirm")

    expected: set[str] = set()
    for _ in range(200):  # the relay numbers the events a moment after the mutations commit
        feed = await live.api(shop.admin, EVENTS_FEED, types=["ORDER_CREATED", "ORDER_STATUS_CHANGED"])
        expected = {e["id"] for e in feed["data"]["eventsFeed"]["nodes"]}
        if len(expected) == 3:
            break
        await pause()
    assert len(expected) == 3
    await receiver.wait_for(lambda: {r.headers["webhook-id"] for r in receiver.ok()} == expected)

    assert len(receiver.requests) >= 6  # three failures, then each of the three events
    for request in receiver.requests:
        assert verify(secret, request.headers, request.body)
        assert abs(int(request.headers["webhook-timestamp"]) - datetime.now().timestamp()) < 60
        message = json.loads(request.body)
        assert message["data"]["id"] == request.headers["webhook-id"]
        assert message["type"] == message["data"]["type"]
    numbers = {json.loads(r.body)["data"]["payload"]["number"] for r in receiver.ok()}
    assert numbers == {first["number"], second["number"]}

    # The receiver answers before the worker records the attempt: give the records a moment.
    for _ in range(200):
        shown = await deliveries(live, shop.admin, hook_id)
        if all(d["status"] == "SUCCEEDED" for d in shown):
            break
        await pause()
    assert {d["eventId"] for d in shown} == expected
    assert all(d["status"] == "SUCCEEDED" and d["nextAttemptAt"] is None for d in shown)
    retried = [d for d in shown if d["attemptCount"] > 1]
    assert retried
    for d in retried:
        codes_seen = [a["statusCode"] for a in d["attempts"]]
        assert codes_seen[-1] == 200 and all(c >= 500 for c in codes_seen[:-1])
        assert [a["attempt"] for a in d["attempts"]] == list(range(1, d["attemptCount"] + 1))
        assert all(a["nextRetryAt"] for a in d["attempts"][:-1]) and d["attempts"][-1]["nextRetryAt"] is None


async def test_a_410_gone_disables_the_endpoint_and_stops_deliveries(live, tenant, receiver):
    shop = await open_shop(live.api, tenant)
    hook_id, _ = await endpoint(live, shop.admin, receiver.url, ["ORDER_CREATED"])
    receiver.otherwise = 410
    await place_order(live.api, shop.admin, [("TEE", 1)])
    await receiver.wait_for(lambda: len(receiver.requests) == 1)

    async def disabled() -> dict:
        for _ in range(100):
            found = (await live.api(shop.admin, WEBHOOK_ENDPOINTS))["data"]["webhookEndpoints"]["nodes"][0]
            if not found["active"]:
                return found
            await pause()
        raise AssertionError("the endpoint stayed active")

    found = await disabled()
    assert found["disabledReason"] == "the endpoint answered 410 Gone"
    [delivery] = await deliveries(live, shop.admin, hook_id)
    assert (delivery["status"], delivery["lastStatusCode"], delivery["attemptCount"]) == ("FAILED", 410, 1)
    await place_order(live.api, shop.admin, [("TEE", 1)])
    await pause(1.0)
    assert len(receiver.requests) == 1


async def test_a_429_is_retried_after_the_time_the_receiver_asks_for(live, tenant, receiver):
    shop = await open_shop(live.api, tenant)
    hook_id, _ = await endpoint(live, shop.admin, receiver.url, ["ORDER_CREATED"])
    receiver.script = [(429, {"Retry-After": "1"})]
    await place_order(live.api, shop.admin, [("TEE", 1)])
    await receiver.wait_for(lambda: len(receiver.ok()) == 1)

    delivery = await one_delivery_with(live, shop.admin, hook_id, 2)
    limited, delivered = delivery["attempts"]
    assert (limited["statusCode"], delivered["statusCode"]) == (429, 200)
    wait = datetime.fromisoformat(limited["nextRetryAt"]) - datetime.fromisoformat(limited["attemptedAt"])
    assert 0.9 <= wait.total_seconds() <= 2  # the schedule alone would have said 5 ms here
    assert datetime.fromisoformat(delivered["attemptedAt"]) >= datetime.fromisoformat(limited["nextRetryAt"])


@pytest.mark.parametrize("scale", [0.00001])
async def test_an_endpoint_that_never_recovers_is_disabled_when_the_schedule_runs_out(live, tenant, receiver):
    shop = await open_shop(live.api, tenant)
    hook_id, _ = await endpoint(live, shop.admin, receiver.url, ["ORDER_CREATED"])
    receiver.otherwise = 500
    await place_order(live.api, shop.admin, [("TEE", 1)])
    await receiver.wait_for(lambda: len(receiver.requests) == 10, within=30)
    await pause(0.5)

    [delivery] = await deliveries(live, shop.admin, hook_id)
    assert (delivery["status"], delivery["attemptCount"]) == ("FAILED", 10)  # the first try and 9 retries
    found = (await live.api(shop.admin, WEBHOOK_ENDPOINTS))["data"]["webhookEndpoints"]["nodes"][0]
    assert (found["active"], found["disabledReason"]) == (False, "every retry failed")
    assert len(receiver.requests) == 10


async def test_during_a_rotation_deliveries_are_signed_with_both_secrets(live, tenant, receiver):
    shop = await open_shop(live.api, tenant)
    hook_id, old = await endpoint(live, shop.admin, receiver.url, ["ORDER_CREATED"])
    new = ok(await live.api(shop.admin, WEBHOOK_ROTATE, id=hook_id), "webhookEndpointRotateSecret")["secret"]
    await place_order(live.api, shop.admin, [("TEE", 1)])
    await receiver.wait_for(lambda: len(receiver.ok()) == 1)

    [request] = receiver.requests
    assert (
        old != new
        and verify(old, request.headers, request.body)
        and verify(new, request.headers, request.body)
    )
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert not verify("whsec_" + "A" * 44, request.headers, request.body)


async def test_a_replay_sends_a_range_of_the_log_again(live, tenant, receiver):
    shop = await open_shop(live.api, tenant)
    hook_id, secret = await endpoint(live, shop.admin, receiver.url, ["ORDER_CREATED"])
    for _ in range(3):
        await place_order(live.api, shop.admin, [("TEE", 1)])
    await receiver.wait_for(lambda: len(receiver.ok()) == 3)
    positions = sorted(int(json.loads(r.body)["data"]["position"]) for r in receiver.ok())

    body = await live.api(
        shop.admin, WEBHOOK_REPLAY, id=hook_id, **{"from": str(positions[0]), "to": str(positions[-1])}
    )
    assert ok(body, "webhookReplay")["enqueued"] == 2
    await receiver.wait_for(lambda: len(receiver.ok()) == 5)
    again = [int(json.loads(r.body)["data"]["position"]) for r in receiver.ok()[3:]]
    assert sorted(again) == positions[1:]
    assert all(verify(secret, r.headers, r.body) for r in receiver.ok())


async def test_bad_input_comes_back_as_coded_user_errors(live, tenant, receiver):
    shop = await open_shop(live.api, tenant)
    hook_id, _ = await endpoint(live, shop.admin, receiver.url)
    for url in ("ftp://example.com/x", "not a url", "http:///nohost", "https://user:pw@example.com/"):
        assert codes(await live.api(shop.admin, WEBHOOK_CREATE, url=url)) == ["INVALID_URL"], url
    replay = await live.api(shop.admin, WEBHOOK_REPLAY, id=hook_id, **{"from": "5", "to": "3"})
    assert codes(replay) == ["INVALID_RANGE"]
    assert codes(await live.api(shop.admin, WEBHOOK_REPLAY, id=hook_id, **{"from": "x", "to": "3"})) == [
        "INVALID"
    ]
    missing = global_id("WebhookEndpoint")
    assert codes(await live.api(shop.admin, WEBHOOK_DELETE, id=missing)) == ["NOT_FOUND"]
    assert codes(await live.api(shop.admin, WEBHOOK_UPDATE, input={"id": missing, "active": False})) == [
        "NOT_FOUND"
    ]


async def test_urls_resolving_to_private_or_loopback_addresses_are_refused(api, tenant):
    for url in (
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",
        "http://192.168.0.10/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
    ):
        body = await api(tenant.admin, WEBHOOK_CREATE, url=url)
        assert codes(body) == ["URL_NOT_ALLOWED"], url
        assert body["data"]["webhookEndpointCreate"]["secret"] is None
    assert (await api(tenant.admin, WEBHOOK_ENDPOINTS))["data"]["webhookEndpoints"]["nodes"] == []


async def test_only_admin_keys_manage_or_read_webhooks(live, tenant, receiver):
    shop = await open_shop(live.api, tenant)
    hook_id, _ = await endpoint(live, shop.admin, receiver.url)
    for role in (Role.STAFF, Role.STOREFRONT, Role.PARTNER):
        key = await tenant.key(role)
        for document, variables in (
            (WEBHOOK_CREATE, {"url": receiver.url}),
            (WEBHOOK_UPDATE, {"input": {"id": hook_id, "active": False}}),
            (WEBHOOK_ROTATE, {"id": hook_id}),
            (WEBHOOK_REPLAY, {"id": hook_id, "from": "0", "to": "1"}),
            (WEBHOOK_DELETE, {"id": hook_id}),
            (WEBHOOK_ENDPOINTS, {}),
            (WEBHOOK_DELIVERIES, {"id": hook_id}),
        ):
            body = await live.api(key, document, **variables)
            assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], (role, document)
    found = (await live.api(shop.admin, WEBHOOK_ENDPOINTS))["data"]["webhookEndpoints"]["nodes"]
    assert [(e["id"], e["active"]) for e in found] == [(hook_id, True)]


async def test_another_tenants_endpoint_is_invisible_and_untouchable(live, tenant, other_tenant, receiver):
    shop = await open_shop(live.api, tenant)
    other = await open_shop(live.api, other_tenant)
    theirs, _ = await endpoint(live, other.admin, receiver.url, ["ORDER_CREATED"])
    await place_order(live.api, other.admin, [("TEE", 1)])
    await receiver.wait_for(lambda: len(receiver.ok()) == 1)

    assert (await live.api(shop.admin, WEBHOOK_ENDPOINTS))["data"]["webhookEndpoints"]["nodes"] == []
    assert (await live.api(shop.admin, WEBHOOK_DELIVERIES, id=theirs))["data"]["webhookDeliveries"] is None
    for document, variables in (
        (WEBHOOK_UPDATE, {"input": {"id": theirs, "url": "http://example.com/"}}),
        (WEBHOOK_ROTATE, {"id": theirs}),
        (WEBHOOK_REPLAY, {"id": theirs, "from": "0", "to": "100"}),
        (WEBHOOK_DELETE, {"id": theirs}),
    ):
        assert codes(await live.api(shop.admin, document, **variables)) == ["NOT_FOUND"], document
    await place_order(live.api, shop.admin, [("TEE", 1)])  # our events never go to their endpoint
    await pause(0.5)
    assert len(receiver.ok()) == 1
    assert len(await deliveries(live, other.admin, theirs)) == 1


async def test_a_slow_endpoint_does_not_hold_up_deliveries_to_the_others(live, tenant, receiver):
    shop = await open_shop(live.api, tenant)
    async with receiving() as slow:
        slow.delay = 4.0
        await endpoint(live, shop.admin, slow.url, ["ORDER_CREATED"])
        await endpoint(live, shop.admin, receiver.url, ["ORDER_CREATED"])
        await place_order(live.api, shop.admin, [("TEE", 1)])
        await receiver.wait_for(lambda: len(receiver.ok()) == 1)
        await slow.wait_for(lambda: slow.started == 1)

        await place_order(live.api, shop.admin, [("TEE", 1)])  # while the slow endpoint still holds its first
        await receiver.wait_for(lambda: len(receiver.ok()) == 2, within=2)
        assert slow.requests == []  # its first answer has not even come back yet


async def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(live, tenant, receiver):
    shop = await open_shop(live.api, tenant)
    hook_id, _ = await endpoint(live, shop.admin, receiver.url, ["ORDER_CREATED"])
    receiver.script = [(307, {"Location": "http://127.0.0.1:9/elsewhere"})]
    await place_order(live.api, shop.admin, [("TEE", 1)])
    await receiver.wait_for(lambda: len(receiver.ok()) == 1)

    delivery = await one_delivery_with(live, shop.admin, hook_id, 2)
    redirected, delivered = delivery["attempts"]
    assert redirected["statusCode"] == 307 and "not followed" in redirected["error"]
    assert delivered["statusCode"] == 200 and len(receiver.requests) == 2  # nothing went to the Location


@pytest.fixture
async def impatient(db, database_url, live_settings):
    settings = Settings(
        **{
            **live_settings.__dict__,
            "webhook_allow_private": True,
            "retry_scale": 0.001,
            "webhook_timeout": 0.5,
        }
    )
    async with serving(create_app(settings, database_url)) as server:
        yield server


async def test_an_endpoint_slower_than_the_timeout_is_retried(impatient, tenant, receiver):
    shop = await open_shop(impatient.api, tenant)
    hook_id, _ = await endpoint(impatient, shop.admin, receiver.url, ["ORDER_CREATED"])
    receiver.delay = 1.5
    await place_order(impatient.api, shop.admin, [("TEE", 1)])
    await receiver.wait_for(lambda: receiver.started == 1)
    receiver.delay = 0  # the first request is still sleeping past the timeout; the retry is answered
    await receiver.wait_for(lambda: len(receiver.ok()) >= 1)

    for _ in range(100):
        [delivery] = await deliveries(impatient, shop.admin, hook_id)
        if delivery["status"] == "SUCCEEDED":
            break
        await pause()
    assert delivery["status"] == "SUCCEEDED"
    timed_out = [a for a in delivery["attempts"] if a["statusCode"] is None]
    assert timed_out and all(a["error"] == "timed out" for a in timed_out)
    assert all(400 <= a["latencyMs"] < 1500 for a in timed_out)
