"""Real servers and a real graphql-transport-ws client for the live-update tests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import sys
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from tests.api.conftest import Api
from tests.conftest import ROOT

PROTOCOL = "graphql-transport-ws"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    port: int
    app: Starlette
    api: Api  # GraphQL over real HTTP to this server

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[LiveServer]:
    """The app on uvicorn on a loopback port, lifespan (relay, listener) included."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())

    async def started() -> None:
        while not server.started:  # noqa: ASYNC110 - uvicorn.Server offers a flag, not an event
            await asyncio.sleep(0.01)

    await asyncio.wait_for(started(), timeout=10)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield LiveServer(port, app, Api(client, app))
    finally:
        server.should_exit = True
        await task


@dataclass
class Process:
    port: int
    proc: asyncio.subprocess.Process
    api: Api  # GraphQL over real HTTP to this process

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"


@contextlib.asynccontextmanager
async def baton_serve(
    database_url: str, env: dict[str, str] | None = None, stderr: Any = None
) -> AsyncIterator[Process]:
    """A real `baton serve` process, ready once /healthz answers; `env` adds to or overrides its
    environment, `stderr` (a file) receives its log."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BATON_LOG_LEVEL": "warning",
        "BATON_RELAY_INTERVAL": "0.02",
        "BATON_LIVE_POLL_SECONDS": "30",
        "BATON_AUTH_CACHE_SECONDS": "0",
        **(env or {}),
    }
    cmd = [sys.executable, "-m", "server.cli", "serve", "--port", str(port)]
    proc = await asyncio.create_subprocess_exec(*cmd, cwd=ROOT, env=env, stderr=stderr)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(300):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code == 200:
                        break
                assert proc.returncode is None, "baton serve exited"
                await asyncio.sleep(0.05)
            yield Process(port, proc, Api(client, None))  # type: ignore[arg-type]
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()


class Socket:
    """One graphql-transport-ws connection; messages are sorted by operation id as they arrive."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self._inbox: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        self._reader = asyncio.create_task(self._read())
        self.closed: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, url: str, key: str, customer_token: str | None = None) -> AsyncIterator[Socket]:
        """`customer_token`: a customer or order access token, sent as customerToken in connection_init."""
        payload = {"Authorization": f"Bearer {key}"}
        if customer_token is not None:
            payload["customerToken"] = customer_token
        async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert ack["type"] == "connection_ack", ack
            sock = cls(ws)
            try:
                yield sock
            finally:
                sock._reader.cancel()

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if message["type"] == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                elif "id" in message:
                    self._inbox[message["id"]].put_nowait(message)
        finally:
            if not self.closed.done():
                self.closed.set_result(self.ws.close_code)

    async def subscribe(self, query: str, **variables: Any) -> str:
        op = str(next(self._ids))
        payload = {"query": query, "variables": variables}
        await self.ws.send(json.dumps({"id": op, "type": "subscribe", "payload": payload}))
        return op

    async def message(self, op: str, wait: float = 10) -> dict[str, Any]:
        return await asyncio.wait_for(self._inbox[op].get(), wait)

    async def next(self, op: str, wait: float = 10) -> dict[str, Any]:
        """The data of the operation's next result; fails on anything else."""
        message = await self.message(op, wait)
        assert message["type"] == "next" and "errors" not in message["payload"], message
        return message["payload"]["data"]

    async def nothing_more(self, op: str, wait: float = 0.5) -> bool:
        await asyncio.sleep(wait)
        return self._inbox[op].empty()

    async def stop(self, op: str) -> None:
        await self.ws.send(json.dumps({"id": op, "type": "complete"}))


EVENTS = """subscription Events($after: String, $types: [EventType!]) {
  events(after: $after, types: $types) {
    id type position aggregateType aggregateId aggregateSequence occurredAt actor payload
  }
}"""
ORDER_UPDATED = """subscription Follow($id: ID!) {
  orderUpdated(id: $id) { id number status version paymentStatus }
}"""
ORDER_UPDATED_BY_TOKEN = """subscription FollowByToken($token: String!) {
  orderUpdated(token: $token) { id number status version paymentStatus }
}"""
INVENTORY_CHANGED = """subscription Stock($skus: [String!]) {
  inventoryChanged(skus: $skus) { sku locationId onHand committed available reason position }
}"""
EVENTS_FEED = """query Feed($after: String, $first: Int, $types: [EventType!]) {
  eventsFeed(after: $after, first: $first, types: $types) {
    nodes { id type position aggregateType aggregateId aggregateSequence occurredAt actor payload }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
