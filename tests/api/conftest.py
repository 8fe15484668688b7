"""GraphQL over the real ASGI app (httpx.ASGITransport), on the session's test database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings
from tests.api import documents
from tests.api.differential import Differential, differential
from tests.conftest import TenantKeys


class Api:
    def __init__(
        self,
        client: httpx.AsyncClient,
        app: Starlette,
        headers: dict[str, str] | None = None,
        differential: Differential | None = None,
    ) -> None:
        self.client = client
        self.app = app
        self.headers = headers or {}
        self.differential = differential  # tests/api/differential.py

    def with_customer_token(self, token: str) -> Api:
        """The same client sending a customer or order access token (X-Baton-Customer-Token)."""
        headers = {**self.headers, "X-Baton-Customer-Token": token}
        return Api(self.client, self.app, headers, self.differential)

    @property
    def engine(self) -> AsyncEngine:
        """The app's own engine, e.g. to count the SQL statements a request runs."""
        return self.app.state.engine

    async def post(
        self, key: str | None, query: str, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        headers = {**self.headers, **({"Authorization": f"Bearer {key}"} if key else {})}
        body = {"query": query, "variables": variables or {}}
        answered = self.differential.answered if self.differential else 0
        response = await self.client.post("/graphql", json=body, headers=headers)
        if self.differential is not None and self.differential.answered > answered:
            await self.differential.check(headers, body, response)
        return response

    async def __call__(self, key: str | None, query: str, **variables: Any) -> dict[str, Any]:
        """The response body; fails the test on a non-200 answer."""
        response = await self.post(key, query, variables)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def app_settings() -> Settings:
    base = Settings.from_env()
    return Settings(**{**base.__dict__, "auth_cache_seconds": 0.0, "database_url": None})


@pytest.fixture
async def api(db: AsyncEngine, database_url: str, app_settings: Settings) -> AsyncIterator[Api]:
    app = create_app(app_settings, database_url)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://baton.test") as client,
        differential(app, app_settings, database_url) as compare,
    ):
        yield Api(client, app, differential=compare)
    await app.state.reads.close()
    await app.state.engine.dispose()


@pytest.fixture
async def plain(db, database_url: str, app_settings: Settings) -> AsyncIterator[Api]:
    """The same app without the compiler: every operation through strawberry."""
    app = create_app(Settings(**{**app_settings.__dict__, "compile_reads": False}), database_url)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://baton.test"
    ) as client:
        yield Api(client, app)
    await app.state.reads.close()
    await app.state.engine.dispose()


@dataclass
class Shop:
    """A tenant with one warehouse and two stocked products, set up through the API."""

    tenant: TenantKeys
    location_id: str
    tee_id: str
    mug_id: str

    @property
    def admin(self) -> str:
        return self.tenant.admin


async def open_shop(api: Api, tenant: TenantKeys) -> Shop:
    location_id = await documents.create_location(api, tenant.admin, "Main Warehouse")
    tee_id = await documents.create_product(api, tenant.admin, "TEE", "19.99")
    mug_id = await documents.create_product(api, tenant.admin, "MUG", "8.50")
    await documents.set_stock(api, tenant.admin, "TEE", location_id, 10)
    await documents.set_stock(api, tenant.admin, "MUG", location_id, 5)
    return Shop(tenant, location_id, tee_id, mug_id)


@pytest.fixture
async def shop(api: Api, tenant: TenantKeys) -> Shop:
    """Acme (10 % tax): a Main Warehouse holding 10 TEE at 19.99 and 5 MUG at 8.50."""
    return await open_shop(api, tenant)


@pytest.fixture
async def other_shop(api: Api, other_tenant: TenantKeys) -> Shop:
    """Globex, set up like Acme (same SKUs, no tax): the tenant that must never show through."""
    return await open_shop(api, other_tenant)


@pytest.fixture
async def live_settings(app_settings: Settings) -> Settings:
    """A quick relay, and a safety-net poll slow enough that tests show the NOTIFY path works."""
    return Settings(**{**app_settings.__dict__, "relay_interval": 0.02, "live_poll_seconds": 30.0})


@pytest.fixture
async def live(db: AsyncEngine, database_url: str, live_settings: Settings) -> AsyncIterator[Any]:
    """The whole app on a real uvicorn server (relay and listener running), with a shop set up."""
    from tests.api.live import serving

    async with serving(create_app(live_settings, database_url)) as server:
        yield server


async def publish(database_url: str) -> None:
    """Runs the relay until every written event has its position (the ASGI `api` has no lifespan)."""
    from domain.events.relay import relay_once
    from tests.db_helpers import system_connection

    conn = await system_connection(database_url)  # the relay serves every tenant, as in the workers
    try:
        while await relay_once(conn):
            pass
    finally:
        await conn.close()
