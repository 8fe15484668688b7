"""Rate limits: a query-cost bucket per API key shared by every process, per-IP limits on failed
authentication and WebSocket connects, and a cap on the subscriptions a key holds open."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from domain.db import SYSTEM_SESSION
from domain.limits.budgets import PostgresLevels
from domain.reading import plain_dsn
from domain.tenancy.models import Role
from schema.cost import LIST_SIZE, MUTATION_COST
from server.app import create_app
from server.settings import Settings
from tests.api.conftest import Api
from tests.api.live import INVENTORY_CHANGED, PROTOCOL, Socket, serving

ALIASES = 25
SHOPS = "{ " + " ".join(f"s{i}: shop {{ id }}" for i in range(ALIASES)) + " }"  # costs 25, all returned
EMPTY_PAGE = "{ products(first: 50) { nodes { sku } } }"  # asks for 51; with no products, holds 1


@contextlib.asynccontextmanager
async def app_client(
    database_url: str, settings: Settings, address: str = "127.0.0.1", **overrides: Any
) -> AsyncIterator[Api]:
    """An app of its own (a replica, as far as the limits go) with these settings."""
    app = create_app(Settings(**{**settings.__dict__, **overrides}), database_url)
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://baton.test") as client:
            yield Api(client, app)
    finally:
        await app.state.reads.close()
        await app.state.engine.dispose()


async def spend_until_throttled(api: Api, key: str) -> httpx.Response:
    for _ in range(20):
        response = await api.post(key, SHOPS)
        if response.status_code != 200:
            return response
    raise AssertionError("never throttled")


async def sync(api: Api, database_url: str) -> None:
    conn = await asyncpg.connect(plain_dsn(database_url), server_settings=SYSTEM_SESSION)
    try:
        await api.app.state.budgets.sync(PostgresLevels(conn))
    finally:
        await conn.close()


async def test_a_key_that_spent_its_bucket_is_throttled_with_429_and_retry_after(
    db, database_url, app_settings, tenant
):
    async with app_client(database_url, app_settings, cost_bucket=100, cost_restore_rate=1) as api:
        spent = [(await api.post(tenant.admin, SHOPS)).status_code for _ in range(4)]
        refused = await api.post(tenant.admin, SHOPS)

    assert spent == [200] * 4
    assert refused.status_code == 429
    assert 20 <= int(refused.headers["retry-after"]) <= 25  # 25 missing, restoring at 1 a second
    body = refused.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["THROTTLED"]
    assert body["extensions"]["cost"]["requested"] == ALIASES


async def test_a_throttled_key_may_query_again_once_its_bucket_has_restored(
    db, database_url, app_settings, tenant
):
    async with app_client(database_url, app_settings, cost_bucket=100, cost_restore_rate=40) as api:
        refused = await spend_until_throttled(api, tenant.admin)
        await asyncio.sleep(int(refused.headers["retry-after"]))
        again = await api.post(tenant.admin, SHOPS)

    assert refused.status_code == 429
    assert again.status_code == 200 and "errors" not in again.json()


async def test_a_public_key_is_limited_per_client_address_so_one_shopper_cannot_starve_the_rest(
    db, database_url, app_settings, tenant
):
    storefront = await tenant.key(Role.STOREFRONT)
    query = "{ " + " ".join(f"p{i}: products(first: 1) {{ nodes {{ sku }} }}" for i in range(ALIASES)) + " }"
    limits = {"cost_bucket": 100, "cost_restore_rate": 0.001}
    async with app_client(database_url, app_settings, address="203.0.113.7", **limits) as abuser:
        for _ in range(5):
            refused = await abuser.post(storefront, query)
            if refused.status_code == 429:
                break
        async with app_client(database_url, app_settings, address="198.51.100.9", **limits) as other:
            # the same process's buckets: the second client only differs by address
            other.app.state.view.shopper_budgets = abuser.app.state.view.shopper_budgets
            served = await other.post(storefront, query)

    assert refused.status_code == 429
    assert served.status_code == 200 and "errors" not in served.json()
    status = served.json()["extensions"]["cost"]["throttleStatus"]
    # its own bucket, untouched by the abuser: charged 2 per alias, refunded the empty pages' node
    assert status["currentlyAvailable"] == 100 - ALIASES


async def test_what_a_query_asked_for_but_did_not_return_is_given_back(
    db, database_url, app_settings, tenant
):
    async with app_client(database_url, app_settings, cost_bucket=100, cost_restore_rate=0.001) as api:
        body = await api(tenant.admin, EMPTY_PAGE)
        after = await api(tenant.admin, "{ shop { id } }")

    assert body["extensions"]["cost"] == {
        "requested": 51,
        "actual": 1,
        "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": 99, "restoreRate": 0.001},
    }
    assert after["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 98


async def test_every_response_reports_its_cost_and_the_keys_bucket(api, shop):
    body = await api(shop.admin, "{ products(first: 10) { nodes { sku } } shop { id } }")
    mutation = await api(
        shop.admin, 'mutation { orderConfirm(input: {id: "x"}) { order { id } userErrors { code } } }'
    )

    cost = body["extensions"]["cost"]
    assert (cost["requested"], cost["actual"]) == (1 + 10 + 1, 1 + 2 + 1)
    status = cost["throttleStatus"]
    assert (status["maximumAvailable"], status["restoreRate"]) == (10_000, 500)
    assert 0 < status["currentlyAvailable"] <= 10_000
    errors = mutation["data"]["orderConfirm"]["userErrors"]
    assert mutation["extensions"]["cost"]["requested"] == MUTATION_COST + 1 + 1 + LIST_SIZE
    assert mutation["extensions"]["cost"]["actual"] == MUTATION_COST + 1 + len(errors)


@dataclass
class Shared:
    """What two app instances answered while sharing one key's bucket (see spend_across_instances)."""

    before: httpx.Response  # the second instance, before it heard of the first's spending
    after: httpx.Response  # the second instance, once both reconciled
    first_sees: httpx.Response  # the first instance, once it reconciled again
    first: Api


