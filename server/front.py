"""The shortest way through for the commonest request. A POST to /graphql that the read compiler
answers (server/compiled_reads.py) is answered here, in front of Starlette's exception layer, router
and endpoint wrappers, which were a tenth of such a read's CPU. The checks are those of the /graphql
endpoint (server/app.py BatonGraphQL.http), in the same order, and anything this path does not
answer goes on to the application as if this were not here, its body replayed: the endpoint then
checks everything again and answers as before (401, 413, 429, strawberry)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from server.app import BatonGraphQL


class CompiledFront:
    def __init__(self, app: ASGIApp, view: BatonGraphQL) -> None:
        self.app = app
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/graphql":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        response = await self.view.compiled_answer(request)
        if response is not None:
            await response(scope, receive, send)
            return
        body: bytes | None = getattr(request, "_body", None)
        await self.app(scope, receive if body is None else _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` that gives the body already read first, then whatever the client sends next."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
