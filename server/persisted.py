"""Persisted queries, Apollo's Automatic Persisted Queries protocol as Apollo Client's persisted-queries
link speaks it, and allow-list mode for API keys.

A request may name its document by hash: `extensions: {"persistedQuery": {"version": 1, "sha256Hash":
"<hex>"}}`. Without `query` the stored document runs, or the answer is PersistedQueryNotFound (HTTP 200,
as Apollo servers answer, so the link retries with the text); with `query` the hash must be the query's
SHA-256, and the document is kept once it has run. Over GET that makes a read's URL short.

Documents are kept per tenant: a hash one shop's clients sent is PersistedQueryNotFound to every other
shop, so no key learns what another shop's clients run. A shop keeps at most
BATON_PERSISTED_QUERIES_PER_TENANT of them; past that a document still runs, but is not kept, and the
answer says so in `extensions.persistedQuery` (code PERSISTED_QUERY_STORE_FULL).

A key in allow-list mode (registered_documents_only) runs only documents its tenant registered with
`baton documents register`, named by hash or sent in full; anything else is refused before it is parsed.

Documents are read through in-process LRUs, so once warm a request costs no database round trip.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ErrorMessage, SubscribeMessage
from strawberry.types import ExecutionResult

from domain.documents import store
from domain.documents.models import MAX_DOCUMENT_CHARS
from domain.reading import ReadPool
from domain.tenancy.service import Principal
from server.settings import Settings
from server.socket_auth import GuardedHandler

log = logging.getLogger("baton.persisted")

SHA256 = re.compile(r"[0-9a-fA-F]{64}")
CACHE_CHARS = 32_000_000  # document text held in memory per LRU, at most
# Responses depend on the API key and the customer token, so only the client itself may keep them, and
# as they may carry a customer's data it should not write them to disk either.
GET_CACHE_CONTROL = "private, no-store"
VARY = "Authorization, X-Baton-Customer-Token"

K = TypeVar("K")


class LRU(Generic[K]):
    """Texts by key, least recently used dropped first, bounded by the characters held."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self._entries: OrderedDict[K, str] = OrderedDict()

    def get(self, key: K) -> str | None:
        text = self._entries.get(key)
        if text is not None:
            self._entries.move_to_end(key)
        return text

    def put(self, key: K, text: str) -> None:
        if key in self._entries:
            self._entries.move_to_end(key)
            return
        self._entries[key] = text
        self.chars += len(text)
        while self.chars > self.max_chars and self._entries:
            self.chars -= len(self._entries.popitem(last=False)[1])


@dataclass(frozen=True)
class Refusal:
    message: str
    code: str
    status: int = 200

    def result(self) -> ExecutionResult:
        return ExecutionResult(data=None, errors=[GraphQLError(self.message, extensions={"code": self.code})])


