"""Every read the read compiler answers in the API tests is asked again of strawberry, on the same
database at the same moment, and the two answers must match (issue 12: "every query document in the
test suite"). tests/api/test_compiled_reads.py compares chosen documents in depth; this compares all
the others the suite happens to send, with the data and the state they happen to have.

Only requests the compiler answered are asked twice (they are reads: asking again changes nothing
but the key's rate budget), and only `data` and `errors` are compared: the cost report's remaining
budget belongs to each app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request

from server.app import create_app
from server.settings import Settings


class Differential:
    def __init__(self, app: Starlette, settings: Settings, database_url: str) -> None:
        self.settings, self.database_url = settings, database_url
        self.answered = 0  # how many requests the compiler has answered so far
        self.compared = 0
        self._plain: httpx.AsyncClient | None = None
        self._plain_app: Starlette | None = None
        compiled = app.state.view.compiled
        if compiled is None:
            return
        answer = compiled.answer

        async def counted(request: Request, context: Any) -> Any:
            response = await answer(request, context)
            if response is not None:
                self.answered += 1
            return response

        compiled.answer = counted

    async def check(self, headers: dict[str, str], body: dict[str, Any], response: httpx.Response) -> None:
        plain = await self._client()
        again = await plain.post("/graphql", json=body, headers=headers)
        self.compared += 1
        assert (response.status_code, _comparable(response)) == (again.status_code, _comparable(again)), (
            f"the compiled answer differs from strawberry's for {body}"
        )

    async def _client(self) -> httpx.AsyncClient:
        if self._plain is None:
            settings = Settings(**{**self.settings.__dict__, "compile_reads": False})
            self._plain_app = create_app(settings, self.database_url)
            transport = httpx.ASGITransport(app=self._plain_app)
            self._plain = httpx.AsyncClient(transport=transport, base_url="http://baton.test")
        return self._plain

    async def close(self) -> None:
        if self._plain is not None and self._plain_app is not None:
            await self._plain.aclose()
            await self._plain_app.state.reads.close()
            await self._plain_app.state.engine.dispose()


def _comparable(response: httpx.Response) -> tuple[Any, Any]:
    body = response.json()
    return body.get("data"), body.get("errors")


@asynccontextmanager
async def differential(app: Starlette, settings: Settings, database_url: str) -> AsyncIterator[Differential]:
    found = Differential(app, settings, database_url)
    try:
        yield found
    finally:
        await found.close()
