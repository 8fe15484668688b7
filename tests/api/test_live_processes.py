"""Live updates across real `baton serve` processes sharing one database: a mutation on one reaches a
subscriber on the other, and a subscriber whose server is killed resumes from its last cursor on
another without losing or repeating an event. A second, independent client library (gql) subscribes too."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator

import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from tests.api.conftest import open_shop
from tests.api.documents import place_order, set_stock
from tests.api.live import EVENTS, EVENTS_FEED, ORDER_UPDATED, Socket
from tests.api.processes import Process, baton_serve
from tests.conftest import ROOT


@pytest.fixture
async def pair(db, database_url) -> AsyncIterator[tuple[Process, Process]]:
    async with baton_serve(database_url) as one, baton_serve(database_url) as two:
        yield one, two


def _placed(event: dict, order_id: str) -> bool:
    """The last event of a placement: its risk assessment."""
    return (event["type"], event["aggregateId"]) == ("ORDER_RISK_ASSESSED", order_id)


async def test_a_subscriber_on_one_server_receives_a_mutation_made_on_another(pair, tenant):
    one, two = pair
    shop = await open_shop(two.api, tenant)
    order = await place_order(two.api, shop.admin, [("TEE", 1)])
    async with Socket.open(one.ws_url, shop.admin) as sock:
        op = await sock.subscribe(ORDER_UPDATED, id=order["id"])
        assert (await sock.next(op))["orderUpdated"]["status"] == "PENDING"
        events = await sock.subscribe(EVENTS, types=["ORDER_STATUS_CHANGED"])
        await asyncio.sleep(0.2)

        body = await two.api(
            shop.admin,
            "mutation($id: ID!) { orderConfirm(input: {id: $id}) { userErrors { code } } }",
            id=order["id"],
        )
        assert body["data"]["orderConfirm"]["userErrors"] == []

        assert (await sock.next(op))["orderUpdated"]["status"] == "CONFIRMED"
        changed = (await sock.next(events))["events"]
        assert changed["payload"]["newStatus"] == "CONFIRMED"


async def test_a_client_resuming_after_its_server_is_killed_gets_every_event_once_in_order(pair, tenant):
    doomed, survivor = pair
    shop = await open_shop(survivor.api, tenant)
    await set_stock(survivor.api, shop.admin, "TEE", shop.location_id, 1000)
    orders: list[dict] = []

    async def write() -> None:
        for _ in range(25):
            orders.append(await place_order(survivor.api, shop.admin, [("TEE", 1)]))
            await asyncio.sleep(0.01)

    seen: list[dict] = []
    writer = asyncio.create_task(write())
    async with Socket.open(doomed.ws_url, shop.admin) as sock:
        op = await sock.subscribe(EVENTS, after="0")
        while len(seen) < 30:
            seen.append((await sock.next(op))["events"])
        doomed.proc.send_signal(signal.SIGKILL)  # mid-stream, without a chance to clean up
        await asyncio.wait_for(sock.closed, 10)
        with contextlib.suppress(AssertionError, TimeoutError, KeyError):
            while True:  # whatever was already on the wire before the socket died
                seen.append((await sock.next(op, wait=0.2))["events"])
    assert await asyncio.wait_for(doomed.proc.wait(), 5) == -signal.SIGKILL

    async with Socket.open(survivor.ws_url, shop.admin) as sock:
        op = await sock.subscribe(EVENTS, after=seen[-1]["position"])
        await writer
        while not _placed(seen[-1], orders[-1]["id"]):
            seen.append((await sock.next(op))["events"])
        assert await sock.nothing_more(op)

    positions = [int(e["position"]) for e in seen]
    assert positions == list(range(1, len(seen) + 1))
    feed: list[dict] = []
    while len(feed) < len(seen):
        after = feed[-1]["position"] if feed else None
        feed += (await survivor.api(shop.admin, EVENTS_FEED, after=after, first=100))["data"]["eventsFeed"][
            "nodes"
        ]
    assert [e["id"] for e in seen] == [e["id"] for e in feed]
    created = [e["aggregateId"] for e in seen if e["type"] == "ORDER_CREATED"]
    assert created[-25:] == [o["id"] for o in orders]


async def test_the_gql_client_library_follows_a_subscription_too(pair, tenant):
    one, two = pair
    shop = await open_shop(two.api, tenant)
    transport = WebsocketsTransport(
        url=one.ws_url,
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        init_payload={"Authorization": f"Bearer {shop.admin}"},
    )
    # From the start of the shop's log: the orders may be placed before the subscription is set up on a
    # loaded machine (the 0.5 s below is a head start, not a guarantee)
    document = gql('subscription { events(after: "0", types: [ORDER_CREATED]) { type position payload } }')
    received: list[dict] = []

    async def follow() -> None:
        async with Client(transport=transport) as session:
            async for result in session.subscribe(document):
                received.append(result["events"])
                if len(received) == 2:
                    return

    following = asyncio.create_task(follow())
    await asyncio.sleep(0.5)
    await place_order(two.api, shop.admin, [("TEE", 1)])
    await place_order(two.api, shop.admin, [("MUG", 1)])
    await asyncio.wait_for(following, 15)

    assert [e["payload"]["number"] for e in received] == ["#1001", "#1002"]
    assert int(received[1]["position"]) > int(received[0]["position"])


async def test_baton_worker_publishes_events_and_stops_cleanly_on_sigterm(api, shop, database_url):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BATON_LOG_LEVEL": "info",
        "BATON_RELAY_INTERVAL": "0.02",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli", "worker", cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        order = await place_order(api, shop.admin, [("TEE", 1)])  # the ASGI app here runs no relay
        nodes: list[dict] = []
        for _ in range(200):
            nodes = (await api(shop.admin, EVENTS_FEED, types=["ORDER_CREATED"]))["data"]["eventsFeed"][
                "nodes"
            ]
            if nodes:
                break
            await asyncio.sleep(0.05)
        assert [e["aggregateId"] for e in nodes] == [order["id"]]
    finally:
        worker.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(worker.wait(), 10)
    assert worker.stderr is not None
    log = (await worker.stderr.read()).decode()
    assert code == 0, log
    assert "worker stopped" in log


async def test_baton_serve_exits_cleanly_on_sigterm(db, database_url):
    async with baton_serve(database_url) as server:
        server.proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.proc.wait(), 10) == 0
