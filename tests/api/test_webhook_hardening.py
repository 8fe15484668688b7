"""Webhook delivery under hostile or broken endpoints: an attempt is bounded as a whole by the timeout
(an endpoint trickling its answer cannot hold it open), a worker whose lease ran out records nothing,
malformed hosts and IPv6 addresses carrying an internal IPv4 address are refused, and fan-out and
claims take the oldest work first."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from domain.db import utcnow
from domain.webhooks import delivery, urls
from domain.webhooks.delivery import Attempt, Due
from server import webhooks
from server.app import create_app
from server.pinning import PinnedClient
from server.settings import Settings
from tests.api.conftest import open_shop
from tests.api.documents import WEBHOOK_CREATE, WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, ok, place_order
from tests.api.live import free_port, serving
from tests.api.receiver import receiving
from tests.db_helpers import system_connection

TIMEOUT = 0.5  # the webhook timeout in these tests, in seconds

# ---------------------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
        "64:ff9b::e000:1",  # NAT64 of 224.0.0.1 (multicast)
        "64:ff9b::f000:1",  # NAT64 of 240.0.0.1 (reserved)
        "64:ff9b:1::a00:1",  # local-use NAT64: local by definition
        "64:ff9b:1::808:808",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:c0a8:101::",  # 6to4 of 192.168.1.1
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "::127.0.0.1",  # IPv4-compatible
        "::10.0.0.1",
        "::1",
        "::",
        "::ffff:0:7f00:1",  # IPv4-translated of 127.0.0.1
        "::ffff:0:c0a8:101",  # IPv4-translated of 192.168.1.1
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "fe80::1%eth0",
        "fc00::1",
        "fec0::1",
        "127.0.0.1",
        "100.64.0.1",
        "192.0.0.8",
        "0.0.0.0",
    ],
)
def test_an_ipv6_address_carrying_an_internal_ipv4_address_is_internal(address):
    assert urls.internal(address)


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "2606:4700:4700::1111",
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
        "2002:808:808::1",  # 6to4 of 8.8.8.8
        "::ffff:8.8.8.8",
        "::ffff:0:808:808",
        "::8.8.8.8",
    ],
)
def test_public_addresses_in_any_dress_are_allowed(address):
    assert not urls.internal(address)


def test_the_ipv4_address_inside_an_ipv6_address_is_found_where_each_form_carries_it():
    found = {a: str(urls.embedded_ipv4(urls.IPv6(a))) for a in ("64:ff9b::a00:1", "2002:a00:1::1", "::a00:1")}
    assert set(found.values()) == {"10.0.0.1"}
    assert urls.embedded_ipv4(urls.IPv6("2606:4700:4700::1111")) is None


MALFORMED_HOSTS = ("http://a..example.com/x", "http://.../x", f"http://{'a' * 64}.example.com/x")


@pytest.mark.parametrize("url", MALFORMED_HOSTS)
@pytest.mark.parametrize("allow_private", [False, True])
async def test_a_malformed_host_is_refused_not_raised(url, allow_private):
    with pytest.raises(urls.UrlRefused) as refused:
        await urls.check(url, allow_private)
    assert not refused.value.private


async def test_embedded_internal_ipv4_literals_are_refused_as_private():
    for url in ("http://[64:ff9b::7f00:1]/x", "http://[2002:a9fe:a9fe::]/x", "http://[::ffff:0:a00:1]/x"):
        with pytest.raises(urls.UrlRefused) as refused:
            await urls.check(url, allow_private=False)
        assert refused.value.private, url


def codes(body: dict) -> list[str]:
    return [e["code"] for e in body["data"]["webhookEndpointCreate"]["userErrors"]]


async def test_creating_an_endpoint_with_a_malformed_host_gives_a_user_error_not_an_error(api, tenant):
    for url in MALFORMED_HOSTS:
        body = await api(tenant.admin, WEBHOOK_CREATE, url=url)
        assert "errors" not in body, (url, body)
        assert codes(body) == ["INVALID_URL"], url
    for url in ("http://[64:ff9b::a9fe:a9fe]/latest", "http://[2002:7f00:1::]/x", "http://[::127.0.0.1]/x"):
        assert codes(await api(tenant.admin, WEBHOOK_CREATE, url=url)) == ["URL_NOT_ALLOWED"], url
    assert (await api(tenant.admin, WEBHOOK_ENDPOINTS))["data"]["webhookEndpoints"]["nodes"] == []


# ------------------------------------------------------------------------------ send(), in isolation


def a_due(url: str, body: str | None = "{}") -> Due:
    return Due(
        delivery_id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        endpoint_id=uuid.uuid4(),
        url=url,
        secrets=["whsec_" + "A" * 44],
        attempts=0,
        message_id="RXZlbnQ6MQ==",
        body=body,
        leased_until=utcnow(),
    )


def quick(settings: Settings, **changes: object) -> Settings:
    return Settings(**{**settings.__dict__, "webhook_timeout": TIMEOUT, **changes})


async def test_any_failure_of_the_url_check_becomes_a_failed_attempt(app_settings, monkeypatch):
    async def broken(url: str, allow_private: bool) -> None:
        raise UnicodeError("label empty or too long")

    monkeypatch.setattr(urls, "check", broken)
    async with httpx.AsyncClient() as http:
        outcome = await webhooks.send(http, a_due("http://a..example.com/x"), quick(app_settings))
    assert (
        outcome.status_code is None
        and outcome.error == "refused: the url could not be checked (UnicodeError)"
    )


async def test_a_malformed_host_at_delivery_time_is_a_refused_attempt(app_settings):
    async with httpx.AsyncClient() as http:
        for allow_private in (False, True):
            settings = quick(app_settings, webhook_allow_private=allow_private)
            outcome = await webhooks.send(http, a_due("http://a..example.com/x"), settings)
            assert outcome.status_code is None and outcome.error
            assert outcome.error.startswith("refused: url's host is not a valid host name")


# ---------------------------------------------------------------------------- trickling endpoints


@dataclass
class Trickler:
    """A raw HTTP server that answers one byte at a time, each well inside a per-read timeout, and notes
    how long each client stayed connected."""

    port: int
    every: float = 0.1
    held: list[float] = field(default_factory=list)  # seconds each connection stayed open
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"


@contextlib.asynccontextmanager
async def trickling() -> AsyncIterator[Trickler]:
    trickler = Trickler(free_port())
    answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nx-padding: " + b"x" * 200 + b"\r\n\r\n"

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        opened = time.monotonic()
        trickler.arrived.set()

        async def dribble() -> None:
            for byte in answer:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(trickler.every)

        task = asyncio.create_task(dribble())
        try:
            while await reader.read(65536):  # the request, then nothing until the client hangs up
                pass
        except ConnectionError:
            pass
        finally:
            trickler.held.append(time.monotonic() - opened)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", trickler.port)
    try:
        yield trickler
    finally:
        server.close()
        await server.wait_closed()


async def test_an_answer_trickled_byte_by_byte_is_cut_off_at_the_timeout(app_settings):
    async with trickling() as trickler, httpx.AsyncClient(timeout=httpx.Timeout(TIMEOUT)) as http:
        outcome = await webhooks.send(
            http, a_due(trickler.url), quick(app_settings, webhook_allow_private=True)
        )
        assert (outcome.status_code, outcome.error) == (None, "timed out")
        assert (
            TIMEOUT * 1000 * 0.8 <= outcome.latency_ms < TIMEOUT * 1000 * 3
        )  # not the ~22 s it trickles for
        for _ in range(100):
            if trickler.held:
                break
            await asyncio.sleep(0.02)
        assert trickler.held and trickler.held[0] < TIMEOUT * 3  # the connection was closed, not left open


@pytest.fixture
async def impatient(db, database_url, live_settings):
    """The whole app on uvicorn, with the webhook timeout scaled down and loopback receivers allowed."""
    settings = quick(live_settings, webhook_allow_private=True, retry_scale=0.001)
    async with serving(create_app(settings, database_url)) as server:
        yield server


async def endpoint(live, key, url) -> str:
    return ok(await live.api(key, WEBHOOK_CREATE, url=url, types=["ORDER_CREATED"]), "webhookEndpointCreate")[
        "webhookEndpoint"
    ]["id"]


async def attempted(live, key, hook_id, condition, within: float = 20) -> dict:
    """The endpoint's single delivery, once condition(delivery) holds."""
    deadline = time.monotonic() + within
    while True:
        nodes = (await live.api(key, WEBHOOK_DELIVERIES, id=hook_id))["data"]["webhookDeliveries"]["nodes"]
        if nodes and condition(nodes[0]):
            return nodes[0]
        assert time.monotonic() < deadline, nodes
        await asyncio.sleep(0.05)


