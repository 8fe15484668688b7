"""Live subscriptions: the tenant's events, one order, stock of some SKUs. Each follows the process's
in-memory fan-out (domain/events/hub.py), which reads the log once per wake-up for every subscriber."""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from domain.catalog import queries as catalog
from domain.catalog.models import BackorderPolicy
from domain.errors import DomainError
from domain.events import feed
from domain.events.hub import Hub
from domain.orders import access
from domain.orders import queries as orders
from domain.reading import Row
from domain.tenancy.scopes import Scope
from resolvers import orders as order_reads
from resolvers.context import Context
from resolvers.errors import BadInput, PublicError
from resolvers.ids import local_id, parse_global


class NotFound(PublicError):
    code = "NOT_FOUND"


def _hub(ctx: Context) -> Hub:
    if ctx.hub is None:  # pragma: no cover - every server wires one
        raise RuntimeError("no live hub in this context")
    return ctx.hub


def _start(after: str | None) -> int | None:
    if after is None:
        return None
    try:
        return feed.parse_cursor(after)
    except DomainError as exc:
        raise BadInput(exc.message) from exc


async def events(ctx: Context, after: str | None, types: list[str] | None) -> AsyncIterator[Row]:
    """Everything since `after` from the table, then live; no gap and no repeat at the switch-over."""
    tenant = ctx.require(Scope.EVENTS_READ).tenant_id
    start = _start(after)
    wanted = set(types) if types else None
    if start:
        async with ctx.reads.tenant(tenant) as reader:
            try:
                await feed.check_kept(reader, tenant, start)
            except DomainError as exc:
                raise BadInput(exc.message) from exc
    async with _hub(ctx).subscribe(tenant) as sub:
        async for row in sub.events(start):
            if wanted is None or row.type in wanted:
                yield row


class _Shared:
    """Reads shared by every subscriber of this process: a thousand followers of one order make one
    read per change, not a thousand. Keyed by what was read and the log position it was read for."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._done: OrderedDict[tuple[Any, ...], asyncio.Task[Any]] = OrderedDict()

    def get(self, key: tuple[Any, ...], load: Callable[[], Awaitable[Any]]) -> Awaitable[Any]:
        task = self._done.get(key)
        if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
            task = asyncio.ensure_future(load())
            self._done[key] = task
            while len(self._done) > self._size:
                self._done.popitem(last=False)
        return asyncio.shield(task)


_shared = _Shared()


async def _order(ctx: Context, tenant: uuid.UUID, order_id: uuid.UUID, position: int | None) -> Row | None:
    """The order as it is after the event at `position` (None: now, read afresh)."""

    async def load() -> Row | None:
        async with ctx.reads.tenant(tenant) as reader:
            return (await orders.by_ids(reader, tenant, [order_id])).get(order_id)

    if position is None:
        return await load()
    return await _shared.get(("order", tenant, order_id, position), load)


async def order_updates(ctx: Context, gid: str | None, token: str | None) -> AsyncIterator[Row]:
    """The order now, then again after every change to it. By ID for keys that read orders or a
    customer's token that covers it; by its order access token for anyone holding that."""
    tenant = ctx.require().tenant_id
    if (gid is None) == (token is None):
        raise BadInput("Give either id or token")
    if token is not None:
        async with ctx.reads.tenant(tenant) as reader:
            order_id = await access.order_for(reader, tenant, token)
        if order_id is not None:
            ctx.proven_orders.add(order_id)
    else:
        order_reads.require_order_reader(ctx)
        order_id = local_id(gid, "Order")
    async with _hub(ctx).subscribe(tenant) as sub:
        current = await _order(ctx, tenant, order_id, None) if order_id else None
        if current is None or not ctx.sees_order(current.id, current.customer_id):
            raise NotFound("Order not found")
        yield current
        seen = (current.version, current.updated_at)
        async for row in sub.events(sub.start):
            if row.aggregate_type != "Order" or row.aggregate_id != order_id:
                continue
            found = await _order(ctx, tenant, order_id, row.position)
            if found is not None and (found.version, found.updated_at) != seen:
                seen = (found.version, found.updated_at)
                ctx.fresh_loaders()
                yield found


async def inventory_changes(ctx: Context, skus: list[str] | None) -> AsyncIterator[tuple[str, bool, Row]]:
    """(sku, whether the product takes backorders, INVENTORY_LEVEL_CHANGED event) for the given SKUs
    (all when none are given)."""
    tenant = ctx.require(Scope.CATALOG_READ).tenant_id
    wanted = set(skus) if skus else None

    async def product_of(product_gid: str, position: int) -> tuple[str, bool] | None:
        """The product's SKU and backorder policy as of this event: read once per event for every
        subscriber, and never kept past it, since productUpdate may rename a SKU or change its policy."""
        parsed = parse_global(product_gid)

        async def load() -> tuple[str, bool] | None:
            async with ctx.reads.tenant(tenant) as reader:
                found = await catalog.products_by_ids(reader, tenant, [parsed[1]]) if parsed else {}
            return next(((p.sku, p.backorder_policy == BackorderPolicy.ALLOW) for p in found.values()), None)

        return await _shared.get(("sku", tenant, product_gid, position), load)

    async with _hub(ctx).subscribe(tenant) as sub:
        async for row in sub.events(sub.start):
            if row.type != "INVENTORY_LEVEL_CHANGED":
                continue
            product = await product_of(row.payload["productId"], row.position)
            if product is not None and (wanted is None or product[0] in wanted):
                yield product[0], product[1], row
