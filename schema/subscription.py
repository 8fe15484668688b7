"""Live updates over graphql-transport-ws on /graphql (the API key goes in connection_init)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from domain.tenancy.scopes import Scope
from resolvers import live
from schema.enums import EventTypeEnum
from schema.types.events import Event, InventoryChange
from schema.types.orders import Order


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The shop's events as they happen. With `after` (a position from an earlier event "
        "or from eventsFeed), first everything since then from the log, then live: nothing is skipped "
        "or repeated at the switch-over, so a client that reconnects with its last position misses "
        "nothing. Without it, from now on. Events are kept for the server's retention period."
    )
    async def events(
        self,
        info: strawberry.Info,
        after: str | None = None,
        types: list[EventTypeEnum] | None = None,
    ) -> AsyncGenerator[Event, None]:
        names = [t.value for t in types] if types else None
        redact = not info.context.require().has(Scope.CUSTOMERS_READ)
        async for row in live.events(info.context, after, names):
            yield Event.of(row, redact)

    @strawberry.subscription(
        description="The order as it is now, then again each time it changes. By `id` for keys with "
        "orders:read or a STOREFRONT key with the customer's access token; by `token` (the order access "
        "token from orderCreate) for any key. An order the caller may not read, or an unknown token, "
        "ends the subscription with a NOT_FOUND error."
    )
    async def order_updated(
        self, info: strawberry.Info, id: strawberry.ID | None = None, token: str | None = None
    ) -> AsyncGenerator[Order, None]:
        async for row in live.order_updates(info.context, id, token):
            yield Order.required(info, row)

    @strawberry.subscription(
        description="Stock changes (onHand, committed, available) of these SKUs at every location; "
        "of every SKU when none are given."
    )
    async def inventory_changed(
        self, info: strawberry.Info, skus: list[str] | None = None
    ) -> AsyncGenerator[InventoryChange, None]:
        async for sku, allow_backorder, row in live.inventory_changes(info.context, skus):
            yield InventoryChange.of(sku, allow_backorder, row)
