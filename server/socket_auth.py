"""A WebSocket stays only as authorised as an HTTP request would be.

connection_init authenticates once, but a socket lives for hours. So the credentials it presented are
kept and checked again: on every `subscribe` (nothing starts for a revoked key or an expired customer
token), by one watchdog task per connection every max(cache time, 1 s), and at the moment a customer
token expires. A failed check closes the socket with 4403. The checks go through the same in-process
caches as HTTP, so a thousand sockets on one key cost one key lookup per cache time, and a revoked key
is seen by the watchdog at most the cache time plus one period after the revocation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    SubscribeMessage,
)

from domain.tenancy.service import Principal
from server.auth import GrantCache, KeyCache, bearer
from server.shared_streams import SharingHandler
from server.throttle import OpenOperations

log = logging.getLogger("baton.sockets")

FORBIDDEN = 4403
INTERNAL_ERROR = 1011
WATCHDOG = "baton-socket-watchdog"  # the task name, so a test can see none outlives its socket
MIN_CHECK_SECONDS = 1.0  # with a zero cache time (tests), still not a lookup per socket per tick


@dataclass(frozen=True)
class Credentials:
    """What a connection_init presented: the API key and, optionally, a customer or order token."""

    key: str | None
    customer_token: str | None

    @classmethod
    def of(cls, params: Any) -> Credentials:
        params = params if isinstance(params, dict) else {}
        secret = params.get("Authorization") or params.get("authorization") or params.get("apiKey")
        if not isinstance(secret, str):  # a number, list or object is no key either
            secret = None
        customer_token = params.get("customerToken")
        if customer_token is not None and not isinstance(customer_token, str):
            raise ConnectionRejectionError({"message": "customerToken must be a string"})
        return cls((bearer(secret) or secret) if secret else None, customer_token)

    async def principal(self, keys: KeyCache, grants: GrantCache) -> Principal | None:
        """Who these credentials are now: None for a missing or revoked key, or a customer token that
        no longer proves anything (expired, or its signing secret rotated away)."""
        principal = await keys.principal(self.key) if self.key else None
        if principal is None:
            return None
        return await grants.with_customer(principal, self.customer_token)


def _expired(principal: Principal | None) -> bool:
    grant = principal.grant if principal else None
    return grant is not None and grant.expires_at is not None and grant.expires_at <= time.time()


class GuardedHandler(SharingHandler):
    """graphql-transport-ws (with shared orderUpdated streams) that keeps checking its credentials."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        view = kwargs["view"]
        self.keys: KeyCache = view.keys
        self.grants: GrantCache = view.grants
        self.check_every = max(view.settings.auth_cache_seconds, MIN_CHECK_SECONDS)
        self.credentials: Credentials | None = None
        self.watchdog: asyncio.Task[None] | None = None
        self.closing = False
        self.open_operations: OpenOperations = view.open_operations

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self.watchdog is None:
            # The same parameters on_ws_connect just accepted, kept to be checked again later.
            self.credentials = Credentials.of(self.context.connection_params)
            self.watchdog = asyncio.create_task(self._watch(), name=WATCHDOG)
            self.watchdog.add_done_callback(self._task_done)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and self.credentials is not None:
            try:
                allowed = await self._allowed()
            except Exception:
                log.exception("could not re-check a socket's credentials")
                await self._close(INTERNAL_ERROR, "Internal error")
                return
            if not allowed:
                await self._close(FORBIDDEN, "Forbidden")
            if self.closing:  # refused now, or closed by the watchdog while we looked
                return
        await self._subscribe_within_cap(message)

    async def _subscribe_within_cap(self, message: SubscribeMessage) -> None:
        """At most max_subscriptions_per_key operations open per API key across this process's sockets;
        a slot is freed when the operation's task ends (completed, stopped, or its socket closed)."""
        principal = self.context.principal if self.connection_acknowledged else None
        if principal is None or message["id"] in self.operations:  # the base class refuses these
            await super().handle_subscribe(message)
            return
        key_id = principal.key_id
        if not self.open_operations.claim(key_id):
            error = GraphQLError(
                f"This API key has {self.open_operations.limit} subscriptions open, the most it may",
                extensions={"code": "THROTTLED"},
            )
            await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[error.formatted]))
            return
        await super().handle_subscribe(message)
        operation = self.operations.get(message["id"])
        if operation is None or operation.task is None:  # refused by the per-connection limit
            self.open_operations.release(key_id)
        else:
            operation.task.add_done_callback(lambda _: self.open_operations.release(key_id))

    async def shutdown(self) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watchdog
        await super().shutdown()

    async def _allowed(self) -> bool:
        """Whether the credentials still hold. context.principal is left as connected: running (and
        shared) streams execute with it, so it changes for no one mid-stream."""
        if _expired(self.context.principal):  # no lookup needed, and none to fail
            return False
        assert self.credentials is not None
        return await self.credentials.principal(self.keys, self.grants) is not None

    async def _watch(self) -> None:
        while not self.closing:
            await asyncio.sleep(self._until_next_check())
            try:
                allowed = await self._allowed()
            except Exception:
                # A database blip must not drop every open socket; the next period looks again.
                log.exception("could not re-check a socket's credentials")
                continue
            if not allowed:
                await self._close(FORBIDDEN, "Forbidden")

    def _until_next_check(self) -> float:
        """One period, or less when the customer token expires sooner: the socket ends at expiry."""
        grant = self.context.principal.grant if self.context.principal else None
        if grant is None or grant.expires_at is None:
            return self.check_every
        return max(0.0, min(self.check_every, grant.expires_at - time.time()))

    async def _close(self, code: int, reason: str) -> None:
        if self.closing:
            return
        self.closing = True
        # Stop the operations first, so none of them sends on a socket that is closing.
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with contextlib.suppress(Exception):  # the client may have gone already
            await self.websocket.close(code=code, reason=reason)
