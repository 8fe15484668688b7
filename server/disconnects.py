"""A read whose client has gone stops: its task is cancelled, and with it the statement in flight (the
driver sends PostgreSQL a cancel request) and the transaction (rolled back, the connection returned).
A write runs to its end: cut off half-way it would leave the caller unsure whether it happened, and its
own transaction and the statement timeout already bound what it costs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("baton.app")

# nginx's code for "client closed request"; nobody is left to read it, but the access log shows it.
CLIENT_GONE = 499


async def unless_gone(request: Request, handling: Awaitable[Response]) -> Response:
    """The response of `handling`, or 499 once the client has disconnected during a read. The body
    must have been read already (server/bodies.py does), so that only a disconnect is left to receive."""
    work: asyncio.Future[Response] = asyncio.ensure_future(handling)
    gone = asyncio.create_task(_disconnect(request))
    either: set[asyncio.Future[Any]] = {work, gone}
    try:
        while not work.done():
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if gone.done() and not work.done():
                if _writes(request):
                    await asyncio.wait({work})
                else:
                    work.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await work
                    log.info("client gone; request %s stopped", getattr(request.state, "request_id", None))
                    return Response(status_code=CLIENT_GONE)
    finally:
        gone.cancel()
    return work.result()


async def _disconnect(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _writes(request: Request) -> bool:
    context: Any = getattr(request.state, "context", None)
    return bool(getattr(context, "writes", False))
