"""An open WebSocket is only as good as its credentials: a revoked key or an expired customer token ends
it with 4403, checked on every subscribe, by the connection's watchdog, and at the token's expiry. A real
uvicorn server and a real graphql-transport-ws client; every wait is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator

from domain.customers import tokens
from domain.tenancy.models import Role
from server import socket_auth
from server.app import create_app
from server.settings import Settings
from tests.api.live import EVENTS, LiveServer, Socket, serving
from tests.conftest import TenantKeys

CACHE = 1.0  # seconds a key is cached, and so how long a revoked key may go on working
VIEWER = "{ viewer { role apiKeyId } }"
KEY_REVOKE = "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { userErrors { code } } }"
KEY_CREATE = """mutation($name: String!) {
  apiKeyCreate(input: {name: $name, role: STAFF}) { secret userErrors { code } } }"""
KEYS = "{ apiKeys(first: 20) { nodes { name } } }"
SECRET_ROTATE = "mutation { customerTokenSecretRotate(input: {}) { secret userErrors { code } } }"


@contextlib.asynccontextmanager
async def server(database_url: str, settings: Settings, cache_seconds: float) -> AsyncIterator[LiveServer]:
    changed = dataclasses.replace(settings, auth_cache_seconds=cache_seconds)
    async with serving(create_app(changed, database_url)) as live:
        yield live


async def second_admin_key(live: LiveServer, tenant: TenantKeys) -> tuple[str, str]:
    """A key that tenant.admin can revoke (no key may revoke itself), and its ID."""
    key = await tenant.key(Role.ADMIN)
    return key, (await live.api(key, VIEWER))["data"]["viewer"]["apiKeyId"]


async def revoke(live: LiveServer, tenant: TenantKeys, key_id: str) -> None:
    body = await live.api(tenant.admin, KEY_REVOKE, id=key_id)
    assert body["data"]["apiKeyRevoke"]["userErrors"] == [], body


def watchdogs() -> int:
    """Watchdog tasks alive in this loop, which the test server shares."""
    return sum(1 for t in asyncio.all_tasks() if t.get_name() == socket_auth.WATCHDOG and not t.done())


async def until_no_watchdogs() -> None:
    async def poll() -> None:
        while watchdogs():  # noqa: ASYNC110 - tasks offer no event for "all of these ended"
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), 5)


async def test_a_socket_opened_before_its_key_is_revoked_is_closed_with_4403_within_the_cache_time(
    db, database_url, live_settings, tenant
):
    async with server(database_url, live_settings, CACHE) as live:
        key, key_id = await second_admin_key(live, tenant)
        async with Socket.open(live.ws_url, key) as sock:
            await sock.subscribe(EVENTS)  # a live stream the revocation must end too
            assert (await live.api(key, VIEWER))["data"]  # the key is now cached as valid
            await revoke(live, tenant, key_id)
            # Cached for at most CACHE, then seen by the next check at most one period later.
            code = await asyncio.wait_for(sock.closed, 2 * CACHE + 1)
        assert code == 4403
        assert (await live.api.post(key, VIEWER)).status_code == 401
        await until_no_watchdogs()


async def test_a_subscribe_after_revocation_on_an_open_socket_is_refused_with_4403_and_nothing_runs(
    db, database_url, live_settings, tenant, monkeypatch
):
    monkeypatch.setattr(socket_auth, "MIN_CHECK_SECONDS", 60.0)  # the watchdog must not be the one
    async with server(database_url, live_settings, 0.0) as live:
        key, key_id = await second_admin_key(live, tenant)
        async with Socket.open(live.ws_url, key) as sock:
            first = await sock.subscribe(VIEWER)
            assert (await sock.next(first))["viewer"]["role"] == "ADMIN"
            await revoke(live, tenant, key_id)
            late = await sock.subscribe(KEY_CREATE, name="late")
            code = await asyncio.wait_for(sock.closed, 5)
        assert code == 4403
        assert await sock.nothing_more(late, wait=0)
        names = {k["name"] for k in (await live.api(tenant.admin, KEYS))["data"]["apiKeys"]["nodes"]}
        assert "late" not in names
        await until_no_watchdogs()


async def test_a_socket_whose_key_stays_valid_keeps_working_past_several_watchdog_periods(
    db, database_url, live_settings, tenant, monkeypatch
):
    monkeypatch.setattr(socket_auth, "MIN_CHECK_SECONDS", 0.1)
    async with server(database_url, live_settings, 0.0) as live:  # every check looks the key up
        async with Socket.open(live.ws_url, tenant.admin) as sock:
            assert watchdogs() == 1
            await asyncio.sleep(0.6)  # six periods
            op = await sock.subscribe(VIEWER)
            assert (await sock.next(op))["viewer"]["role"] == "ADMIN"
            assert not sock.closed.done()
        await until_no_watchdogs()  # the watchdog ends with its connection


async def test_a_socket_whose_customer_token_expires_is_closed_with_4403_at_expiry(
    db, database_url, live_settings, tenant
):
    # A long cache time and watchdog period: only the scheduled expiry can close the socket in time.
    async with server(database_url, live_settings, 30.0) as live:
        body = await live.api(tenant.admin, SECRET_ROTATE)
        secret = body["data"]["customerTokenSecretRotate"]["secret"]
        expires_at = int(time.time()) + 2  # tokens carry whole seconds; the API mints 60 s at least
        token = tokens.sign(secret, "ada@example.com", expires_at)
        async with Socket.open(live.ws_url, await tenant.key(Role.STOREFRONT), token) as sock:
            op = await sock.subscribe(VIEWER)
            assert (await sock.next(op))["viewer"]["role"] == "STOREFRONT"
            code = await asyncio.wait_for(sock.closed, 5)
            closed_at = time.time()
        assert code == 4403
        assert closed_at >= expires_at
        await until_no_watchdogs()
