"""Customer-scoped access over a real WebSocket (graphql-transport-ws, uvicorn, relay and listener running):
following an order by its token or with the customer's token, rejected customer tokens, and what public
and partner keys receive from every subscription."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from domain.customers.tokens import sign
from domain.tenancy.models import Role
from tests.api.conftest import open_shop
from tests.api.customer_documents import (
    ADA,
    BOB,
    EMAILS,
    KEY_CREATE,
    PHONES,
    PRIVATE,
    PRIVATE_ORDER_FIELDS,
    SECRET_ROTATE,
    customer_token,
    in_seconds,
    place_private,
    private_input,
    seed_private_orders,
)
from tests.api.documents import ORDER_CANCEL, ORDER_CONFIRM, ORDER_CREATE_WITH_TOKEN, ok
from tests.api.live import EVENTS, INVENTORY_CHANGED, PROTOCOL, Socket

FOLLOW = f"""subscription Follow($id: ID, $token: String) {{
  orderUpdated(id: $id, token: $token) {{ version {PRIVATE_ORDER_FIELDS} }}
}}"""
CONTACT_EVENTS = ["CUSTOMER_TIER_CHANGED", "CUSTOMER_ACCESS_TOKEN_ISSUED"]
PARTNER_SCOPES = ["catalog:read", "events:read", "fulfillment:write", "inventory:read", "orders:read"]


def refusal(message: dict[str, Any]) -> list[str]:
    """The error codes a subscription ended with (a `next` with errors, or an `error` message)."""
    payload = message["payload"]
    if message["type"] == "error":
        return [e.get("extensions", {}).get("code") for e in payload]
    assert message["type"] == "next" and payload["data"] is None, message
    return [e["extensions"]["code"] for e in payload["errors"]]


def leaked(messages: list[dict[str, Any]], secrets: list[str]) -> list[str]:
    seen = json.dumps(messages).lower()
    return [secret for secret in secrets if secret.lower() in seen]


async def test_a_guest_follows_its_order_by_token_while_a_guess_or_a_bare_id_is_refused(live, tenant):
    shop = await open_shop(live.api, tenant)
    order, token = await place_private(live.api, shop.admin, ADA, [("TEE", 1)])
    storefront = await tenant.key(Role.STOREFRONT)

    async with Socket.open(live.ws_url, storefront) as sock:
        op = await sock.subscribe(FOLLOW, token=token)
        now = (await sock.next(op))["orderUpdated"]
        assert (now["id"], now["status"], now["email"]) == (order["id"], "PENDING", ADA["email"])
        assert now["customer"] is None
        ok(await live.api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
        confirmed = (await sock.next(op))["orderUpdated"]
        assert (confirmed["status"], confirmed["version"]) == ("CONFIRMED", now["version"] + 1)

        guessed = await sock.subscribe(FOLLOW, token="bo_" + "A" * 43)
        assert refusal(await sock.message(guessed)) == ["NOT_FOUND"]
        bare = await sock.subscribe(FOLLOW, id=order["id"])
        bare_answer = await sock.message(bare)
        assert refusal(bare_answer) == ["FORBIDDEN"]
        assert leaked([bare_answer], PRIVATE) == []


async def test_a_signed_in_customer_follows_their_own_orders_by_id_and_never_anothers(live, tenant):
    shop = await open_shop(live.api, tenant)
    hers, _ = await place_private(live.api, shop.admin, ADA, [("TEE", 1)])
    his, _ = await place_private(live.api, shop.admin, BOB, [("MUG", 1)])
    token = await customer_token(live.api, await tenant.key(Role.STAFF), ADA["email"])

    async with Socket.open(live.ws_url, await tenant.key(Role.STOREFRONT), customer_token=token) as sock:
        op = await sock.subscribe(FOLLOW, id=hers["id"])
        now = (await sock.next(op))["orderUpdated"]
        assert (now["number"], now["email"], now["customer"]["email"]) == (
            "#1001",
            ADA["email"],
            ADA["email"],
        )
        ok(await live.api(shop.admin, ORDER_CANCEL, id=his["id"]), "orderCancel")  # not hers: not sent
        ok(await live.api(shop.admin, ORDER_CONFIRM, id=hers["id"]), "orderConfirm")
        assert (await sock.next(op))["orderUpdated"]["status"] == "CONFIRMED"

        other = await sock.subscribe(FOLLOW, id=his["id"])
        answer = await sock.message(other)
        assert refusal(answer) == ["NOT_FOUND"]
        events = await sock.subscribe(EVENTS, after="0")
        events_answer = await sock.message(events)
        assert refusal(events_answer) == ["FORBIDDEN"]
        assert leaked([answer, events_answer], [BOB["email"], BOB["line1"], BOB["postal"]]) == []
        assert await sock.nothing_more(op, wait=0.2)


@pytest.mark.parametrize(
    "kind", ["unknown order token", "forged", "expired", "another shops", "not a string"]
)
async def test_a_socket_with_a_customer_token_that_proves_nothing_is_rejected(
    live, tenant, other_tenant, kind
):
    shop = await open_shop(live.api, tenant)
    other = await open_shop(live.api, other_tenant)
    secret = ok(await live.api(shop.admin, SECRET_ROTATE, keep=True), "customerTokenSecretRotate")["secret"]
    theirs = ok(
        await live.api(other.admin, ORDER_CREATE_WITH_TOKEN, input=private_input(ADA, [("TEE", 1)])),
        "orderCreate",
    )["orderAccessToken"]
    token: Any = {
        "unknown order token": "bo_" + "A" * 43,
        "forged": sign("bcs_not-this-shops-secret", ADA["email"], in_seconds(600)),
        "expired": sign(secret, ADA["email"], in_seconds(-1)),
        "another shops": theirs,
        "not a string": {"token": theirs},
    }[kind]
    key = await tenant.key(Role.STOREFRONT)

    async with connect(live.ws_url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        init = {"Authorization": f"Bearer {key}", "customerToken": token}
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

    valid = sign(secret, ADA["email"], in_seconds(600))  # while a good one is welcome
    async with Socket.open(live.ws_url, key, customer_token=valid) as sock:
        op = await sock.subscribe("subscription { inventoryChanged { sku } }")
        assert await sock.nothing_more(op, wait=0.1)


async def test_a_public_key_without_a_token_gets_nothing_private_from_any_subscription(live, tenant):
    shop = await open_shop(live.api, tenant)
    seeded = await seed_private_orders(live.api, shop)
    storefront = await tenant.key(Role.STOREFRONT)
    subscriptions = {
        "events": [(EVENTS, {"after": "0"}), (EVENTS, {})],
        "orderUpdated": [(FOLLOW, {"id": seeded.ada_order["id"]}), (FOLLOW, {"token": "bo_" + "B" * 43})],
        "inventoryChanged": [(INVENTORY_CHANGED, {}), (INVENTORY_CHANGED, {"skus": ["TEE", "MUG"]})],
    }
    schema = await live.api(shop.admin, "{ __schema { subscriptionType { fields { name } } } }")
    fields = {f["name"] for f in schema["data"]["__schema"]["subscriptionType"]["fields"]}
    assert fields == set(subscriptions), "a new subscription: add it here, with what a public key may see"

    received: list[dict[str, Any]] = []
    async with Socket.open(live.ws_url, storefront) as sock:
        ops = {
            (name, i): await sock.subscribe(document, **variables)
            for name, asked in subscriptions.items()
            for i, (document, variables) in enumerate(asked)
        }
        for (name, i), op in ops.items():
            if name == "inventoryChanged":
                continue
            answer = await sock.message(op)
            received.append(answer)
            expected = ["FORBIDDEN"] if (name, i) != ("orderUpdated", 1) else ["NOT_FOUND"]
            assert refusal(answer) == expected, (name, i, answer)
        await asyncio.sleep(0.2)  # the stock subscriptions are registered before the next order
        await place_private(live.api, shop.admin, BOB, [("TEE", 1), ("MUG", 1)])
        for key in (("inventoryChanged", 0), ("inventoryChanged", 1)):
            changes = [await sock.next(ops[key]) for _ in range(2)]  # TEE and MUG reserved
            assert sorted(c["inventoryChanged"]["sku"] for c in changes) == ["MUG", "TEE"]
            received.extend(changes)
        for (name, _), op in ops.items():  # a refused subscription ends: nothing follows it
            if name != "inventoryChanged":
                assert (await sock.message(op, wait=2))["type"] == "complete", name
                assert await sock.nothing_more(op, wait=0)

    assert leaked(received, PRIVATE) == []
    # ...while an admin's events carry the emails: the streams asked for do hold private data
    async with Socket.open(live.ws_url, shop.admin) as admin:
        op = await admin.subscribe(EVENTS, after="0", types=CONTACT_EVENTS)
        contact = [(await admin.next(op))["events"] for _ in CONTACT_EVENTS]
    assert sorted(e["payload"]["email"] for e in contact) == sorted(EMAILS)


async def test_a_partner_follows_events_and_orders_without_emails_or_phones_unless_its_key_may(live, tenant):
    shop = await open_shop(live.api, tenant)
    seeded = await seed_private_orders(live.api, shop)
    partner = await tenant.key(Role.PARTNER)
    body = await live.api(
        shop.admin,
        KEY_CREATE,
        input={"name": "3PL with contacts", "role": "PARTNER", "scopes": [*PARTNER_SCOPES, "customers:read"]},
    )
    contacts = ok(body, "apiKeyCreate")["secret"]

    async def follow(key: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        async with Socket.open(live.ws_url, key) as sock:
            events_op = await sock.subscribe(EVENTS, after="0", types=CONTACT_EVENTS)
            events = [(await sock.next(events_op))["events"] for _ in CONTACT_EVENTS]
            order_op = await sock.subscribe(FOLLOW, id=seeded.ada_order["id"])
            order = (await sock.next(order_op))["orderUpdated"]
        return events, order

    events, order = await follow(partner)
    assert sorted(e["type"] for e in events) == sorted(CONTACT_EVENTS)
    assert all("email" not in e["payload"] and "phone" not in e["payload"] for e in events)
    assert (order["email"], order["customer"], order["shippingAddress"]["phone"]) == (None, None, None)
    assert (order["shippingAddress"]["line1"], order["shippingAddress"]["postalCode"]) == (
        ADA["line1"],
        ADA["postal"],
    )
    assert leaked([*events, order], EMAILS + PHONES) == []

    events, order = await follow(contacts)
    assert sorted(e["payload"]["email"] for e in events) == sorted(EMAILS)
    assert (order["email"], order["customer"]["phone"], order["shippingAddress"]["phone"]) == (
        ADA["email"],
        ADA["phone"],
        ADA["phone"],
    )


async def test_a_follower_never_receives_contact_details_that_another_connection_proved(live, tenant):
    shop = await open_shop(live.api, tenant)
    order, token = await place_private(live.api, shop.admin, ADA, [("TEE", 1)])
    async with (
        Socket.open(live.ws_url, await tenant.key(Role.PARTNER)) as holder,
        Socket.open(live.ws_url, await tenant.key(Role.PARTNER)) as other,
    ):
        # the first partner connection holds the order's token and proves it
        proof = await holder.subscribe("query($t: String!) { orderByToken(token: $t) { id } }", t=token)
        assert (await holder.next(proof))["orderByToken"] == {"id": order["id"]}
        mine = await holder.subscribe(FOLLOW, id=order["id"])
        assert (await holder.next(mine))["orderUpdated"]["email"] == ADA["email"]

        # a second partner key (same scopes, same request), without the token
        theirs = await other.subscribe(FOLLOW, id=order["id"])
        seen = (await other.next(theirs))["orderUpdated"]

    assert (seen["email"], seen["shippingAddress"]["phone"]) == (None, None)


async def test_a_proof_made_after_followers_joined_shows_the_others_no_contact_details(live, tenant):
    shop = await open_shop(live.api, tenant)
    order, token = await place_private(live.api, shop.admin, ADA, [("TEE", 1)])
    async with (
        Socket.open(live.ws_url, await tenant.key(Role.PARTNER)) as first,
        Socket.open(live.ws_url, await tenant.key(Role.PARTNER)) as second,
    ):
        ops = [await first.subscribe(FOLLOW, id=order["id"]), await second.subscribe(FOLLOW, id=order["id"])]
        for sock, op in zip((first, second), ops, strict=True):
            assert (await sock.next(op))["orderUpdated"]["email"] is None
        # the first connection now proves the order's token; the second never does
        proof = await first.subscribe("query($t: String!) { orderByToken(token: $t) { id } }", t=token)
        assert (await first.next(proof))["orderByToken"] == {"id": order["id"]}
        ok(await live.api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
        seen = (await second.next(ops[1]))["orderUpdated"]

    assert (seen["status"], seen["email"], seen["shippingAddress"]["phone"]) == ("CONFIRMED", None, None)
