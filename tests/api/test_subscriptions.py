"""Subscriptions over graphql-transport-ws against a real uvicorn server running the relay and the
listener: events (replay, then live), orderUpdated, inventoryChanged; limits and tenant isolation."""

from __future__ import annotations

import asyncio

from domain.tenancy.models import Role
from tests.api.conftest import open_shop
from tests.api.documents import (
    INVENTORY_ADJUST,
    ORDER_CANCEL,
    ORDER_CONFIRM,
    ok,
    place_order,
    place_order_with_token,
)
from tests.api.live import (
    EVENTS,
    EVENTS_FEED,
    INVENTORY_CHANGED,
    ORDER_UPDATED,
    ORDER_UPDATED_BY_TOKEN,
    Socket,
)


async def test_a_subscriber_receives_the_events_of_a_mutation_as_they_happen(live, tenant):
    shop = await open_shop(live.api, tenant)
    async with Socket.open(live.ws_url, await tenant.key(Role.PARTNER)) as sock:
        op = await sock.subscribe(EVENTS, types=["ORDER_CREATED", "ORDER_STOCK_RESERVED"])
        await asyncio.sleep(0.2)  # the subscription is registered before the order is placed
        order = await place_order(live.api, shop.admin, [("TEE", 2)])

        created = (await sock.next(op))["events"]
        reserved = (await sock.next(op))["events"]

    assert (created["type"], created["aggregateId"], created["aggregateSequence"]) == (
        "ORDER_CREATED",
        order["id"],
        1,
    )
    assert created["payload"]["number"] == "#1001"
    assert (reserved["type"], reserved["aggregateSequence"]) == ("ORDER_STOCK_RESERVED", 2)
    assert int(reserved["position"]) == int(created["position"]) + 1