async def spend_across_instances(
    database_url: str, settings: Settings, key: str, reconcile: Callable[[Api], Awaitable[None]]
) -> AsyncIterator[Shared]:
    """Two instances with 100-point buckets: the first spends 75, the second 25, then they reconcile."""
    async with (
        app_client(database_url, settings, cost_bucket=100, cost_restore_rate=1) as first,
        app_client(database_url, settings, cost_bucket=100, cost_restore_rate=1) as second,
    ):
        assert (await second.post(key, SHOPS)).status_code == 200
        for _ in range(3):
            assert (await first.post(key, SHOPS)).status_code == 200
        before = await second.post(key, SHOPS)
        await reconcile(first)
        await reconcile(second)
        after = await second.post(key, SHOPS)
        await reconcile(first)
        yield Shared(before, after, await first.post(key, SHOPS), first)


def assert_one_budget(shared: Shared) -> None:
    assert shared.before.status_code == 200
    assert shared.after.status_code == 429
    assert shared.after.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert shared.first_sees.status_code == 429


async def test_two_app_instances_share_one_keys_budget_after_reconciling(
    db, database_url, app_settings, tenant
):
    async def reconcile(api: Api) -> None:
        await sync(api, database_url)

    async for shared in spend_across_instances(database_url, app_settings, tenant.admin, reconcile):
        assert_one_budget(shared)


