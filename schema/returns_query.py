"""Reads of returns: the list, for a support queue."""

from __future__ import annotations

import strawberry

from domain.returns.queries import ReturnFilter, ReturnSort
from domain.returns.status import ReturnStatus
from resolvers import returns
from resolvers.errors import BadInput
from resolvers.ids import local_id
from schema.connection import Connection, connection, page_request
from schema.enums import ReturnSortKey, ReturnStatusEnum
from schema.types.returns import Return


@strawberry.type
class ReturnsQuery:
    @strawberry.field(description="Returns: by default the newest first; by number, the lowest first")
    async def returns(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: list[ReturnStatusEnum] | None = None,  # type: ignore[valid-type]
        order_id: strawberry.ID | None = None,
        sort_key: ReturnSortKey = ReturnSort.CREATED_AT,
        reverse: bool = False,
    ) -> Connection[Return]:
        order = local_id(order_id, "Order") if order_id else None
        if order_id and order is None:
            raise BadInput("orderId is not an Order ID")
        where = ReturnFilter(statuses=sorted({ReturnStatus(s) for s in status or []}), order_id=order)
        default_desc = sort_key.value != ReturnSort.NUMBER
        page = await returns.listing(
            info.context,
            where,
            page_request(first, after, last, before, reverse != default_desc),
            ReturnSort(sort_key.value),
        )
        return connection(page, Return.of)