async def test_a_subscriber_resuming_from_a_cursor_gets_the_past_then_the_present_once_each(live, tenant):
    shop = await open_shop(live.api, tenant)
    past = [await place_order(live.api, shop.admin, [("MUG", 1)]) for _ in range(3)]

    async def until_placed(sock: Socket, op: str, order_id: str) -> list[dict]:
        got: list[dict] = []  # placement's last event is its risk assessment
        while not got or (got[-1]["type"], got[-1]["aggregateId"]) != ("ORDER_RISK_ASSESSED", order_id):
            got.append((await sock.next(op))["events"])
        return got

    for _ in range(200):  # a client's cursor is a position the log has reached (the relay numbers them)
        numbered = (await live.api(shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]
        if len(numbered) >= 6:
            break
        await asyncio.sleep(0.05)
    async with Socket.open(live.ws_url, shop.admin) as sock:
        op = await sock.subscribe(EVENTS, after="5")
        replayed = await until_placed(sock, op, past[-1]["id"])  # from the table
        present = await place_order(live.api, shop.admin, [("TEE", 1)])
        followed = await until_placed(sock, op, present["id"])  # live
        assert await sock.nothing_more(op)

    seen = replayed + followed
    positions = [int(e["position"]) for e in seen]
    assert positions == list(range(6, 6 + len(seen)))
    feed = (await live.api(shop.admin, EVENTS_FEED, after="5", first=100))["data"]["eventsFeed"]["nodes"]
    assert [e["id"] for e in seen] == [e["id"] for e in feed]


async def test_order_updated_sends_the_order_now_and_after_each_change(live, tenant):
    shop = await open_shop(live.api, tenant)
    order, token = await place_order_with_token(live.api, shop.admin, [("TEE", 1)])
    async with Socket.open(live.ws_url, await tenant.key(Role.STOREFRONT)) as sock:  # the guest's page
        op = await sock.subscribe(ORDER_UPDATED_BY_TOKEN, token=token)
        now = (await sock.next(op))["orderUpdated"]
        assert (now["id"], now["status"]) == (order["id"], "PENDING")

        other = await place_order(live.api, shop.admin, [("MUG", 1)])  # another order: not sent
        ok(await live.api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
        confirmed = (await sock.next(op))["orderUpdated"]
        assert (confirmed["status"], confirmed["version"]) == ("CONFIRMED", now["version"] + 1)
        assert await sock.nothing_more(op)
    assert other["id"] != order["id"]


async def test_inventory_changed_follows_only_the_skus_asked_for(live, tenant):
    shop = await open_shop(live.api, tenant)
    async with Socket.open(live.ws_url, await tenant.key(Role.STOREFRONT)) as sock:
        op = await sock.subscribe(INVENTORY_CHANGED, skus=["TEE"])
        await asyncio.sleep(0.2)
        adjust = {"locationId": shop.location_id, "reason": "FOUND"}
        ok(await live.api(shop.admin, INVENTORY_ADJUST, sku="MUG", delta=4, **adjust), "inventoryAdjust")
        ok(await live.api(shop.admin, INVENTORY_ADJUST, sku="TEE", delta=2, **adjust), "inventoryAdjust")
        await place_order(live.api, shop.admin, [("TEE", 3)])

        found = (await sock.next(op))["inventoryChanged"]
        reserved = (await sock.next(op))["inventoryChanged"]
        assert await sock.nothing_more(op)

    assert (found["sku"], found["onHand"], found["committed"], found["available"], found["reason"]) == (
        "TEE",
        12,
        0,
        12,
        "FOUND",
    )
    assert (reserved["onHand"], reserved["committed"], reserved["available"]) == (12, 3, 9)
    assert found["locationId"] == shop.location_id


INVENTORY_SET_SAFETY = """
mutation($sku: String!, $locationId: ID!, $onHand: Int!, $safetyStock: Int) {
  inventorySet(input: {sku: $sku, locationId: $locationId, onHand: $onHand, safetyStock: $safetyStock}) {
    inventoryLevel { available } userErrors { code }
  }
}"""


async def test_a_stock_change_shows_available_as_the_level_does_never_negative_without_backorders(
    live, tenant
):
    shop = await open_shop(live.api, tenant)
    async with Socket.open(live.ws_url, await tenant.key(Role.STOREFRONT)) as sock:
        op = await sock.subscribe(INVENTORY_CHANGED, skus=["TEE"])
        await asyncio.sleep(0.2)
        level = await live.api(
            shop.admin, INVENTORY_SET_SAFETY, sku="TEE", locationId=shop.location_id, onHand=3, safetyStock=5
        )
        changed = (await sock.next(op))["inventoryChanged"]

    assert ok(level, "inventorySet")["inventoryLevel"] == {"available": 0}
    assert (changed["onHand"], changed["available"]) == (3, 0)


async def test_a_subscriber_never_sees_another_tenants_events_or_orders(live, tenant, other_tenant):
    shop = await open_shop(live.api, tenant)
    other = await open_shop(live.api, other_tenant)
    theirs = await place_order(live.api, other.admin, [("TEE", 1)])
    async with Socket.open(live.ws_url, shop.admin) as sock:
        events = await sock.subscribe(EVENTS, after="0")
        follow = await sock.subscribe(ORDER_UPDATED, id=theirs["id"])
        refused = await sock.message(follow)
        assert refused["type"] == "next" and refused["payload"]["data"] is None
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"

        stock = await sock.subscribe(INVENTORY_CHANGED, skus=["TEE"])
        await asyncio.sleep(0.2)
        await place_order(live.api, other.admin, [("TEE", 1)])
        mine = await place_order(live.api, shop.admin, [("TEE", 1)])
        seen = []
        while not any(e["aggregateId"] == mine["id"] for e in seen):
            seen.append((await sock.next(events))["events"])
        first_stock_change = (await sock.next(stock))["inventoryChanged"]
        assert (first_stock_change["locationId"], first_stock_change["committed"]) == (shop.location_id, 1)

    other_ids = {theirs["id"], other.location_id, other.tee_id, other.mug_id}
    assert not other_ids & {e["aggregateId"] for e in seen}
    assert not other_ids & {e["payload"].get("productId") for e in seen}


async def test_a_connection_may_hold_only_so_many_subscriptions(live, tenant, live_settings):
    async with Socket.open(live.ws_url, tenant.admin) as sock:
        for _ in range(live_settings.max_subscriptions):
            await sock.subscribe(EVENTS)
        extra = await sock.subscribe(EVENTS)
        refused = await sock.message(extra)

    assert refused["type"] == "error"
    assert refused["payload"][0]["message"] == "Subscription limit reached"


async def test_a_bad_cursor_ends_the_subscription_with_a_bad_user_input_error(live, tenant):
    async with Socket.open(live.ws_url, tenant.admin) as sock:
        op = await sock.subscribe(EVENTS, after="yesterday")
        refused = await sock.message(op)

    assert refused["payload"]["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_identical_order_followers_share_one_execution_and_a_late_one_gets_the_order_at_once(
    live, tenant
):
    shop = await open_shop(live.api, tenant)
    order, token = await place_order_with_token(live.api, shop.admin, [("TEE", 1)])
    key = await tenant.key(Role.STOREFRONT)
    async with (  # the customer's phones, each with the order's access token
        Socket.open(live.ws_url, key, customer_token=token) as one,
        Socket.open(live.ws_url, key, customer_token=token) as two,
    ):
        ops = [
            await one.subscribe(ORDER_UPDATED, id=order["id"]),
            await two.subscribe(ORDER_UPDATED, id=order["id"]),
        ]
        assert [
            (await s.next(op))["orderUpdated"]["status"] for s, op in zip((one, two), ops, strict=True)
        ] == [
            "PENDING",
            "PENDING",
        ]
        assert live.app.state.view.shared_streams.count == 1
        assert live.app.state.hub.subscriber_count == 1  # one execution follows the log for both

        ok(await live.api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
        assert [
            (await s.next(op))["orderUpdated"]["status"] for s, op in zip((one, two), ops, strict=True)
        ] == [
            "CONFIRMED",
            "CONFIRMED",
        ]
        async with Socket.open(live.ws_url, key, customer_token=token) as late:
            late_op = await late.subscribe(ORDER_UPDATED, id=order["id"])
            assert (await late.next(late_op))["orderUpdated"]["status"] == "CONFIRMED"
            await one.stop(ops[0])
            await two.stop(ops[1])
            await asyncio.sleep(0.1)
            ok(await live.api(shop.admin, ORDER_CANCEL, id=order["id"]), "orderCancel")
            assert (await late.next(late_op))["orderUpdated"]["status"] == "CANCELLED"
            assert await one.nothing_more(ops[0], wait=0.2)

    await asyncio.sleep(0.2)
    assert live.app.state.view.shared_streams.count == 0
    assert live.app.state.hub.subscriber_count == 0


async def test_followers_share_only_within_one_tenant_and_role(live, tenant, other_tenant):
    shop = await open_shop(live.api, tenant)
    order = await place_order(live.api, shop.admin, [("TEE", 1)])
    async with (
        Socket.open(live.ws_url, shop.admin) as mine,
        Socket.open(live.ws_url, other_tenant.admin) as theirs,
    ):
        op = await mine.subscribe(ORDER_UPDATED, id=order["id"])
        assert (await mine.next(op))["orderUpdated"]["id"] == order["id"]
        same_request = await theirs.subscribe(ORDER_UPDATED, id=order["id"])
        refused = await theirs.message(same_request)
        assert refused["payload"]["data"] is None
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        async with Socket.open(live.ws_url, await tenant.key(Role.PARTNER)) as partner:
            partner_op = await partner.subscribe(ORDER_UPDATED, id=order["id"])
            assert (await partner.next(partner_op))["orderUpdated"]["id"] == order["id"]
            assert live.app.state.view.shared_streams.count == 2


async def test_a_lost_ping_is_made_up_for_by_the_slow_timer(
    db, database_url, live_settings, tenant, monkeypatch
):
    from domain.events import relay
    from server.app import create_app
    from server.settings import Settings
    from tests.api.conftest import publish
    from tests.api.live import serving

    quiet = Settings(**{**live_settings.__dict__, "workers_in_serve": False, "live_poll_seconds": 0.3})
    async with serving(create_app(quiet, database_url)) as server:
        shop = await open_shop(server.api, tenant)
        await publish(database_url)
        async with Socket.open(server.ws_url, shop.admin) as sock:
            op = await sock.subscribe(EVENTS, types=["ORDER_CREATED"])
            await asyncio.sleep(0.2)
            order = await place_order(server.api, shop.admin, [("TEE", 1)])
            monkeypatch.setattr(relay, "CHANNEL", "nobody_listens_here")  # the ping goes nowhere
            await publish(database_url)

            created = (await sock.next(op, wait=5))["events"]
    assert created["aggregateId"] == order["id"]


async def test_inventory_changed_follows_a_product_after_its_sku_is_renamed(live, tenant):
    shop = await open_shop(live.api, tenant)
    adjust = {"locationId": shop.location_id, "reason": "FOUND"}
    async with Socket.open(live.ws_url, tenant.admin) as sock:
        before = await sock.subscribe(INVENTORY_CHANGED, skus=["TEE"])
        await asyncio.sleep(0.2)
        ok(await live.api(shop.admin, INVENTORY_ADJUST, sku="TEE", delta=1, **adjust), "inventoryAdjust")
        assert (await sock.next(before))["inventoryChanged"]["sku"] == "TEE"
        renamed = await live.api(
            shop.admin,
            'mutation($id: ID!) { productUpdate(input: {id: $id, sku: "SHIRT"}) { userErrors { code } } }',
            id=shop.tee_id,
        )
        assert renamed["data"]["productUpdate"]["userErrors"] == []
        after = await sock.subscribe(INVENTORY_CHANGED, skus=["SHIRT"])
        await asyncio.sleep(0.2)
        ok(await live.api(shop.admin, INVENTORY_ADJUST, sku="SHIRT", delta=1, **adjust), "inventoryAdjust")

        assert (await sock.next(after))["inventoryChanged"]["sku"] == "SHIRT"
        assert await sock.nothing_more(before)


async def test_a_subscriber_whose_cursor_is_ahead_of_the_log_is_told_so(live, tenant):
    shop = await open_shop(live.api, tenant)
    async with Socket.open(live.ws_url, shop.admin) as sock:
        op = await sock.subscribe(EVENTS, after="999")
        message = await sock.message(op)
    assert message["type"] == "next" and message["payload"]["errors"], message
    error = message["payload"]["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "ahead of the log" in error["message"]


async def test_an_order_held_for_approval_is_followed_live_by_its_customer_and_partners(live, tenant):
    shop = await open_shop(live.api, tenant)
    rules = 'mutation { approvalRulesSet(input: {rules: [{name: "All"}]}) { userErrors { code } } }'
    ok(await live.api(shop.admin, rules), "approvalRulesSet")
    approve = "mutation($id: ID!) { orderApprove(input: {orderId: $id}) { userErrors { code } } }"
    async with (
        Socket.open(live.ws_url, await tenant.key(Role.PARTNER)) as partner,
        Socket.open(live.ws_url, await tenant.key(Role.STOREFRONT)) as guest,
    ):
        events = await partner.subscribe(EVENTS, types=["ORDER_APPROVAL_REQUESTED", "ORDER_APPROVED"])
        await asyncio.sleep(0.2)  # the subscription is registered before the order is placed
        order, token = await place_order_with_token(live.api, shop.admin, [("TEE", 1)])
        follow = await guest.subscribe(ORDER_UPDATED_BY_TOKEN, token=token)
        assert (await guest.next(follow))["orderUpdated"]["status"] == "PENDING_APPROVAL"

        ok(await live.api(await tenant.key(Role.STAFF), approve, id=order["id"]), "orderApprove")

        assert (await guest.next(follow))["orderUpdated"]["status"] == "PENDING"
        requested = (await partner.next(events))["events"]
        approved = (await partner.next(events))["events"]
    assert (requested["type"], requested["aggregateId"]) == ("ORDER_APPROVAL_REQUESTED", order["id"])
    assert requested["payload"]["ruleName"] == "All"
    assert approved["type"] == "ORDER_APPROVED"
