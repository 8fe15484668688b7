"""The Starlette application: /graphql (HTTP and WebSocket), carrier webhooks, /healthz, /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

from cross_web import HTTPException
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from domain.audit.grouping import GroupedAppender
from domain.availability import unavailable
from domain.db import Limits, make_engine
from domain.events.hub import Hub
from domain.limits.budgets import Budgets
from domain.reading import ReadPool, plain_dsn
from resolvers.context import Context
from schema.extensions import with_codes
from schema.metrics import GRAPHQL_ERRORS
from schema.schema import schema
from server import access, bodies, connections, disconnects, logs, media, metrics, secret_key
from server import unavailable as outage
from server.access import AccessLog
from server.auth import CUSTOMER_TOKEN_HEADER, GrantCache, KeyCache, bearer
from server.carriers import carrier_webhook
from server.compiled_reads import CompiledReads
from server.front import CompiledFront
from server.graphiql import GraphiQL
from server.listener import Listener
from server.ops import Ops
from server.persisted import PersistedHandler, PersistedQueries
from server.settings import Settings
from server.shared_streams import SharedStreams
from server.socket_auth import Credentials
from server.throttle import OpenOperations, PerAddress, refuse_socket, sync_budgets, too_many
from server.workers import Workers

log = logging.getLogger("baton.app")
R = TypeVar("R")
READY_WAIT = 2.0  # seconds /readyz waits for the database before it answers 503


def _address(connection: Request | WebSocket) -> str:
    return connection.client.host if connection.client else "unknown"


def _negotiated(request: Request, response: Response) -> Response:
    """The answer in the media type the client asked for (server/media.py)."""
    if media.wants_graphql_response(request.headers.get("accept")):
        return media.as_graphql_response(response)
    return response


def _unauthenticated(message: str) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})


class BatonGraphQL(PersistedQueries, GraphQL):
    """Strawberry's ASGI view with our context: every operation runs as one API key's tenant."""

    # Identical orderUpdated streams run once; a revoked key or expired customer token ends the socket.
    # Subscribes by hash, and allow-listed keys' documents, are checked as over HTTP (server/persisted.py).
    graphql_transport_ws_handler_class = PersistedHandler

    def __init__(
        self,
        engine: AsyncEngine,
        reads: ReadPool,
        keys: KeyCache,
        hub: Hub,
        settings: Settings,
        grants: GrantCache,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.development else None,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            # Counts every operation in flight on one connection; beyond it a subscribe gets an error.
            max_subscriptions_per_connection=settings.max_subscriptions,
        )
        self.engine = engine
        self.audit = GroupedAppender(engine)
        self.reads = reads
        self.keys = keys
        self.grants = grants
        self.hub = hub
        self.settings = settings
        self.shared_streams = SharedStreams()
        # Rate limits (server/throttle.py): cost per key shared by all processes, the rest per process.
        self.budgets = Budgets(settings.cost_bucket, settings.cost_restore_rate)
        # A public (STOREFRONT) key is every shopper's: one bucket per key and client IP, so one abusive
        # client cannot spend the whole shop's budget. Per process, like the per-IP limits.
        self.shopper_budgets = Budgets(settings.cost_bucket, settings.cost_restore_rate)
        self.failed_auth = PerAddress(settings.ip_auth_failure_burst, settings.ip_auth_failure_rate)
        self.ws_connects = PerAddress(settings.ip_ws_connect_burst, settings.ip_ws_connect_rate)
        self.open_operations = OpenOperations(settings.max_subscriptions_per_key)
        self.compiled = CompiledReads(schema._schema) if settings.compile_reads else None
        # The IDE's page and its scripts come from Baton, not a CDN (server/graphiql/).
        self.ide = GraphiQL() if settings.development else None

    @property
    def graphql_ide_html(self) -> str:
        assert self.ide is not None, "strawberry renders the IDE only when graphql_ide is set"
        return self.ide.html

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        principal = getattr(request.state, "principal", None)
        if principal is not None:
            logs.bind_principal(principal)
        request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex[:16]
        context = Context(
            self.engine,
            self.reads,
            principal,
            request_id=request_id,
            request=request,
            response=response,
            hub=self.hub,
            audit=self.audit,
            webhook_allow_private=self.settings.webhook_allow_private,
            budgets=self.budgets,
            shopper_budgets=self.shopper_budgets,
        )
        request.state.context = context  # server/disconnects.py asks it whether the operation writes
        return context

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        if result.errors:
            with_codes(result.errors)
        answer = await super().process_result(request, result)
        if result.errors:
            context = getattr(getattr(request, "state", None), "context", None)
            outage.mark(dict(answer), getattr(context, "response", None))
        return answer

    async def on_ws_connect(self, context: Context) -> None:  # type: ignore[override]
        # GuardedHandler keeps these credentials and checks them again while the socket is open.
        principal = await Credentials.of(context.connection_params).principal(self.keys, self.grants)
        if principal is None:
            raise ConnectionRejectionError({"message": "Unknown or revoked key, or expired customer token"})
        context.principal = context.request.state.principal = principal  # the latter for the access log
        logs.bind_principal(principal)

    async def http(self, request: Request) -> Response:
        if getattr(request.state, "request_id", None) is None:  # server/access.py names it
            request.state.request_id = access.accepted(request.headers.get("x-request-id"))
        wants_ide = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        if not await bodies.within(request, self.settings.max_body_bytes):
            response: Response = bodies.too_large(self.settings.max_body_bytes)
        elif wants_ide:
            response = await self._run(request)
        elif wait := self.failed_auth.exhausted(_address(request)):
            # Refused before the key is looked up: that lookup is what a flood of guesses costs us.
            response = too_many(wait, "Too many failed authentications from this address")
        else:
            # Read whole above, the body leaves nothing to receive but the client's disconnect.
            response = await self._unless_unavailable(
                disconnects.unless_gone(request, self._authenticated(request))
            )
            if response.status_code == 401:
                self.failed_auth.take(_address(request))
        response.headers["x-request-id"] = request.state.request_id
        return _negotiated(request, response)

    async def compiled_answer(self, request: Request) -> Response | None:
        """The read compiler's answer (server/front.py), or None to let the endpoint answer. The
        endpoint's checks, in its order: the body's size, the address's failed authentications, the
        key. A request with a customer token or without a key is the endpoint's to answer."""
        if self.compiled is None or CUSTOMER_TOKEN_HEADER in request.headers:
            return None
        token = bearer(request.headers.get("authorization"))
        if token is None:
            return None
        if getattr(request.state, "request_id", None) is None:  # server/access.py names it
            request.state.request_id = access.accepted(request.headers.get("x-request-id"))
        response = await self._unless_unavailable(self._compiled(request, token))
        if response is None:
            return None
        response.headers["x-request-id"] = request.state.request_id
        return _negotiated(request, response)

    async def _compiled(self, request: Request, token: str) -> Response | None:
        assert self.compiled is not None
        if not await bodies.within(request, self.settings.max_body_bytes):
            return bodies.too_large(self.settings.max_body_bytes)  # read part-way: answered here
        if self.failed_auth.exhausted(_address(request)):
            return None
        principal = await self.keys.principal(token)
        if principal is None:  # answered here, as the endpoint would: no second lookup of a bad key
            self.failed_auth.take(_address(request))
            return _unauthenticated("Unknown or revoked API key")
        request.state.principal = request.state.key_principal = principal
        context = await self.get_context(request, None)
        return await disconnects.unless_gone(request, self.compiled.answer(request, context))

    async def _unless_unavailable(self, answering: Awaitable[R]) -> R | Response:
        """The answer, or DATABASE_UNAVAILABLE (503) when the database failed it before execution
        could (the key's lookup, the read compiler's statement): a client retries that as it is."""
        try:
            return await answering
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("database unavailable: %s", exc)
            GRAPHQL_ERRORS.labels(outage.CODE).inc()
            return outage.response()

    def decode_json(self, data: str | bytes) -> object:
        return bodies.decode(data)

    async def _authenticated(self, request: Request) -> Response:
        token = bearer(request.headers.get("authorization"))
        if token is None:
            return _unauthenticated("Send an API key: Authorization: Bearer <key>")
        # server/front.py looked the key up already when it passed the request on
        principal = getattr(request.state, "key_principal", None) or await self.keys.principal(token)
        if principal is None:
            return _unauthenticated("Unknown or revoked API key")
        customer_token = request.headers.get(CUSTOMER_TOKEN_HEADER)
        request.state.principal = await self.grants.with_customer(principal, customer_token)
        if request.state.principal is None:
            return _unauthenticated("Unknown or expired customer token")
        return await self._run(request)

    async def _run(self, request: Request) -> Response:
        try:
            return await self.run(request)
        except HTTPException as exc:
            reason = exc.reason
            if reason.startswith("subscriptions are not allowed"):
                reason += ": subscribe over the WebSocket at /graphql (graphql-transport-ws)"
            return bodies.error(exc.status_code, reason, "BAD_REQUEST")

    async def websocket(self, websocket: WebSocket) -> None:
        if self.ws_connects.take(_address(websocket)):
            await refuse_socket(websocket)
            return
        metrics.SOCKETS.inc()
        try:
            await self.run(websocket)
        finally:
            metrics.SOCKETS.dec()