async def test_a_trickling_endpoint_is_recorded_as_timed_out_by_the_delivery_loop(impatient, tenant):
    shop = await open_shop(impatient.api, tenant)
    async with trickling() as trickler:
        hook_id = await endpoint(impatient, shop.admin, trickler.url)
        await place_order(impatient.api, shop.admin, [("TEE", 1)])
        found = await attempted(impatient, shop.admin, hook_id, lambda d: len(d["attempts"]) >= 2)

    first, second = found["attempts"][:2]
    assert [first["attempt"], second["attempt"]] == [1, 2]  # each attempt recorded once, in order
    for attempt in (first, second):
        assert (attempt["statusCode"], attempt["error"]) == (None, "timed out")
        assert 400 <= attempt["latencyMs"] < 1500


async def test_an_answer_whose_body_never_ends_counts_by_its_status_and_is_not_waited_for(impatient, tenant):
    shop = await open_shop(impatient.api, tenant)
    sent: list[int] = []

    async def hook(request: Request) -> StreamingResponse:
        await request.body()

        async def forever() -> AsyncIterator[bytes]:
            for _ in range(600):
                sent.append(1)
                yield b"x"
                await asyncio.sleep(0.05)

        return StreamingResponse(forever(), status_code=200)

    port = free_port()
    app = Starlette(routes=[Route("/hooks", hook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn.Server offers a flag, not an event
        await asyncio.sleep(0.01)
    try:
        hook_id = await endpoint(impatient, shop.admin, f"http://127.0.0.1:{port}/hooks")
        await place_order(impatient.api, shop.admin, [("TEE", 1)])
        found = await attempted(impatient, shop.admin, hook_id, lambda d: d["status"] != "PENDING")
    finally:
        server.should_exit = True
        await task

    assert (found["status"], found["attemptCount"], found["lastStatusCode"]) == ("SUCCEEDED", 1, 200)
    assert found["attempts"][0]["latencyMs"] < 1500
    assert len(sent) < 100  # the body was abandoned long before its 600 bytes


async def test_a_malformed_host_set_behind_the_apis_back_is_a_recorded_failed_attempt(
    impatient, tenant, database_url
):
    shop = await open_shop(impatient.api, tenant)
    async with receiving() as receiver:
        hook_id = await endpoint(impatient, shop.admin, receiver.url)
    conn = await system_connection(database_url)
    try:
        await conn.execute("UPDATE webhook_endpoints SET url = 'http://a..example.com/x'")
    finally:
        await conn.close()
    await place_order(impatient.api, shop.admin, [("TEE", 1)])

    found = await attempted(impatient, shop.admin, hook_id, lambda d: d["attempts"])
    [first, *_] = found["attempts"]
    assert first["statusCode"] is None and first["error"].startswith("refused: url's host is not a valid")


# ------------------------------------------------------------------------ leases and claim order


@pytest.fixture
async def conn(db, database_url) -> AsyncIterator[asyncpg.Connection]:
    opened = await system_connection(database_url)
    yield opened
    await opened.close()


async def _endpoint(conn: asyncpg.Connection, tenant: uuid.UUID, position: int = 0) -> uuid.UUID:
    return await conn.fetchval(
        """INSERT INTO webhook_endpoints (id, tenant_id, url, event_types, active, secret, position)
           VALUES (gen_random_uuid(), $1, 'https://example.com/h', '{}', true, 'whsec_AAAA', $2)
           RETURNING id""",
        tenant,
        position,
    )


async def _delivery(conn: asyncpg.Connection, due_in: str = "0 seconds") -> uuid.UUID:
    tenant = uuid.uuid4()
    return await conn.fetchval(
        """INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_position, event_type,
             status, attempts, next_attempt_at)
           VALUES (gen_random_uuid(), $1, $2, gen_random_uuid(), 1, 'X', 'PENDING', 0,
                   now() - $3::text::interval) RETURNING id""",
        tenant,
        await _endpoint(conn, tenant),
        due_in,
    )


async def test_a_record_from_a_claim_whose_lease_ran_out_changes_nothing(conn):
    delivery_id = await _delivery(conn)
    [stale] = await delivery.claim_due(conn, 10, lease_seconds=0.2)
    await asyncio.sleep(0.3)
    [current] = await delivery.claim_due(conn, 10, lease_seconds=30)  # another worker, after the lease
    assert (stale.attempts, current.attempts) == (0, 0) and stale.leased_until != current.leased_until

    async def row() -> tuple:
        found = await conn.fetchrow(
            "SELECT status, attempts, next_attempt_at, last_status_code FROM webhook_deliveries WHERE id = $1",
            delivery_id,
        )
        recorded = await conn.fetchval(
            "SELECT count(*) FROM webhook_attempts WHERE delivery_id = $1", delivery_id
        )
        return (*found, recorded)

    before = await row()
    assert await delivery.record(conn, stale, Attempt(200, 5), 0.001, utcnow()) is None
    assert await row() == before  # the late success of the lost lease is not kept

    assert await delivery.record(conn, current, Attempt(500, 5), 0.001, utcnow()) == "PENDING"
    assert await delivery.record(conn, stale, Attempt(200, 5), 0.001, utcnow()) is None  # still nothing
    status, attempts, _, last_code, recorded = await row()
    assert (status, attempts, last_code, recorded) == ("PENDING", 1, 500, 1)
    assert (
        await conn.fetchval("SELECT attempt FROM webhook_attempts WHERE delivery_id = $1", delivery_id) == 1
    )


async def test_the_longest_due_delivery_is_claimed_first(conn):
    newer = await _delivery(conn, "1 second")
    oldest = await _delivery(conn, "1 hour")
    middle = await _delivery(conn, "1 minute")
    claimed = [(await delivery.claim_due(conn, 1, lease_seconds=30))[0].delivery_id for _ in range(3)]
    assert claimed == [oldest, middle, newer]


async def test_fan_out_serves_the_endpoint_whose_oldest_waiting_event_is_oldest_first(conn):
    async def tenant_with_an_event(age: str, position: int) -> uuid.UUID:
        tenant = uuid.uuid4()
        await conn.execute(
            "INSERT INTO event_log_heads (tenant_id, position) VALUES ($1, $2)", tenant, position
        )
        await conn.execute(
            """INSERT INTO outbox_events (id, tenant_id, type, aggregate_type, aggregate_id, payload,
                 occurred_at, position, aggregate_seq)
               VALUES (gen_random_uuid(), $1, 'X', 'Order', gen_random_uuid(), '{}', now() - $2::text::interval,
                       $3, 1)""",
            tenant,
            age,
            position,
        )
        return await _endpoint(conn, tenant, position - 1)

    # A busy tenant far along its log, whose event is recent; a quiet one whose event has waited longest.
    busy = await tenant_with_an_event("1 second", 1000)
    quiet = await tenant_with_an_event("1 hour", 5000)

    assert await delivery.fan_out_once(conn, endpoints=1) == 1
    served = await conn.fetch("SELECT endpoint_id FROM webhook_deliveries")
    assert [r["endpoint_id"] for r in served] == [quiet]
    assert await delivery.fan_out_once(conn, endpoints=1) == 1
    assert {r["endpoint_id"] for r in await conn.fetch("SELECT endpoint_id FROM webhook_deliveries")} == {
        quiet,
        busy,
    }


# ---------------------------------------------------------------------------------- DNS rebinding


class Rebinding:
    """A resolver for one name that answers a public address the first time and loopback after that,
    as a hostile DNS server does between a URL check and the connection; other names resolve as usual."""

    def __init__(self, name: str, real: Callable[..., Any]) -> None:
        self.name, self.real, self.asked = name, real, 0

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if (host.decode() if isinstance(host, bytes) else host) != self.name:  # anyio asks in bytes
            return self.real(host, port, *args, **kwargs)
        self.asked += 1
        address = "93.184.216.34" if self.asked == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]


async def test_a_host_that_rebinds_to_loopback_after_the_check_is_not_reached(app_settings, monkeypatch):
    resolver = Rebinding("rebind.example", socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    settings = quick(app_settings, webhook_allow_private=False)
    async with receiving() as receiver, PinnedClient(httpx.Timeout(TIMEOUT), connect_by_name=False) as http:
        outcome = await webhooks.send(http, a_due(f"http://rebind.example:{receiver.port}/hooks"), settings)

    assert outcome.status_code is None and outcome.error  # the approved public address is not reachable here
    assert receiver.started == 0  # and the loopback receiver never saw the delivery
    assert resolver.asked == 1  # the check's answer was used; the name was not resolved again


async def test_a_pinned_request_keeps_the_host_name_in_its_host_header(app_settings):
    async with receiving() as receiver, PinnedClient(httpx.Timeout(5), connect_by_name=False) as http:
        http.pin("hooks.example", "127.0.0.1")
        answer = await http.post(f"http://hooks.example:{receiver.port}/hooks", content=b"{}")
        unpinned = await _error_of(
            http.post(f"http://elsewhere.example:{receiver.port}/hooks", content=b"{}")
        )

    assert answer.status_code == 200
    assert receiver.requests[0].headers["host"] == f"hooks.example:{receiver.port}"
    assert isinstance(unpinned, httpx.ConnectError)  # no approved address: no connection by name


async def _error_of(request: Awaitable[Any]) -> BaseException | None:
    try:
        await request
    except Exception as exc:
        return exc
    return None
