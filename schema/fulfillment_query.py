"""Reads for pickers and carriers: the fulfillment queue and the carrier list."""

from __future__ import annotations

import strawberry

from domain.shipping.carriers import CARRIERS
from resolvers import fulfillment
from schema.connection import Connection, connection
from schema.types.fulfillment import FulfillmentOrder
from schema.types.shipping import Carrier


@strawberry.type
class FulfillmentQuery:
    @strawberry.field(
        description="A location's open and in-progress fulfillment orders in the order a picker should "
        "take them: highest priority, then earliest ship-by date, then oldest. Null for an unknown location."
    )
    async def fulfillment_queue(
        self,
        info: strawberry.Info,
        location_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[FulfillmentOrder] | None:
        page = await fulfillment.queue(info.context, location_id, first, after)
        return connection(page, FulfillmentOrder.of) if page else None

    @strawberry.field(description="The carriers Baton has adapters for")
    def carriers(self, info: strawberry.Info) -> list[Carrier]:
        info.context.require()
        return [
            Carrier(code=c.code, name=c.name, tracking_url_template=c.tracking_url_template)
            for c in sorted(CARRIERS.values(), key=lambda c: c.code)
        ]