NOT_FOUND = Refusal("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
MISMATCH = Refusal("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH", 400)
UNSUPPORTED = Refusal(
    "Unsupported persisted query: send version 1 and a sha256Hash of 64 hex digits", "BAD_REQUEST", 400
)
NOT_REGISTERED = Refusal(
    "This API key runs only documents its shop registered, and this one is not", "DOCUMENT_NOT_REGISTERED"
)


@dataclass(frozen=True)
class Prepared:
    query: str | None
    keep: str | None  # the hash to keep the query under once it has run


class Documents:
    """Documents by tenant and hash: the ones each tenant's clients persisted, and the ones each tenant
    registered. Only what exists is cached: texts never change under their hash, and registrations are
    never removed, so a cached entry is never stale. A miss asks the database every time."""

    def __init__(self, engine: AsyncEngine, reads: ReadPool, limit: int) -> None:
        self.engine = engine
        self.reads = reads
        self.limit = limit  # persisted documents kept per tenant
        self.stored: LRU[tuple[uuid.UUID, str]] = LRU(CACHE_CHARS)
        self.registered: LRU[tuple[uuid.UUID, str]] = LRU(CACHE_CHARS)

    async def _lookup(self, principal: Principal, sha: str) -> store.Found:
        async with self.reads.tenant(principal.tenant_id) as reader:
            found = await store.lookup(reader, principal.tenant_id, sha)
        if found.stored is not None:
            self.stored.put((principal.tenant_id, sha), found.stored)
        if found.registered is not None:
            self.registered.put((principal.tenant_id, sha), found.registered)
        return found

    async def text(self, principal: Principal, sha: str) -> str | None:
        key = (principal.tenant_id, sha)
        hit = self.registered.get(key) or self.stored.get(key)
        if hit is not None:
            return hit
        found = await self._lookup(principal, sha)
        return found.registered or found.stored

    async def is_registered(self, principal: Principal, sha: str) -> bool:
        if self.registered.get((principal.tenant_id, sha)) is not None:
            return True
        return (await self._lookup(principal, sha)).registered is not None

    async def keep(self, principal: Principal, sha: str, query: str) -> None:
        """Keeps the tenant's document; raises store.StoreFull when the tenant may keep no more."""
        key = (principal.tenant_id, sha)
        if self.stored.get(key) is None and len(query) <= MAX_DOCUMENT_CHARS:
            await store.keep(self.engine, principal.tenant_id, sha, query, self.limit)
            self.stored.put(key, query)

    async def prepare(
        self, principal: Principal | None, query: str | None, extensions: Any
    ) -> Prepared | Refusal:
        """The query to run, from the request's text or hash; or why it may not run."""
        if principal is None:  # unauthenticated: nothing will run; strawberry answers as it would
            return Prepared(query, None)
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        sha, keep = None, None
        if persisted is not None:
            if not isinstance(persisted, dict) or persisted.get("version") != 1:
                return UNSUPPORTED
            given = persisted.get("sha256Hash")
            if not isinstance(given, str) or not SHA256.fullmatch(given):
                return UNSUPPORTED
            sha = given.lower()
            if query is None:
                query = await self.text(principal, sha)
                if query is None:
                    return NOT_FOUND
            elif store.sha256(query) != sha:
                return MISMATCH
            else:
                keep = sha
        allowed = (
            not principal.registered_documents_only
            or query is None
            or await self.is_registered(principal, sha or store.sha256(query))
        )
        return Prepared(query, keep) if allowed else NOT_REGISTERED


class PersistedQueries:
    """Mixed into the GraphQL view (server/app.py): every HTTP operation goes through Documents.prepare."""

    engine: AsyncEngine
    reads: ReadPool
    settings: Settings

    @cached_property
    def documents(self) -> Documents:
        return Documents(self.engine, self.reads, self.settings.persisted_queries_per_tenant)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET naming its document by hash has no `query` either, and is no browser asking for GraphiQL.
        by_hash = request.query_params.get("extensions") is not None
        return not by_hash and super().should_render_graphql_ide(request)  # type: ignore[misc]

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        if request_adapter.method == "GET":
            sub_response.headers["Cache-Control"] = GET_CACHE_CONTROL
            sub_response.headers["Vary"] = VARY
        principal = getattr(context, "principal", None)
        prepared = await self.documents.prepare(principal, request_data.query, request_data.extensions)
        if isinstance(prepared, Refusal):
            if prepared.status != 200:
                sub_response.status_code = prepared.status
            return prepared.result()
        request_data.query = prepared.query
        result: ExecutionResult = await super().execute_single(  # type: ignore[misc]
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if prepared.keep and principal is not None and prepared.query is not None and result.data is not None:
            # Kept only once it has run: a document that does not parse or validate is never stored.
            try:
                await self.documents.keep(principal, prepared.keep, prepared.query)
            except store.StoreFull as full:  # the answer stands: not an error, so the data is not lost
                notice = {"code": full.code, "message": str(full)}
                result.extensions = {**(result.extensions or {}), "persistedQuery": notice}
            except Exception:  # the answer is ready; the client just sends the text again next time
                log.exception("could not keep a persisted query")
        return result


class PersistedHandler(GuardedHandler):
    """graphql-transport-ws with the same rules: a subscribe may name its document by hash, and an
    allow-listed key subscribes only to registered documents."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload: Any = message.get("payload")
        if self.connection_acknowledged and isinstance(payload, dict):
            documents: Documents = self.view.documents  # type: ignore[attr-defined]  # PersistedQueries
            query = payload.get("query")
            prepared = await documents.prepare(
                self.context.principal, query if isinstance(query, str) else None, payload.get("extensions")
            )
            if isinstance(prepared, Refusal):
                error = prepared.result().errors or []
                await self.send_message(
                    ErrorMessage(id=message["id"], type="error", payload=[e.formatted for e in error])
                )
                return
            if prepared.query is not None:
                # Over a socket clients send the text anyway; it is not kept from here.
                payload["query"] = prepared.query
        await super().handle_subscribe(message)
