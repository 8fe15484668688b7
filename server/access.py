"""The access log: one line per HTTP request, written when its answer has gone, with what an operator
looks for (method, path, status, how long it took, the client, the request id, the tenant, the key and
the GraphQL operation), and one line when a WebSocket opens and one when it closes. It replaces
uvicorn's access line, which had no time, no request id and no latency. It is the outermost of the
application's layers, so the read compiler's answers (server/front.py) are logged like the others.

The same measurement counts and times the request for /metrics (server/metrics.py).

It also names the request: the id a client sends as X-Request-Id, else a new one, is in
`request.state.request_id` from here on and bound to every line logged while the request runs. What
is never logged: bodies, variables, the query string (variables can travel there), headers."""

from __future__ import annotations

import logging
import re
import time
from random import getrandbits
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.contextvars import bind_contextvars, clear_contextvars

from server import metrics

log = logging.getLogger("baton.access")
# Probes that ask every few seconds: logged at DEBUG, so that they do not bury the requests.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})


# A client's own id is kept when it looks like one (a UUID, a trace id, "req-42"); anything longer or
# stranger is replaced, as it is echoed in a header and written on every line of the request.
CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new_request_id() -> str:
    """16 hex digits, as long as the uuid4().hex[:16] they replaced. An id names a request in the logs
    and needs no secrecy: Python's generator (seeded from the OS) instead of a system call per request."""
    return f"{getrandbits(64):016x}"


def accepted(value: str | None) -> str:
    """The client's X-Request-Id when it is a plain id of at most 64 characters, else a new one."""
    return value if value is not None and CLIENT_ID.fullmatch(value) else new_request_id()


def request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return accepted(value.decode("latin-1"))
    return new_request_id()


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _begin(self, scope: Scope) -> tuple[str, dict[str, Any]]:
        rid = request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        # A server task per request starts with no context of its own, but a test client (or any
        # caller that runs requests in one task) would carry the last request's tenant into this one.
        clear_contextvars()
        bind_contextvars(request_id=rid)
        return rid, state

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        rid, state = self._begin(scope)
        status = 500  # what the client gets when the application raises before it answers

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            metrics.observe(scope, status, seconds)
            level = logging.DEBUG if scope["path"] in QUIET_PATHS else logging.INFO
            if log.isEnabledFor(level):
                fields = _who(state)
                fields["method"] = scope["method"]
                fields["path"] = scope["path"]
                fields["status"] = status
                fields["duration_ms"] = round(seconds * 1000, 2)
                fields["client"] = _client(scope)
                fields["request_id"] = rid
                log.log(level, "%s %s %s", scope["method"], scope["path"], status, extra=fields)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        rid, state = self._begin(scope)
        code: int | None = None  # None: the application ended without a close frame either way

        async def receiving() -> Message:
            nonlocal code
            message = await receive()
            if message["type"] == "websocket.disconnect":
                code = message.get("code", 1005)
            return message

        async def sending(message: Message) -> None:
            nonlocal code
            if message["type"] == "websocket.close" and code is None:
                code = message.get("code", 1000)
            await send(message)

        log.info("websocket open %s", scope["path"], extra={"path": scope["path"], "client": _client(scope)})
        try:
            await self.app(scope, receiving, sending)
        finally:
            fields = _who(state)
            del fields["operation_name"], fields["operation_type"]  # a connection runs many
            fields["path"] = scope["path"]
            fields["close_code"] = code
            fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
            fields["client"] = _client(scope)
            fields["request_id"] = rid
            log.info("websocket closed %s %s", scope["path"], code, extra=fields)


def _who(state: dict[str, Any]) -> dict[str, Any]:
    """The tenant, key and operation, once the request has named them (server/app.py)."""
    principal = state.get("principal")
    context = state.get("context")
    return {
        "tenant_id": principal and str(principal.tenant_id),
        "key_id": principal and str(principal.key_id),
        "operation_name": getattr(context, "operation_name", None),
        "operation_type": getattr(context, "operation_type", None),
    }


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None
