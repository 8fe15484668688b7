"""Orders, their lines, allocations, payments and timeline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from domain.orders.status import (
    AllocationStatus,
    FulfillmentStatus,
    OrderStatus,
    PaymentStatus,
    SalesChannel,
    ShippingMethod,
)
from domain.returns.status import OrderReturnStatus
from domain.tenancy.scopes import Scope
from resolvers.errors import Forbidden
from resolvers.ids import to_global
from resolvers.privacy import without_contact
from schema.enums import (
    AllocationStatusEnum,
    FulfillmentStatusEnum,
    OrderReturnStatusEnum,
    OrderStatusEnum,
    PaymentStatusEnum,
    SalesChannelEnum,
    ShippingMethodEnum,
)
from schema.node import Node
from schema.types.catalog import Location, Product
from schema.types.customization import Customization
from schema.types.money import Address, Money, address, money
from schema.types.order_edits import OrderAdjustment, adjustments
from schema.types.risk import OrderRisk

if TYPE_CHECKING:
    from schema.types.approvals import OrderApproval
    from schema.types.customers import Customer
    from schema.types.fulfillment import FulfillmentOrder
    from schema.types.returns import Refund, Return
    from schema.types.shipping import Shipment


@strawberry.type(
    description="Units of a line held at one location: reserved, or backordered until stock comes."
)
class Allocation:
    quantity: int
    shipped_quantity: int
    status: AllocationStatusEnum  # type: ignore[valid-type]
    location_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def location(self, info: strawberry.Info) -> Location:
        return Location.of(await info.context.loaders.location_by_id.load(self.location_id))


@strawberry.type
class OrderLine(Node):
    id: strawberry.ID
    sku: str
    name: str
    quantity: int
    unit_price: Money
    subtotal: Money
    tax: Money
    customizations: list[Customization]
    row_id: strawberry.Private[uuid.UUID]
    product_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The catalog product, as it is now")
    async def product(self, info: strawberry.Info) -> Product | None:
        row = await info.context.loaders.product_by_id.load(self.product_id)
        return Product.of(row) if row else None

    @strawberry.field(description="Where this line's units are reserved")
    async def allocations(self, info: strawberry.Info) -> list[Allocation]:
        rows = await info.context.loaders.allocations_by_line.load(self.row_id)
        return [
            Allocation(
                quantity=r.quantity,
                shipped_quantity=r.shipped,
                status=AllocationStatus(r.status),
                location_id=r.location_id,
            )
            for r in rows
        ]

    @strawberry.field(description="Units of this line that have shipped")
    async def quantity_shipped(self, info: strawberry.Info) -> int:
        rows = await info.context.loaders.allocations_by_line.load(self.row_id)
        return sum(r.shipped for r in rows)

    @strawberry.field(description="Units of this line sold without stock, still waiting for a receipt")
    async def quantity_backordered(self, info: strawberry.Info) -> int:
        rows = await info.context.loaders.allocations_by_line.load(self.row_id)
        return sum(r.quantity for r in rows if r.status == AllocationStatus.BACKORDERED)

    @classmethod
    def of(cls, r: Any, currency: str) -> OrderLine:
        return cls(
            id=strawberry.ID(to_global("OrderLine", r.id)),
            sku=r.sku,
            name=r.name,
            quantity=r.quantity,
            unit_price=money(r.unit_price, currency),
            subtotal=money(r.subtotal, currency),
            tax=money(r.tax, currency),
            customizations=[Customization(name=c["name"], value=c["value"]) for c in r.customizations],
            row_id=r.id,
            product_id=r.product_id,
        )


@strawberry.type(description="One entry of an order's timeline: what happened, when, by which key.")
class OrderEvent:
    id: strawberry.ID
    type: str
    message: str
    actor: str | None
    data: JSON
    occurred_at: datetime


@strawberry.type
class Payment:
    amount: Money
    reference: str
    created_at: datetime


@strawberry.type
class Order(Node):
    id: strawberry.ID
    number: str = strawberry.field(description='The human order number, e.g. "#1001"')
    status: OrderStatusEnum  # type: ignore[valid-type]
    payment_status: PaymentStatusEnum  # type: ignore[valid-type]
    channel: SalesChannelEnum  # type: ignore[valid-type]
    external_id: str | None
    email: str | None = strawberry.field(
        description="The customer's email: null for keys without customers:read (partners), unless the "
        "request carries the customer's or the order's access token"
    )
    shipping_method: ShippingMethodEnum  # type: ignore[valid-type]
    shipping_address: Address = strawberry.field(
        description="Where it ships; the phone number shows only where the email does"
    )
    billing_address: Address | None
    note: str | None
    tags: list[str]
    subtotal: Money
    shipping: Money
    tax: Money
    total: Money
    paid: Money
    balance_due: Money
    refunded: Money = strawberry.field(
        description="Given back so far: refunds to the customer and credit applied to exchange orders"
    )
    adjustment_total: Money = strawberry.field(
        description="The discounts (negative) and surcharges (positive) order edits added, tax included"
    )
    return_status: OrderReturnStatusEnum  # type: ignore[valid-type]
    cancel_reason: str | None
    fulfillment_status: FulfillmentStatusEnum  # type: ignore[valid-type]
    priority: int = strawberry.field(
        description="0 to 100, higher ships first: the override when one is set, else computed from "
        "shipping method, customer tier and how close the ship-by date is"
    )
    computed_priority: int
    priority_override: int | None
    ship_by: datetime = strawberry.field(description="When the order must leave the warehouse")
    shipment_exception: str | None = strawberry.field(
        description="Set while a carrier reports a problem with one of its shipments: for support"
    )
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Increases with every change to the order")
    row_id: strawberry.Private[uuid.UUID]
    customer_id: strawberry.Private[uuid.UUID]
    currency: strawberry.Private[str]
    exchange_of_id: strawberry.Private[uuid.UUID | None]
    adjustment_rows: strawberry.Private[list[dict[str, Any]]]
    risk_level: strawberry.Private[str]
    risk_score: strawberry.Private[int]
    contact_shown: strawberry.Private[bool] = True

    @strawberry.field
    async def lines(self, info: strawberry.Info) -> list[OrderLine]:
        rows = await info.context.loaders.lines_by_order.load(self.row_id)
        return [OrderLine.of(r, self.currency) for r in rows]

    @strawberry.field(
        description="The customer record: for keys with customers:read and the customer's own token"
    )
    async def customer(
        self, info: strawberry.Info
    ) -> Annotated[Customer, strawberry.lazy("schema.types.customers")] | None:
        from schema.types.customers import Customer

        if not info.context.sees_customer(self.customer_id):
            return None
        row = await info.context.loaders.customer_by_id.load(self.customer_id)
        return Customer.of(row) if row else None

    @strawberry.field(
        description="Why the order waited for approval and how that was decided; null when no approval "
        "rule held it, and for keys without orders:read (a customer sees the status only)"
    )
    async def approval(
        self, info: strawberry.Info
    ) -> Annotated[OrderApproval, strawberry.lazy("schema.types.approvals")] | None:
        from schema.types.approvals import OrderApproval

        if not info.context.require().has(Scope.ORDERS_READ):
            return None
        row = await info.context.loaders.approval_by_order.load(self.row_id)
        return OrderApproval.of(row) if row else None

    @strawberry.field(description="The discounts and surcharges order edits added, with their reasons")
    def adjustments(self) -> list[OrderAdjustment]:
        return adjustments(self.adjustment_rows, self.currency)

    @strawberry.field(description="The timeline, oldest first")
    async def events(self, info: strawberry.Info) -> list[OrderEvent]:
        rows = await info.context.loaders.timeline_by_order.load(self.row_id)
        return [
            OrderEvent(
                id=strawberry.ID(str(r.event_id)),
                type=r.type,
                message=r.message,
                actor=r.actor,
                data=r.data if self.contact_shown else without_contact(r.data),
                occurred_at=r.occurred_at,
            )
            for r in rows
        ]

    @strawberry.field(description="Where and how the order's units are being picked and packed")
    async def fulfillment_orders(
        self, info: strawberry.Info
    ) -> list[Annotated[FulfillmentOrder, strawberry.lazy("schema.types.fulfillment")]]:
        from schema.types.fulfillment import FulfillmentOrder

        rows = await info.context.loaders.fulfillment_orders_by_order.load(self.row_id)
        return [FulfillmentOrder.of(r) for r in rows]

    @strawberry.field(description="Shipments with their tracking timelines, oldest first")
    async def shipments(
        self, info: strawberry.Info
    ) -> list[Annotated[Shipment, strawberry.lazy("schema.types.shipping")]]:
        from schema.types.shipping import Shipment

        rows = await info.context.loaders.shipments_by_order.load(self.row_id)
        return [Shipment.of(r) for r in rows]

    @strawberry.field(description="Returns of this order's units, oldest first")
    async def returns(
        self, info: strawberry.Info
    ) -> list[Annotated[Return, strawberry.lazy("schema.types.returns")]]:
        from schema.types.returns import Return

        rows = await info.context.loaders.returns_by_order.load(self.row_id)
        return [Return.of(r) for r in rows]

    @strawberry.field(description="Refunds, oldest first")
    async def refunds(
        self, info: strawberry.Info
    ) -> list[Annotated[Refund, strawberry.lazy("schema.types.returns")]]:
        from schema.types.returns import Refund

        rows = await info.context.loaders.refunds_by_order.load(self.row_id)
        return [Refund.of(r) for r in rows]

    @strawberry.field(description="On an exchange order: the order whose return it replaces")
    async def exchange_of(self, info: strawberry.Info) -> Order | None:
        row = (
            await info.context.loaders.order_by_id.load(self.exchange_of_id) if self.exchange_of_id else None
        )
        return Order.shown(info, row)

    @strawberry.field(
        description="Fraud risk, with the facts behind it: for keys with orders:read, null for customers"
    )
    async def risk(self, info: strawberry.Info) -> OrderRisk | None:
        if not info.context.require().has(Scope.ORDERS_READ):
            return None
        rows = await info.context.loaders.risk_assessments_by_order.load(self.row_id)
        return OrderRisk.of(self.risk_level, self.risk_score, rows)

    @strawberry.field
    async def payments(self, info: strawberry.Info) -> list[Payment]:
        rows = await info.context.loaders.payments_by_order.load(self.row_id)
        return [
            Payment(amount=money(r.amount, r.currency), reference=r.reference, created_at=r.created_at)
            for r in rows
        ]

    @classmethod
    def of(cls, r: Any) -> Order:
        cur = r.currency
        return cls(
            id=strawberry.ID(to_global("Order", r.id)),
            number=f"#{r.number}",
            status=OrderStatus(r.status),
            payment_status=PaymentStatus(r.payment_status),
            channel=SalesChannel(r.channel),
            external_id=r.external_id,
            email=r.email,
            shipping_method=ShippingMethod(r.shipping_method),
            shipping_address=address(r.shipping_address),  # type: ignore[arg-type]
            billing_address=address(r.billing_address),
            note=r.note,
            tags=list(r.tags),
            subtotal=money(r.subtotal, cur),
            shipping=money(r.shipping, cur),
            tax=money(r.tax, cur),
            total=money(r.total, cur),
            paid=money(r.paid, cur),
            balance_due=money(r.total - r.paid + r.edit_refunded, cur),
            refunded=money(r.refunded, cur),
            adjustment_total=money(r.adjustment, cur),
            return_status=OrderReturnStatus(r.return_status),
            cancel_reason=r.cancel_reason,
            fulfillment_status=FulfillmentStatus(r.fulfillment_status),
            priority=r.priority if r.priority_override is None else r.priority_override,
            computed_priority=r.priority,
            priority_override=r.priority_override,
            ship_by=r.ship_by,
            shipment_exception=r.shipment_exception,
            confirmed_at=r.confirmed_at,
            cancelled_at=r.cancelled_at,
            shipped_at=r.shipped_at,
            delivered_at=r.delivered_at,
            created_at=r.created_at,
            updated_at=r.updated_at,
            version=r.version,
            row_id=r.id,
            customer_id=r.customer_id,
            currency=cur,
            exchange_of_id=r.exchange_of_id,
            adjustment_rows=list(r.adjustments or []),
            risk_level=r.risk_level,
            risk_score=r.risk_score,
        )

    @classmethod
    def shown(cls, info: strawberry.Info, r: Any) -> Order | None:
        """The order as this caller may see it: None when it may not read it at all (another
        customer's order is as good as missing), without email and phones for partners."""
        ctx = info.context
        if r is None or not ctx.sees_order(r.id, r.customer_id):
            return None
        order = cls.of(r)
        if not ctx.sees_contact(r.id, r.customer_id):
            order.email = None
            order.contact_shown = False
            order.shipping_address = address(without_contact(r.shipping_address))  # type: ignore[assignment]
            order.billing_address = address(without_contact(r.billing_address))
        return order

    @classmethod
    def required(cls, info: strawberry.Info, r: Any) -> Order:
        """For fields that always have an order: refused, rather than null, when it is not visible."""
        order = cls.shown(info, r)
        if order is None:
            raise Forbidden("This key does not read this order")
        return order
