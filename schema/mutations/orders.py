"""orderCreate, orderConfirm, orderMarkPaid, orderCancel."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from domain.orders import inputs
from domain.orders.status import SalesChannel, ShippingMethod
from resolvers import orders as resolve
from resolvers.outcome import Outcome
from schema.enums import CountryCode, SalesChannelEnum, ShippingMethodEnum
from schema.errors import UserError, user_errors
from schema.metrics import ORDERS_CREATED
from schema.types.orders import Order


@strawberry.input
class CustomerInput:
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


@strawberry.input
class AddressInput:
    name: str
    company: str | None = None
    line1: str
    line2: str | None = None
    city: str
    region: str | None = None
    postal_code: str
    country_code: CountryCode
    phone: str | None = None

    def to_domain(self) -> inputs.AddressInput:
        return inputs.AddressInput(
            name=self.name,
            company=self.company,
            line1=self.line1,
            line2=self.line2,
            city=self.city,
            region=self.region,
            postal_code=self.postal_code,
            country_code=self.country_code.value,
            phone=self.phone,
        )


@strawberry.input
class CustomizationInput:
    name: str
    value: str


@strawberry.input
class OrderLineInput:
    sku: str
    quantity: int
    customizations: list[CustomizationInput] | None = None


@strawberry.input(description="Prices come from the catalog; the client never sends them.")
class OrderCreateInput:
    channel: SalesChannelEnum  # type: ignore[valid-type]
    customer: CustomerInput
    shipping_address: AddressInput
    billing_address: AddressInput | None = None
    shipping_method: ShippingMethodEnum = ShippingMethod.STANDARD  # type: ignore[valid-type]
    lines: list[OrderLineInput]
    note: str | None = None
    tags: list[str] | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="A repeat with the same key returns the first order"
    )
    external_id: str | None = strawberry.field(
        default=None, description="The order's id in the channel; unique per channel"
    )
    ship_by: datetime | None = strawberry.field(
        default=None,
        description="When the channel promised the order would ship; defaults to the shipping method's "
        "service level. Earlier dates raise the order's priority",
    )

    def to_domain(self) -> inputs.OrderInput:
        c = self.customer
        return inputs.OrderInput(
            channel=SalesChannel(self.channel),
            customer=inputs.CustomerInput(c.email, c.first_name, c.last_name, c.phone),
            shipping_address=self.shipping_address.to_domain(),
            billing_address=self.billing_address.to_domain() if self.billing_address else None,
            shipping_method=ShippingMethod(self.shipping_method),
            lines=[
                inputs.LineInput(
                    line.sku, line.quantity, [(x.name, x.value) for x in line.customizations or []]
                )
                for line in self.lines
            ],
            note=self.note,
            tags=list(self.tags or []),
            idempotency_key=self.idempotency_key,
            external_id=self.external_id,
            ship_by=self.ship_by,
        )


@strawberry.type
class OrderCreatePayload:
    order: Order | None
    created: bool = strawberry.field(description="False when an idempotent repeat returned the first order")
    order_access_token: str | None = strawberry.field(
        description="The order's access token, given once, when the order is created (null on a repeat): "
        "only its hash is kept. With it, a STOREFRONT key reads the order (orderByToken), follows it "
        "(orderUpdated(token:)), cancels it and asks for returns (header X-Baton-Customer-Token)."
    )
    user_errors: list[UserError]


@strawberry.input
class OrderIdInput:
    id: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with STALE_VERSION unless the order is at this version"
    )


@strawberry.input
class OrderCancelInput:
    id: strawberry.ID
    reason: str | None = None
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with STALE_VERSION unless the order is at this version"
    )


@strawberry.input(description="Only the details given change; an empty note clears it.")
class OrderUpdateInput:
    id: strawberry.ID
    note: str | None = None
    tags: list[str] | None = strawberry.field(default=None, description="Replaces the order's tags")
    shipping_address: AddressInput | None = None
    billing_address: AddressInput | None = None
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with STALE_VERSION unless the order is at this version"
    )

    def to_domain(self) -> inputs.OrderChanges:
        return inputs.OrderChanges(
            note=self.note,
            tags=self.tags,
            shipping_address=self.shipping_address.to_domain() if self.shipping_address else None,
            billing_address=self.billing_address.to_domain() if self.billing_address else None,
        )


@strawberry.input
class OrderMarkPaidInput:
    id: strawberry.ID
    reference: str = strawberry.field(description="The payment provider's reference; a repeat is ignored")
    amount: Decimal | None = strawberry.field(default=None, description="Defaults to the balance due")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with STALE_VERSION unless the order is at this version"
    )


@strawberry.type
class OrderPayload:
    order: Order | None
    user_errors: list[UserError]


def order_payload(info: strawberry.Info, outcome: Outcome[Any]) -> OrderPayload:
    return OrderPayload(
        order=Order.shown(info, outcome.value) if outcome.value else None,
        user_errors=user_errors(outcome.errors),
    )


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="Places an order: prices it from the catalog, reserves stock for every line or "
        "none, and numbers it. Keys with orders:create (STOREFRONT, STAFF, ADMIN). Returns the order's "
        "access token once, for the customer's link to it."
    )
    async def order_create(self, info: strawberry.Info, input: OrderCreateInput) -> OrderCreatePayload:
        outcome = await resolve.create(info.context, input.to_domain())
        placed = outcome.value
        if placed and placed.created:
            ORDERS_CREATED.inc()
        return OrderCreatePayload(
            order=Order.shown(info, placed.order) if placed else None,
            created=bool(placed and placed.created),
            order_access_token=placed.access_token if placed else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="PENDING -> CONFIRMED. STAFF and ADMIN keys.")
    async def order_confirm(self, info: strawberry.Info, input: OrderIdInput) -> OrderPayload:
        return order_payload(info, await resolve.confirm(info.context, input.id, input.expected_version))

    @strawberry.mutation(
        description="Records a payment; the order becomes PAID once payments cover its total. "
        "A repeated reference is ignored. STAFF and ADMIN keys."
    )
    async def order_mark_paid(self, info: strawberry.Info, input: OrderMarkPaidInput) -> OrderPayload:
        amount = str(input.amount) if input.amount is not None else None
        outcome = await resolve.mark_paid(
            info.context, input.id, input.reference, amount, input.expected_version
        )
        return order_payload(info, outcome)

    @strawberry.mutation(
        description="Changes the note, tags or addresses of an open order (not a cancelled one). "
        "STAFF and ADMIN keys."
    )
    async def order_update(self, info: strawberry.Info, input: OrderUpdateInput) -> OrderPayload:
        outcome = await resolve.update(info.context, input.id, input.to_domain(), input.expected_version)
        return order_payload(info, outcome)

    @strawberry.mutation(
        description="Cancels an open order and releases its reserved stock. Refused with "
        "ORDER_NOT_CANCELLABLE once the order is past that point. Keys with orders:write, or a "
        "STOREFRONT key with the customer's or the order's access token (the customer cancelling)."
    )
    async def order_cancel(self, info: strawberry.Info, input: OrderCancelInput) -> OrderPayload:
        outcome = await resolve.cancel(info.context, input.id, input.reason, input.expected_version)
        return order_payload(info, outcome)

    @strawberry.mutation(
        description="Cancels the units of a PARTIALLY_SHIPPED order that have not shipped: their stock is "
        "released, their fulfillment orders end, the order becomes SHIPPED and what was paid for them is "
        "refunded. STAFF and ADMIN keys."
    )
    async def order_cancel_remaining(self, info: strawberry.Info, input: OrderCancelInput) -> OrderPayload:
        outcome = await resolve.cancel_remaining(info.context, input.id, input.reason, input.expected_version)
        return order_payload(info, outcome)
