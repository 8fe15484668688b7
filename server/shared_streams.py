"""One execution for identical orderUpdated subscriptions.

A thousand phones following one order send the same document with the same variables. Executing it
once per change and sending that result to all of them costs one GraphQL execution instead of a
thousand, which is what keeps delivery latency flat as followers grow. Subscriptions are shared only
when their answer cannot differ: the same tenant, scopes and customer, the same document, variables
and operation.
Only orderUpdated is shared: its stream is "the order now, then after each change", so a late joiner gets
the latest result at once, and a follower that falls behind may skip straight to the newest state.
Everything else (events, inventoryChanged) runs per subscriber, with its own replay and no loss."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
from collections.abc import AsyncGenerator
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler

SHAREABLE = frozenset({"orderUpdated"})
BACKLOG = 16  # results a slow follower may lag; beyond that it skips to the newest


@functools.lru_cache(maxsize=256)
def shareable(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if len(chosen) != 1 or chosen[0].operation != OperationType.SUBSCRIPTION:
        return False
    fields = chosen[0].selection_set.selections
    return len(fields) == 1 and isinstance(fields[0], FieldNode) and fields[0].name.value in SHAREABLE


class _Stream:
    """One running execution and the followers it feeds."""

    def __init__(self, source: AsyncGenerator[Any, None], on_empty: Any) -> None:
        self._source = source
        self._followers: set[asyncio.Queue[Any]] = set()
        self._on_empty = on_empty
        self.last: Any = None
        self.done = False
        self._task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        try:
            async with contextlib.aclosing(self._source):
                async for result in self._source:
                    self.last = result
                    for queue in list(self._followers):
                        if queue.full():
                            queue.get_nowait()  # the newest state replaces the oldest
                        queue.put_nowait(result)
        finally:
            self.done = True
            for queue in list(self._followers):
                if queue.full():  # a slow follower loses its oldest update, never the end
                    queue.get_nowait()
                queue.put_nowait(_END)
            self._on_empty(self)

    async def follow(self) -> AsyncGenerator[Any, None]:
        queue: asyncio.Queue[Any] = asyncio.Queue(BACKLOG)
        if self.last is not None:
            queue.put_nowait(self.last)
        if self.done:
            queue.put_nowait(_END)
        self._followers.add(queue)
        try:
            while (result := await queue.get()) is not _END:
                yield result
        finally:
            self._followers.discard(queue)
            if not self._followers and not self.done:
                self._on_empty(self)
                self._task.cancel()


_END = object()


class SharedStreams:
    def __init__(self) -> None:
        self._streams: dict[tuple[Any, ...], _Stream] = {}

    def _forget(self, key: tuple[Any, ...], stream: _Stream) -> None:
        if self._streams.get(key) is stream:
            del self._streams[key]

    async def stream(
        self,
        schema: Any,
        query: str,
        variables: dict[str, Any] | None,
        context: Any,
        root_value: Any,
        operation_name: str | None,
    ) -> Any:
        principal = getattr(context, "principal", None)
        if principal is None or not query or not shareable(query, operation_name):
            return await schema.stream(query, variables, context, root_value, operation_name)
        # What the caller may see decides the answer: its scopes, and the customer it speaks for.
        key = (
            principal.tenant_id,
            principal.scopes,
            principal.grant,
            frozenset(context.proven_orders),  # orders this connection proved with a token
            query,
            json.dumps(variables or {}, sort_keys=True, default=str),
            operation_name,
        )
        found = self._streams.get(key)
        if found is None or found.done:
            # The stream runs on a copy of the context as it is now: what the connection proves later
            # (orderByToken) must not change what the stream's other followers are sent.
            frozen = dataclasses.replace(context, proven_orders=set(context.proven_orders))
            source = await schema.stream(query, variables, frozen, root_value, operation_name)
            found = _Stream(source, lambda s: self._forget(key, s))
            self._streams[key] = found
        return found.follow()

    @property
    def count(self) -> int:
        return len(self._streams)


class _SharingSchema:
    """The schema as the WebSocket handler sees it: `stream` goes through the shared streams."""

    def __init__(self, schema: Any, shared: SharedStreams) -> None:
        self._schema = schema
        self._shared = shared

    def __getattr__(self, name: str) -> Any:
        return getattr(self._schema, name)

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any = None,
        root_value: Any = None,
        operation_name: str | None = None,
    ) -> Any:
        return await self._shared.stream(
            self._schema, query or "", variable_values, context_value, root_value, operation_name
        )


class SharingHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schema = _SharingSchema(self.schema, kwargs["view"].shared_streams)  # type: ignore[assignment]
