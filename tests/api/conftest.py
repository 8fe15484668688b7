"""GraphQL over the real ASGI app (httpx.ASGITransport), on the session's test database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.settings import Settings


class Api:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(
        self, key: str | None, query: str, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

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
    async with httpx.AsyncClient(transport=transport, base_url="http://baton.test") as client:
        yield Api(client)
    await app.state.engine.dispose()