async def test_an_address_that_keeps_failing_authentication_is_throttled(
    db, database_url, app_settings, tenant
):
    settings = {"ip_auth_failure_burst": 3, "ip_auth_failure_rate": 0.01}
    async with (
        app_client(database_url, app_settings, "10.0.0.1", **settings) as guesser,
        app_client(database_url, app_settings, "10.0.0.2", **settings) as neighbour,
    ):
        failures = [(await guesser.post(f"baton_guess_{i}", "{ shop { id } }")).status_code for i in range(3)]
        refused = await guesser.post("baton_guess_4", "{ shop { id } }")
        valid_from_there = await guesser.post(tenant.admin, "{ shop { id } }")
        elsewhere = await neighbour.post("baton_guess_5", "{ shop { id } }")

    assert failures == [401] * 3
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert valid_from_there.status_code == 429  # refused before any key is looked up
    assert elsewhere.status_code == 401


async def test_an_address_that_connects_too_often_is_refused_with_4429(
    db, database_url, app_settings, tenant
):
    settings = Settings(**{**app_settings.__dict__, "ip_ws_connect_burst": 2, "ip_ws_connect_rate": 0.01})
    async with serving(create_app(settings, database_url)) as server:
        for _ in range(2):
            async with Socket.open(server.ws_url, tenant.admin):
                pass
        async with connect(server.ws_url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
            with contextlib.suppress(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            assert ws.close_code == 4429


async def test_a_key_holds_at_most_its_cap_of_subscriptions_across_its_sockets(
    db, database_url, app_settings, tenant
):
    settings = Settings(**{**app_settings.__dict__, "max_subscriptions_per_key": 2})
    async with (
        serving(create_app(settings, database_url)) as server,
        Socket.open(server.ws_url, tenant.admin) as one,
        Socket.open(server.ws_url, tenant.admin) as two,
    ):
        first = await one.subscribe(INVENTORY_CHANGED)
        await two.subscribe(INVENTORY_CHANGED)
        third = await two.subscribe(INVENTORY_CHANGED)
        refused = await two.message(third)
        await one.stop(first)
        fourth = await two.subscribe(INVENTORY_CHANGED)

        assert refused["type"] == "error"
        assert [e["extensions"]["code"] for e in refused["payload"]] == ["THROTTLED"]
        assert await _accepted(two, fourth)


async def _accepted(sock: Socket, op: str) -> bool:
    """A slot freed by a stopped subscription may take a moment: the stopped task ends asynchronously."""
    for _ in range(50):
        if await sock.nothing_more(op, 0.1):
            return True
        message = await sock.message(op)
        if message["type"] != "error":
            return True
        op = await sock.subscribe(INVENTORY_CHANGED)
    return False


async def test_a_query_over_a_socket_is_charged_and_throttled_like_one_over_http(
    db, database_url, app_settings, tenant
):
    settings = Settings(**{**app_settings.__dict__, "cost_bucket": 100, "cost_restore_rate": 1})
    async with (
        serving(create_app(settings, database_url)) as server,
        Socket.open(server.ws_url, tenant.admin) as sock,
    ):
        answers = [await sock.message(await sock.subscribe(SHOPS)) for _ in range(5)]

    assert [a["type"] for a in answers] == ["next"] * 4 + ["error"]
    assert all("errors" not in a["payload"] for a in answers[:4])
    assert [e["extensions"]["code"] for e in answers[4]["payload"]] == ["THROTTLED"]


async def test_a_running_server_adds_its_spending_to_the_shared_bucket_in_the_background(
    db, database_url, app_settings, tenant
):
    settings = Settings(**{**app_settings.__dict__, "cost_sync_seconds": 0.05})
    async with serving(create_app(settings, database_url)) as server:
        assert (await server.api.post(tenant.admin, SHOPS)).status_code == 200
        used = await _shared_use(database_url)

    assert 0 < used <= ALIASES


async def _shared_use(database_url: str) -> float:
    conn = await asyncpg.connect(plain_dsn(database_url), server_settings=SYSTEM_SESSION)
    try:
        for _ in range(100):
            used = await conn.fetchval("SELECT used FROM rate_buckets")
            if used is not None:
                return float(used)
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    raise AssertionError("nothing was synced within 5 s")
