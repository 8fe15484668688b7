from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.orders.status import CustomerTier
from resolvers import orders as order_resolvers
from resolvers import returns as return_resolvers
from resolvers.ids import to_global
from schema.connection import Connection, connection, page_request
from schema.enums import CustomerTierEnum
from schema.node import Node
from schema.types.orders import Order

if TYPE_CHECKING:
    from schema.types.returns import Return


@strawberry.type
class Customer(Node):
    id: strawberry.ID
    email: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    tier: CustomerTierEnum  # type: ignore[valid-type]
    created_at: datetime
    row_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="This customer's orders, newest first unless reversed")
    async def orders(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        reverse: bool = False,
    ) -> Connection[Order]:
        page = await order_resolvers.of_customer(
            info.context, self.row_id, page_request(first, after, last, before, not reverse)
        )
        return connection(page, lambda r: Order.required(info, r))

    @strawberry.field(description="Returns of this customer's orders, newest first unless reversed")
    async def returns(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        reverse: bool = False,
    ) -> Connection[Annotated[Return, strawberry.lazy("schema.types.returns")]]:
        from schema.types.returns import Return

        page = await return_resolvers.of_customer(
            info.context, self.row_id, page_request(first, after, last, before, not reverse)
        )
        return connection(page, Return.of)

    @classmethod
    def of(cls, r: Any) -> Customer:
        return cls(
            id=strawberry.ID(to_global("Customer", r.id)),
            email=r.email,
            first_name=r.first_name,
            last_name=r.last_name,
            phone=r.phone,
            tier=CustomerTier(r.tier),
            created_at=r.created_at,
            row_id=r.id,
        )
