"""/ops: the operations page for people, beside the GraphQL API for programs. Server-rendered HTML with
SVG charts (server/ops/charts.py) over the analytics reports, and the shop's events live over
Server-Sent Events. Behind an ADMIN or STAFF key with analytics:read, kept in a cookie (session.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from domain.db import utcnow
from domain.events.hub import Hub
from domain.reading import ReadPool
from domain.tenancy.scopes import Scope
from domain.tenancy.service import Principal
from server.auth import KeyCache
from server.ops import figures, page, session
from server.throttle import PerAddress, too_many

ASSETS = Path(__file__).parent / "assets"
MEDIA = {
    "ops.css": "text/css; charset=utf-8",
    "ops.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
# Only what Baton serves, nothing inline, and never inside another site's frame.
SECURITY = {
    "content-security-policy": "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
STREAM_SECONDS = 300.0  # then the browser reconnects from where it was, and the key is checked again
HEARTBEAT_SECONDS = 15.0


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=SECURITY)


def _days(request: Request) -> int:
    asked = request.query_params.get("days", "")
    return int(asked) if asked.isdigit() and int(asked) in page.PERIODS else 30


class Ops:
    def __init__(self, keys: KeyCache, reads: ReadPool, hub: Hub, failed_logins: PerAddress) -> None:
        self.keys = keys
        self.reads = reads
        self.hub = hub
        self.failed_logins = failed_logins  # the same per-IP budget as failed API keys
        self.assets = {name: (ASSETS / name).read_bytes() for name in MEDIA}

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/ops", self.dashboard),
            Route("/ops/login", self.login, methods=["GET", "POST"]),
            Route("/ops/logout", self.logout, methods=["POST"]),
            Route("/ops/stream", self.stream),
            Route("/ops/assets/{name}", self.asset),
        ]

    async def dashboard(self, request: Request) -> Response:
        principal = await session.signed_in(request, self.keys)
        if principal is None:
            return RedirectResponse("/ops/login", status_code=303)
        days = _days(request)
        async with self.reads.tenant(principal.tenant_id) as reader:
            found = await figures.gather(reader, principal.tenant_id, utcnow(), days)
        return _html(page.dashboard(found, days, principal.role.value))

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            return _html(page.login())
        address = request.client.host if request.client else "unknown"
        if wait := self.failed_logins.exhausted(address):
            return too_many(wait, "Too many failed sign-ins from this address")
        secret = await session.submitted_key(request)
        principal = await self.keys.principal(secret) if secret else None
        if not session.allowed(principal):
            self.failed_logins.take(address)
            return _html(page.login("That key cannot open the operations page."), status=401)
        response = RedirectResponse("/ops", status_code=303)
        session.keep(response, request, secret)
        return response

    async def logout(self, request: Request) -> Response:
        response = RedirectResponse("/ops/login", status_code=303)
        session.forget(response)
        return response

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.assets:
            return Response("Not found", status_code=404)
        return Response(self.assets[name], media_type=MEDIA[name], headers={"cache-control": "no-cache"})

    async def stream(self, request: Request) -> Response:
        principal = await session.signed_in(request, self.keys)
        if principal is None or not principal.has(Scope.EVENTS_READ):
            return Response("Sign in at /ops/login", status_code=401)
        last = request.headers.get("last-event-id") or request.query_params.get("after", "")
        after = int(last) if last.isdigit() and len(last) <= 18 else None
        return StreamingResponse(
            self._events(principal, after),
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    async def _events(self, principal: Principal, after: int | None) -> AsyncIterator[str]:
        """The tenant's events after `after` as Server-Sent Events, for STREAM_SECONDS at most."""
        yield "retry: 2000\n\n"
        queue: asyncio.Queue[str] = asyncio.Queue(256)

        async def follow() -> None:
            async with self.hub.subscribe(principal.tenant_id) as sub:
                async for row in sub.events(after):
                    await queue.put(f"id: {row.position}\ndata: {page.stream_data(row)}\n\n")

        task = asyncio.create_task(follow())
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_SECONDS
        try:
            while (left := ends - loop.time()) > 0:
                try:
                    yield await asyncio.wait_for(queue.get(), min(HEARTBEAT_SECONDS, left))
                except TimeoutError:
                    if task.done():
                        task.result()  # a failed follower ends the stream; the browser reconnects
                    yield ": still here\n\n"
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
