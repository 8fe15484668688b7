"""A read whose client has gone stops: its task is cancelled, and with it the statement in flight (the
driver sends PostgreSQL a cancel request) and the transaction (rolled back, the connection returned).
A write runs to its end: cut off half-way it would leave the caller unsure whether it happened, and its
own transaction and the statement timeout already bound what it costs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("baton.app")

# nginx's code for "client closed request"; nobody is left to read it, but the access log shows it.
CLIENT_GONE = 499


T = TypeVar("T")


async def unless_gone(request: Request, handling: Awaitable[T]) -> T | Response:
    """The response of `handling`, or 499 once the client has disconnected during a read. The body
    must have been read already (server/bodies.py does), so that only a disconnect is left to receive.

    The work runs in the request's own task; one watcher task waits for the disconnect and cancels
    the request's task then, unless it is writing (a write runs to its end). Reads are most requests
    and the shortest: one task and no waiting on two, per request, is what this costs them."""
    current = asyncio.current_task()
    assert current is not None
    stopped = False

    async def watch() -> None:
        nonlocal stopped
        await _disconnect(request)
        if not _writes(request):
            stopped = True
            current.cancel()

    watcher = asyncio.create_task(watch())
    try:
        return await handling
    except asyncio.CancelledError:
        if not stopped:
            raise
        current.uncancel()
        log.info("client gone; request %s stopped", getattr(request.state, "request_id", None))
        return Response(status_code=CLIENT_GONE)
    finally:
        watcher.cancel()


async def _disconnect(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _writes(request: Request) -> bool:
    context: Any = getattr(request.state, "context", None)
    return bool(getattr(context, "writes", False))
