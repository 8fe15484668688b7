"""Returns (RMAs) and refunds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.returns.models import rma
from domain.returns.status import ReturnReason, ReturnStatus
from resolvers.ids import to_global
from schema.enums import ReturnReasonEnum, ReturnStatusEnum
from schema.node import Node
from schema.types.money import Money, money

if TYPE_CHECKING:
    from schema.types.orders import Order, OrderLine


async def _order(info: strawberry.Info, order_id: uuid.UUID | None) -> Any:
    from schema.types.orders import Order

    row = await info.context.loaders.order_by_id.load(order_id) if order_id else None
    return Order.shown(info, row)


async def _order_line(info: strawberry.Info, line_id: uuid.UUID, currency: str) -> Any:
    from schema.types.orders import OrderLine

    row = await info.context.loaders.line_by_id.load(line_id)
    return OrderLine.of(row, currency) if row else None


@strawberry.type(description="The replacement a return line asks for instead of its money back")
class ExchangeRequest:
    sku: str
    quantity: int


@strawberry.type
class ReturnLine(Node):
    id: strawberry.ID
    quantity: int = strawberry.field(description="Units asked to return")
    reason: ReturnReasonEnum  # type: ignore[valid-type]
    note: str | None
    received_quantity: int = strawberry.field(description="Units that arrived, in any condition")
    resellable_quantity: int
    damaged_quantity: int
    defective_quantity: int
    refunded_quantity: int = strawberry.field(description="Units refunded or credited to an exchange")
    exchange_for: ExchangeRequest | None
    order_line_id: strawberry.Private[uuid.UUID]
    currency: strawberry.Private[str]

    @strawberry.field(description="The order line whose units come back")
    async def order_line(
        self, info: strawberry.Info
    ) -> Annotated[OrderLine, strawberry.lazy("schema.types.orders")] | None:
        return await _order_line(info, self.order_line_id, self.currency)

    @classmethod
    def of(cls, r: Any, currency: str) -> ReturnLine:
        return cls(
            id=strawberry.ID(to_global("ReturnLine", r.id)),
            quantity=r.quantity,
            reason=ReturnReason(r.reason),
            note=r.note,
            received_quantity=r.resellable + r.damaged + r.defective,
            resellable_quantity=r.resellable,
            damaged_quantity=r.damaged,
            defective_quantity=r.defective,
            refunded_quantity=r.refunded,
            exchange_for=ExchangeRequest(sku=r.exchange_sku, quantity=r.exchange_quantity)
            if r.exchange_sku
            else None,
            order_line_id=r.order_line_id,
            currency=currency,
        )


@strawberry.type(description="A return merchandise authorization: units of one order coming back")
class Return(Node):
    id: strawberry.ID
    rma_number: str = strawberry.field(description='Per shop, e.g. "RMA-1001"')
    status: ReturnStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="REQUESTED, then APPROVED or DECLINED, IN_TRANSIT, RECEIVED and CLOSED; or CANCELLED"
    )
    customer_note: str | None
    decline_reason: str | None = strawberry.field(description="Why staff declined it")
    cancel_reason: str | None
    carrier: str | None = strawberry.field(description="Carrier of the parcel coming back")
    tracking_number: str | None
    approved_at: datetime | None
    received_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Increases with every change to the return")
    row_id: strawberry.Private[uuid.UUID]
    order_id: strawberry.Private[uuid.UUID]
    exchange_order_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    async def order(
        self, info: strawberry.Info
    ) -> Annotated[Order, strawberry.lazy("schema.types.orders")] | None:
        return await _order(info, self.order_id)

    @strawberry.field(description="The replacement order made when an exchange was approved")
    async def exchange_order(
        self, info: strawberry.Info
    ) -> Annotated[Order, strawberry.lazy("schema.types.orders")] | None:
        return await _order(info, self.exchange_order_id)

    @strawberry.field
    async def lines(self, info: strawberry.Info) -> list[ReturnLine]:
        order = await info.context.loaders.order_by_id.load(self.order_id)
        rows = await info.context.loaders.lines_by_return.load(self.row_id)
        return [ReturnLine.of(r, order.currency) for r in rows] if order else []

    @strawberry.field
    async def refunds(self, info: strawberry.Info) -> list[Refund]:
        rows = await info.context.loaders.refunds_by_return.load(self.row_id)
        return [Refund.of(r) for r in rows]

    @classmethod
    def of(cls, r: Any) -> Return:
        return cls(
            id=strawberry.ID(to_global("Return", r.id)),
            rma_number=rma(r.number),
            status=ReturnStatus(r.status),
            customer_note=r.customer_note,
            decline_reason=r.decline_reason,
            cancel_reason=r.cancel_reason,
            carrier=r.carrier,
            tracking_number=r.tracking_number,
            approved_at=r.approved_at,
            received_at=r.received_at,
            closed_at=r.closed_at,
            created_at=r.created_at,
            updated_at=r.updated_at,
            version=r.version,
            row_id=r.id,
            order_id=r.order_id,
            exchange_order_id=r.exchange_order_id,
        )


@strawberry.type
class RefundLine:
    quantity: int
    amount: Money = strawberry.field(description="The units' share of the line's subtotal and tax")
    restocking_fee: Money
    order_line_id: strawberry.Private[uuid.UUID]
    currency: strawberry.Private[str]

    @strawberry.field
    async def order_line(
        self, info: strawberry.Info
    ) -> Annotated[OrderLine, strawberry.lazy("schema.types.orders")] | None:
        return await _order_line(info, self.order_line_id, self.currency)


@strawberry.type(
    description="Money given back on an order. amount went back to the customer's payment; credited "
    "paid for an exchange order instead. lines + shipping + extra - restocking fee = amount + credited."
)
class Refund(Node):
    id: strawberry.ID
    amount: Money
    credited: Money
    lines_amount: Money
    shipping_amount: Money
    extra_amount: Money = strawberry.field(description="Given on top of lines and shipping")
    restocking_fee: Money
    reason: str
    idempotency_key: str | None
    created_at: datetime
    row_id: strawberry.Private[uuid.UUID]
    order_id: strawberry.Private[uuid.UUID]
    return_id: strawberry.Private[uuid.UUID | None]
    currency: strawberry.Private[str]

    @strawberry.field
    async def order(
        self, info: strawberry.Info
    ) -> Annotated[Order, strawberry.lazy("schema.types.orders")] | None:
        return await _order(info, self.order_id)

    @strawberry.field(name="return")
    async def return_(self, info: strawberry.Info) -> Return | None:
        row = await info.context.loaders.return_by_id.load(self.return_id) if self.return_id else None
        return Return.of(row) if row else None

    @strawberry.field
    async def lines(self, info: strawberry.Info) -> list[RefundLine]:
        rows = await info.context.loaders.lines_by_refund.load(self.row_id)
        return [
            RefundLine(
                quantity=r.quantity,
                amount=money(r.amount, self.currency),
                restocking_fee=money(r.restocking_fee, self.currency),
                order_line_id=r.order_line_id,
                currency=self.currency,
            )
            for r in rows
        ]

    @classmethod
    def of(cls, r: Any) -> Refund:
        cur = r.currency
        return cls(
            id=strawberry.ID(to_global("Refund", r.id)),
            amount=money(r.amount, cur),
            credited=money(r.credited, cur),
            lines_amount=money(r.lines_amount, cur),
            shipping_amount=money(r.shipping_amount, cur),
            extra_amount=money(r.extra_amount, cur),
            restocking_fee=money(r.restocking_fee, cur),
            reason=r.reason,
            idempotency_key=r.idempotency_key,
            created_at=r.created_at,
            row_id=r.id,
            order_id=r.order_id,
            return_id=r.return_id,
            currency=cur,
        )