def create_app(settings: Settings, database_url: str, direct_url: str | None = None) -> Starlette:
    """The app on `database_url` (which may be a PgBouncer: settings.pgbouncer) for requests, and on
    `direct_url` (default: the same) for what needs a session of its own: LISTEN, the workers, the
    rate-limit and metrics samplers. Every pool is sized by server/connections.py."""
    Limits.configure(settings.statement_timeout, settings.idle_in_transaction_timeout)
    if refusal := secret_key.install(settings):
        raise SystemExit(f"error: {refusal}")
    budget = connections.for_serve(settings)
    # Reads (most requests) and writes each get a pool of their own; see domain/reading.py.
    engine = make_engine(
        database_url,
        pool_size=budget.writes,
        max_overflow=0,
        pgbouncer=settings.pgbouncer,
        wait=settings.db_wait_seconds,
    )
    reads = ReadPool(database_url, budget.reads, pgbouncer=settings.pgbouncer, wait=settings.db_wait_seconds)
    hub = Hub(reads)
    keys = KeyCache(engine, settings.auth_cache_seconds)
    grants = GrantCache(reads, settings.auth_cache_seconds)
    view = BatonGraphQL(engine, reads, keys, hub, settings, grants)
    dsn = plain_dsn(direct_url or database_url)
    # Overdue approvals and automatic reordering write through the write pool, as a request would.
    workers = Workers(dsn, settings, budget.workers, engine) if budget.workers else None
    traced: list[Middleware] = []
    if settings.traces_exporter:  # only then is OpenTelemetry imported at all
        from server import tracing

        traced.append(tracing.start(settings, view))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        """Whether this process can run a statement now, through the pool requests use: refused,
        unreachable or every connection busy for READY_WAIT seconds is a 503."""
        try:
            async with asyncio.timeout(READY_WAIT), engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            if not unavailable(exc):  # TimeoutError (the wait) is an OSError: unavailable too
                log.exception("/readyz failed")
            else:
                log.warning("/readyz: database unavailable: %r", exc)
            return outage.ready_body(False)
        return outage.ready_body(True)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        listening = asyncio.create_task(Listener(dsn, hub, settings.live_poll_seconds).run())
        syncing = asyncio.create_task(
            sync_budgets(view.budgets, dsn, settings.cost_sync_seconds, settings.redis_url)
        )
        if workers:
            await workers.start()
        try:
            async with metrics.serving(view, dsn, settings.metrics_host, settings.metrics_port, 5.0):
                yield
        finally:
            if workers:
                await workers.stop()
            for task in (listening, syncing):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await hub.close()
            await view.audit.close()
            await reads.close()
            await engine.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", view.http, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view.websocket),
            Route("/carriers/{carrier}/tracking", carrier_webhook(engine), methods=["POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *([view.ide.route()] if view.ide is not None else []),
            *Ops(keys, reads, hub, view.failed_auth).routes(),
        ],
        lifespan=lifespan,
        # Reads the compiler answers skip the router and its wrappers (server/front.py); the access
        # log is outside them all, so that every request has its line.
        middleware=[
            *traced,
            Middleware(AccessLog),
            *([Middleware(CompiledFront, view=view)] if view.compiled is not None else []),
        ],
    )
    app.state.engine = engine
    app.state.reads = reads
    app.state.hub = hub
    app.state.view = view
    app.state.budgets = view.budgets
    return app
