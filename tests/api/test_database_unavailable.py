"""When the database cannot be had — refused (a role's CONNECTION LIMIT or the server's
max_connections: SQLSTATE 53300), not listening, or every connection of the process's budget busy for
longer than a request waits (BATON_DB_WAIT_SECONDS) — a request gets DATABASE_UNAVAILABLE with a
retry hint (503, Retry-After, extensions.retryAfter) instead of a masked "Unexpected error.", on the
read compiler's path and strawberry's alike, and /readyz answers 503."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from server import connections
from server.app import create_app
from server.settings import Settings
from tests.api.conftest import Shop
from tests.api.documents import ORDER_CREATE, order_input
from tests.api.live import free_port
from tests.conftest import APP_ROLE

GRAPHQL_RESPONSE = "application/graphql-response+json"
COMPILED = "query($n: String!) { orderByNumber(number: $n) { number status } }"  # the read compiler's
GENERAL = "{ products(first: 5) { nodes { sku } } }"  # strawberry's, read by a dataloader
UNAVAILABLE = {"code": "DATABASE_UNAVAILABLE", "retryAfter": 1}


@pytest.fixture
async def refusing_role(superuser_url: str) -> AsyncIterator[str]:
    """A role with the test role's rights that Postgres lets open no connection at all."""
    name = f"baton_refused_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(superuser_url)
    try:
        await admin.execute(f"CREATE ROLE {name} LOGIN CONNECTION LIMIT 0 IN ROLE {APP_ROLE}")
        yield name
    finally:
        await admin.execute(f"DROP ROLE IF EXISTS {name}")
        await admin.close()


@pytest.fixture(params=["role connection limit", "nothing listening"])
def unreachable_url(request, database_url: str) -> str:
    if request.param == "nothing listening":
        return make_url(database_url).set(host="127.0.0.1", port=free_port()).render_as_string(False)
    return (
        make_url(database_url).set(username=request.getfixturevalue("refusing_role")).render_as_string(False)
    )


@pytest.fixture
async def client_on(app_settings: Settings):
    apps = []

    async def client(url: str, **changes) -> httpx.AsyncClient:
        app = create_app(Settings(**{**app_settings.__dict__, **changes}), url)
        apps.append(app)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://baton.test")

    yield client
    for app in apps:
        await app.state.reads.close()
        await app.state.engine.dispose()


async def _post(client: httpx.AsyncClient, key: str, query: str, accept: str = GRAPHQL_RESPONSE, **variables):
    headers = {"Authorization": f"Bearer {key}", "Accept": accept}
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert "data" not in body or body["data"] is None, body
    assert [e["extensions"] for e in body["errors"]] == [UNAVAILABLE], body
    assert "Unexpected error" not in response.text


async def test_a_refused_connection_is_a_coded_retryable_503_and_readyz_says_so(
    client_on, unreachable_url, shop: Shop
):
    async with await client_on(unreachable_url) as client:
        for query in (COMPILED, GENERAL):
            response = await _post(client, shop.admin, query, n="#1001")
            _assert_unavailable(response)
            assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
        ready = await client.get("/readyz")
        assert (ready.status_code, ready.json()) == (
            503,
            {"status": "unavailable", "code": "DATABASE_UNAVAILABLE"},
        )
        assert ready.headers["retry-after"] == "1"


async def test_every_connection_of_the_budget_busy_is_a_coded_retryable_503_on_each_path(
    client_on, database_url, app_settings, shop: Shop, caplog
):
    """One connection for writes and one for reads, a wait of 0.3 s: a request that finds its pool's
    one connection held gets DATABASE_UNAVAILABLE once the wait is over, whichever path it takes."""
    smallest = connections.for_serve(app_settings).direct + 2
    async with await client_on(
        database_url, db_connections=smallest, db_wait_seconds=0.3, auth_cache_seconds=60.0
    ) as client:
        app = client._transport.app  # type: ignore[attr-defined]
        assert (app.state.engine.pool.size(), app.state.reads._size) == (1, 1)
        answered = await _post(client, shop.admin, COMPILED, n="#1001")  # the key's lookup, cached
        assert (answered.status_code, answered.json()["data"]) == (200, {"orderByNumber": None})

        async with app.state.reads.tenant(shop.tenant.id):  # the one read connection, held
            with caplog.at_level(logging.WARNING):
                _assert_unavailable(await _post(client, shop.admin, COMPILED, n="#1001"))
            assert any(r.name == "baton.app" for r in caplog.records)  # answered by the compiler's path
            _assert_unavailable(await _post(client, shop.admin, GENERAL))
            _assert_unavailable(await _post(client, shop.admin, GENERAL, accept="application/json"))

        async with app.state.engine.connect():  # the one write connection, held
            response = await _post(client, shop.admin, ORDER_CREATE, input=order_input([("TEE", 1)]))
            _assert_unavailable(response)
            assert (await client.get("/readyz")).status_code == 503

        assert (await client.get("/readyz")).status_code == 200
        created = (await _post(client, shop.admin, ORDER_CREATE, input=order_input([("TEE", 1)]))).json()
        assert created["data"]["orderCreate"]["order"]["number"] == "#1001", created
