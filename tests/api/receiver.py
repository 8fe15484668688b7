"""A real HTTP server that receives webhooks, answering from a script, and an independent
implementation of the Standard Webhooks signature check."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.api.live import free_port


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    answered: int


@dataclass
class Receiver:
    port: int
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # answers, in order
    otherwise: int = 200
    delay: float = 0.0  # seconds before answering
    started: int = 0  # requests that arrived, answered or not
    requests: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def ok(self) -> list[Received]:
        return [r for r in self.requests if 200 <= r.answered < 300]

    async def wait_for(self, condition: Any, within: float = 20) -> None:
        async def until() -> None:
            while not condition():
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(until(), within)


@contextlib.asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    receiver = Receiver(free_port())

    async def hook(request: Request) -> Response:
        status, headers = receiver.script.pop(0) if receiver.script else (receiver.otherwise, {})
        body = (await request.body()).decode()
        receiver.started += 1
        receiver.arrived.set()
        if receiver.delay:
            await asyncio.sleep(receiver.delay)
        receiver.requests.append(Received(dict(request.headers), body, status))
        receiver.arrived.set()
        return Response(status_code=status, headers=headers)

    app = Starlette(routes=[Route("/hooks", hook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=receiver.port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn.Server offers a flag, not an event
        await asyncio.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task


def verify(secret: str, headers: dict[str, str], body: str) -> bool:
    """Standard Webhooks: any of the space-separated v1 signatures is
    base64(HMAC-SHA256(base64decode(secret without whsec_), "{id}.{timestamp}.{body}"))."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ") if s.startswith("v1,")]
    return any(hmac.compare_digest(expected, g) for g in given)
