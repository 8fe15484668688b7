"""eventsFeed: the shop's event log as a pull feed, paged by position."""

from __future__ import annotations

from domain.tenancy.models import Role
from tests.api.conftest import publish
from tests.api.documents import error_codes, place_order
from tests.api.live import EVENTS_FEED
from tests.db_helpers import system_connection


async def test_the_feed_lists_every_event_in_order_and_pages_by_position(api, shop, database_url):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    await publish(database_url)

    everything = (await api(shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]
    positions = [int(e["position"]) for e in everything["nodes"]]
    assert positions == list(range(1, len(positions) + 1))
    assert everything["pageInfo"]["hasNextPage"] is False
    placed = [e for e in everything["nodes"] if e["aggregateId"] == order["id"]]
    assert [(e["type"], e["aggregateSequence"]) for e in placed] == [
        ("ORDER_CREATED", 1),
        ("ORDER_STOCK_RESERVED", 2),
        ("ORDER_RISK_ASSESSED", 3),
    ]
    assert placed[0]["payload"]["number"] == "#1001" and placed[0]["aggregateType"] == "Order"

    first = (await api(shop.admin, EVENTS_FEED, first=3))["data"]["eventsFeed"]
    assert [e["position"] for e in first["nodes"]] == ["1", "2", "3"]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": "1",
        "endCursor": "3",
    }
    rest = (await api(shop.admin, EVENTS_FEED, after="3", first=100))["data"]["eventsFeed"]
    assert [int(e["position"]) for e in rest["nodes"]] == positions[3:]
    assert rest["pageInfo"]["hasPreviousPage"] is True


async def test_the_feed_filters_by_event_type_and_keeps_the_positions(api, shop, database_url):
    await place_order(api, shop.admin, [("TEE", 1)])
    await place_order(api, shop.admin, [("MUG", 1)])
    await publish(database_url)

    body = await api(shop.admin, EVENTS_FEED, types=["ORDER_CREATED"])
    nodes = body["data"]["eventsFeed"]["nodes"]
    assert [e["payload"]["number"] for e in nodes] == ["#1001", "#1002"]
    assert int(nodes[0]["position"]) < int(nodes[1]["position"])
    after_first = await api(shop.admin, EVENTS_FEED, types=["ORDER_CREATED"], after=nodes[0]["position"])
    assert [e["payload"]["number"] for e in after_first["data"]["eventsFeed"]["nodes"]] == ["#1002"]


async def test_unpublished_events_are_not_in_the_feed_until_the_relay_numbers_them(api, shop, database_url):
    await publish(database_url)
    before = (await api(shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]
    await place_order(api, shop.admin, [("TEE", 1)])

    unchanged = (await api(shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]
    assert unchanged == before
    await publish(database_url)
    grown = (await api(shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]
    assert len(grown) > len(before)


async def test_a_bad_cursor_or_page_size_is_a_bad_user_input_error(api, shop):
    for variables in ({"after": "nonsense"}, {"after": "-1"}, {"first": 101}, {"first": -1}):
        body = await api(shop.admin, EVENTS_FEED, **variables)
        assert body["data"] is None and error_codes(body) == ["BAD_USER_INPUT"], variables


async def test_an_unknown_event_type_is_refused_by_validation(api, shop):
    body = await api(shop.admin, EVENTS_FEED, types=["NOT_A_TYPE"])
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_every_role_with_events_read_reads_the_feed_but_only_its_own_tenants_events(
    api, shop, other_shop, database_url
):
    await place_order(api, other_shop.admin, [("TEE", 1)])
    await publish(database_url)
    mine = {e["id"] for e in (await api(shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]}
    theirs = {
        e["id"] for e in (await api(other_shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]
    }
    assert mine and theirs and not (mine & theirs)

    for role in (Role.ADMIN, Role.STAFF, Role.PARTNER):
        key = await shop.tenant.key(role)
        nodes = (await api(key, EVENTS_FEED, first=100))["data"]["eventsFeed"]["nodes"]
        assert {e["id"] for e in nodes} == mine, role
    # A public key (shipped inside apps) reads no shop's log: the events hold every order's story.
    refused = await api(await shop.tenant.key(Role.STOREFRONT), EVENTS_FEED, first=100)
    assert refused["data"] is None and error_codes(refused) == ["FORBIDDEN"]


async def test_the_feed_without_a_key_is_unauthenticated(api, shop):
    response = await api.post(None, EVENTS_FEED)
    assert response.status_code == 401


async def test_a_cursor_from_before_the_kept_log_is_refused_rather_than_skipping_events(
    api, shop, database_url
):
    await place_order(api, shop.admin, [("TEE", 1)])
    await publish(database_url)
    conn = await system_connection(database_url)
    try:  # as if the retention had pruned positions 1 to 3
        await conn.execute("DELETE FROM outbox_events WHERE position <= 3")
    finally:
        await conn.close()

    expired = await api(shop.admin, EVENTS_FEED, after="1", first=10)
    kept = (await api(shop.admin, EVENTS_FEED, after="3", first=10))["data"]["eventsFeed"]

    assert error_codes(expired) == ["BAD_USER_INPUT"]
    assert "pruned" in expired["errors"][0]["message"]
    assert kept["nodes"][0]["position"] == "4"


async def test_an_idle_feed_keeps_the_clients_place_and_a_cursor_ahead_of_the_log_is_refused(
    api, shop, database_url
):
    await place_order(api, shop.admin, [("TEE", 1)])
    await publish(database_url)
    everything = (await api(shop.admin, EVENTS_FEED, first=100))["data"]["eventsFeed"]
    end = everything["pageInfo"]["endCursor"]

    idle = (await api(shop.admin, EVENTS_FEED, after=end))["data"]["eventsFeed"]
    assert idle["nodes"] == [] and idle["pageInfo"]["endCursor"] == end  # not null: no start over
    fresh = (await api(shop.admin, EVENTS_FEED))["data"]["eventsFeed"]
    assert fresh["pageInfo"]["endCursor"] == end  # from the beginning: up to the last event

    ahead = await api(shop.admin, EVENTS_FEED, after=str(int(end) + 5))
    assert ahead["data"] is None and error_codes(ahead) == ["BAD_USER_INPUT"], ahead
    assert "ahead of the log" in ahead["errors"][0]["message"]

    await place_order(api, shop.admin, [("MUG", 1)])  # the positions past the end are taken later
    await publish(database_url)
    after_idle = (await api(shop.admin, EVENTS_FEED, after=idle["pageInfo"]["endCursor"]))["data"]
    assert int(after_idle["eventsFeed"]["nodes"][0]["position"]) == int(end) + 1  # nothing skipped
