"""Relay global IDs: node(id) and nodes(ids) for every Node type."""

from __future__ import annotations

from domain.tenancy.models import Role
from tests.api.conftest import publish
from tests.api.documents import (
    NODE,
    NODES,
    ORDER_DETAIL,
    WEBHOOK_CREATE,
    error_codes,
    global_id,
    ok,
    place_order,
)
from tests.api.live import EVENTS_FEED
from tests.db_helpers import system_connection

WEBHOOK_NODE = """
query Node($id: ID!) { node(id: $id) { __typename id ... on WebhookEndpoint { url active eventTypes } } }
"""
PUBLIC_URL = "https://93.184.216.34/hooks"  # an address literal: no DNS lookup, not a private address


async def create_endpoint(api, key: str) -> str:
    payload = ok(await api(key, WEBHOOK_CREATE, url=PUBLIC_URL), "webhookEndpointCreate")
    return payload["webhookEndpoint"]["id"]


async def every_kind_of_node(api, shop) -> dict[str, tuple[str, dict]]:
    order = await place_order(api, shop.admin, [("TEE", 2), ("MUG", 1)])
    detail = (await api(shop.admin, ORDER_DETAIL, id=order["id"]))["data"]["order"]
    return {
        "Order": (order["id"], {"number": "#1001"}),
        "OrderLine": (detail["lines"][1]["id"], {"sku": "MUG"}),
        "Product": (shop.tee_id, {"sku": "TEE"}),
        "Location": (shop.location_id, {"code": "main-warehouse"}),
        "Customer": (detail["customer"]["id"], {"email": "grace@example.com"}),
    }


async def test_every_node_type_is_found_by_its_global_id(api, shop):
    for type_name, (node_id, fields) in (await every_kind_of_node(api, shop)).items():
        body = await api(shop.admin, NODE, id=node_id)
        assert body["data"] == {"node": {"__typename": type_name, "id": node_id, **fields}}, type_name
        assert "errors" not in body, type_name


async def test_nodes_returns_each_id_in_order_with_null_for_the_unknown(api, shop):
    found = await every_kind_of_node(api, shop)
    ids = [node_id for node_id, _ in found.values()]
    unknown = [global_id("Order"), global_id("Widget"), "not-base64!"]

    body = await api(shop.admin, NODES, ids=[*ids, *unknown])

    assert body["data"]["nodes"] == [
        *({"__typename": type_name, "id": node_id} for type_name, (node_id, _) in found.items()),
        None,
        None,
        None,
    ]


async def test_global_ids_are_opaque_and_distinct_per_type(api, shop):
    found = await every_kind_of_node(api, shop)
    ids = [node_id for node_id, _ in found.values()]

    assert len(set(ids)) == len(ids)
    assert not any("-" in i and len(i) == 36 for i in ids)  # not raw UUIDs


async def test_an_unknown_or_malformed_node_id_is_null(api, shop):
    for node_id in (global_id("Order"), global_id("Product"), "", "%%%", global_id("Location").lower()):
        body = await api(shop.admin, NODE, id=node_id)
        assert body["data"] == {"node": None} and "errors" not in body, node_id


async def test_more_than_one_hundred_ids_are_bad_user_input(api, shop):
    body = await api(shop.admin, NODES, ids=[global_id("Order") for _ in range(101)])

    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_webhook_endpoint_is_found_by_its_global_id(api, shop):
    endpoint_id = await create_endpoint(api, shop.admin)

    body = await api(shop.admin, WEBHOOK_NODE, id=endpoint_id)
    both = await api(shop.admin, NODES, ids=[endpoint_id, global_id("WebhookEndpoint")])

    assert "errors" not in body
    assert body["data"]["node"] == {
        "__typename": "WebhookEndpoint",
        "id": endpoint_id,
        "url": PUBLIC_URL,
        "active": True,
        "eventTypes": [],
    }
    assert both["data"]["nodes"] == [{"__typename": "WebhookEndpoint", "id": endpoint_id}, None]


async def test_another_tenants_webhook_endpoint_reads_exactly_like_a_missing_one(api, shop, other_shop):
    theirs = await create_endpoint(api, other_shop.admin)

    foreign = await api(shop.admin, WEBHOOK_NODE, id=theirs)
    absent = await api(shop.admin, WEBHOOK_NODE, id=global_id("WebhookEndpoint"))

    assert (foreign["data"], foreign.get("errors")) == (absent["data"], absent.get("errors"))
    assert foreign["data"] == {"node": None} and "errors" not in foreign
    assert (await api(other_shop.admin, WEBHOOK_NODE, id=theirs))["data"]["node"]["id"] == theirs


async def test_a_key_without_webhooks_manage_is_forbidden_a_webhook_endpoint_node(api, shop):
    endpoint_id = await create_endpoint(api, shop.admin)

    for role in (Role.STAFF, Role.PARTNER, Role.STOREFRONT):
        body = await api(await shop.tenant.key(role), WEBHOOK_NODE, id=endpoint_id)
        assert body["data"] == {"node": None}, role
        assert error_codes(body) == ["FORBIDDEN"], role


EVENT_NODE = """
query Node($id: ID!) { node(id: $id) { __typename id ... on Event { type position aggregateId payload } } }
"""


async def test_an_event_is_found_by_its_global_id_once_it_is_in_the_log(api, shop, other_shop, database_url):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    conn = await system_connection(database_url)
    try:
        written = await conn.fetchval("SELECT id FROM outbox_events WHERE type = 'ORDER_CREATED'")
    finally:
        await conn.close()
    not_yet = await api(shop.admin, EVENT_NODE, id=global_id("Event", written))
    assert not_yet["data"] == {"node": None} and "errors" not in not_yet  # no position yet: not in the log
    await publish(database_url)
    (created,) = [
        e
        for e in (await api(shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]
        if e["type"] == "ORDER_CREATED"
    ]

    body = await api(shop.admin, EVENT_NODE, id=created["id"])
    assert "errors" not in body and body["data"]["node"] == {
        "__typename": "Event",
        "id": created["id"],
        "type": "ORDER_CREATED",
        "position": created["position"],
        "aggregateId": order["id"],
        "payload": created["payload"],
    }
    assert (await api(other_shop.admin, EVENT_NODE, id=created["id"]))["data"] == {"node": None}
    assert (await api(shop.admin, EVENT_NODE, id=global_id("Event")))["data"] == {"node": None}
    storefront = await api(await shop.tenant.key(Role.STOREFRONT), EVENT_NODE, id=created["id"])
    assert storefront["data"] == {"node": None} and error_codes(storefront) == ["FORBIDDEN"]
