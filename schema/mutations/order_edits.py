"""Order editing: begin a session, stage changes (each answers with the order as it would become,
reserving nothing), then commit all of it in one transaction, or discard it. STAFF and ADMIN keys."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

import strawberry

from domain.workflows.order_edit import EditView
from resolvers import order_edits as resolve
from resolvers.outcome import Outcome
from schema.enums import ShippingMethodEnum
from schema.errors import UserError, user_errors
from schema.mutations.orders import AddressInput, CustomizationInput
from schema.types.order_edits import OrderEdit
from schema.types.orders import Order
from schema.types.returns import Refund


class AdjustmentKind(StrEnum):
    DISCOUNT = "DISCOUNT"
    SURCHARGE = "SURCHARGE"


OrderAdjustmentKindEnum = strawberry.enum(
    AdjustmentKind,
    name="OrderAdjustmentKind",
    description="A discount lowers the total, a surcharge raises it",
)


@strawberry.input
class OrderEditBeginInput:
    order_id: strawberry.ID


@strawberry.input
class OrderEditIdInput:
    edit_id: strawberry.ID


@strawberry.input(description="Adds a line, priced from the catalog now; it is never merged with another.")
class OrderEditAddLineInput:
    edit_id: strawberry.ID
    sku: str
    quantity: int
    customizations: list[CustomizationInput] | None = strawberry.field(
        default=None, description="Checked and priced against the product's declared options"
    )


@strawberry.input(description="A line's new quantity: never below the units that have shipped.")
class OrderEditSetQuantityInput:
    edit_id: strawberry.ID
    line_id: strawberry.ID = strawberry.field(description="An OrderLine of the order, or one the edit added")
    quantity: int


@strawberry.input(description="Takes off every unit of a line that has not shipped.")
class OrderEditRemoveUnshippedInput:
    edit_id: strawberry.ID
    line_id: strawberry.ID


@strawberry.input(description="A new shipping method (charged at its current rate), a new address, or both.")
class OrderEditSetShippingInput:
    edit_id: strawberry.ID
    shipping_method: ShippingMethodEnum | None = None  # type: ignore[valid-type]
    shipping_address: AddressInput | None = None


@strawberry.input(description="A discount or a surcharge, tax included, with the reason the customer sees.")
class OrderEditAddAdjustmentInput:
    edit_id: strawberry.ID
    kind: OrderAdjustmentKindEnum  # type: ignore[valid-type]
    amount: Decimal = strawberry.field(description="More than zero, in the order's currency")
    reason: str


@strawberry.input
class OrderEditCommitInput:
    edit_id: strawberry.ID
    notify_customer: bool = strawberry.field(default=False, description="Email the customer the new total")
    staff_note: str | None = strawberry.field(default=None, description="Kept with the edit, for staff")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with STALE_VERSION unless the order is at this version"
    )


@strawberry.type
class OrderEditPayload:
    order_edit: OrderEdit | None
    user_errors: list[UserError]


@strawberry.type
class OrderEditCommitPayload:
    order: Order | None
    order_edit: OrderEdit | None
    refund: Refund | None = strawberry.field(
        description="What the commit gave back when the new total is below what was paid"
    )
    user_errors: list[UserError]


def _payload(outcome: Outcome[Any]) -> OrderEditPayload:
    view = outcome.value
    return OrderEditPayload(
        order_edit=OrderEdit.of(view) if view else None, user_errors=user_errors(outcome.errors)
    )


@strawberry.type
class OrderEditMutations:
    @strawberry.mutation(
        description="Opens an edit session on an order with units left to fulfil (PENDING, CONFIRMED or "
        "PARTIALLY_SHIPPED). STAFF and ADMIN keys."
    )
    async def order_edit_begin(self, info: strawberry.Info, input: OrderEditBeginInput) -> OrderEditPayload:
        return _payload(await resolve.begin(info.context, input.order_id))

    @strawberry.mutation(description="Stages an added line. STAFF and ADMIN keys.")
    async def order_edit_add_line(
        self, info: strawberry.Info, input: OrderEditAddLineInput
    ) -> OrderEditPayload:
        given = [(c.name, c.value) for c in input.customizations or []]
        return _payload(await resolve.add_line(info.context, input.edit_id, input.sku, input.quantity, given))

    @strawberry.mutation(description="Stages a line's new quantity. STAFF and ADMIN keys.")
    async def order_edit_set_quantity(
        self, info: strawberry.Info, input: OrderEditSetQuantityInput
    ) -> OrderEditPayload:
        return _payload(
            await resolve.set_quantity(info.context, input.edit_id, input.line_id, input.quantity)
        )

    @strawberry.mutation(description="Stages taking off a line's unshipped units. STAFF and ADMIN keys.")
    async def order_edit_remove_unshipped(
        self, info: strawberry.Info, input: OrderEditRemoveUnshippedInput
    ) -> OrderEditPayload:
        return _payload(await resolve.remove_unshipped(info.context, input.edit_id, input.line_id))

    @strawberry.mutation(description="Stages a new shipping method or address. STAFF and ADMIN keys.")
    async def order_edit_set_shipping(
        self, info: strawberry.Info, input: OrderEditSetShippingInput
    ) -> OrderEditPayload:
        address = input.shipping_address.to_domain() if input.shipping_address else None
        method = str(input.shipping_method.value) if input.shipping_method else None
        return _payload(await resolve.set_shipping(info.context, input.edit_id, method, address))

    @strawberry.mutation(description="Stages a discount or a surcharge. STAFF and ADMIN keys.")
    async def order_edit_add_adjustment(
        self, info: strawberry.Info, input: OrderEditAddAdjustmentInput
    ) -> OrderEditPayload:
        discount = input.kind == AdjustmentKind.DISCOUNT
        outcome = await resolve.adjust(info.context, input.edit_id, discount, str(input.amount), input.reason)
        return _payload(outcome)

    @strawberry.mutation(description="Drops the session; the order stays as it is. STAFF and ADMIN keys.")
    async def order_edit_discard(self, info: strawberry.Info, input: OrderEditIdInput) -> OrderEditPayload:
        return _payload(await resolve.discard(info.context, input.edit_id))

    @strawberry.mutation(
        description="Applies every staged change in one transaction, or nothing: stock reserved and "
        "released per location (INSUFFICIENT_STOCK per line), fulfillment orders updated (UNITS_PACKED "
        "rather than unpack a parcel), a refund of what was paid beyond the new total, the version bumped "
        "and ORDER_EDITED recorded. STALE_VERSION once anything else changed the order since the session "
        "began; EDIT_EXPIRED after 24 hours without a change. STAFF and ADMIN keys."
    )
    async def order_edit_commit(
        self, info: strawberry.Info, input: OrderEditCommitInput
    ) -> OrderEditCommitPayload:
        outcome = await resolve.commit_edit(
            info.context, input.edit_id, input.notify_customer, input.staff_note, input.expected_version
        )
        done = outcome.value
        if done is None:
            return OrderEditCommitPayload(
                order=None, order_edit=None, refund=None, user_errors=user_errors(outcome.errors)
            )
        view = EditView(done.edit, done.order, done.result, {})
        return OrderEditCommitPayload(
            order=Order.shown(info, done.order),
            order_edit=OrderEdit.of(view),
            refund=Refund.of(done.refund) if done.refund else None,
            user_errors=[],
        )
