"""fulfillmentOrderHold, …ReleaseHold, …StartPicking, …MarkPacked, …Move, and orderSetPriority."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.fulfillment.service import Package
from domain.fulfillment.status import HoldReason
from resolvers import fulfillment as resolve
from resolvers.outcome import Outcome
from schema.enums import HoldReasonEnum
from schema.errors import UserError, user_errors
from schema.types.fulfillment import FulfillmentOrder
from schema.types.orders import Order


@strawberry.input
class FulfillmentOrderHoldInput:
    id: strawberry.ID
    reason: HoldReasonEnum  # type: ignore[valid-type]
    note: str | None = None


@strawberry.input
class FulfillmentOrderReleaseHoldInput:
    id: strawberry.ID
    reason: HoldReasonEnum = strawberry.field(  # type: ignore[valid-type]
        description="Releases the holds placed for this reason; the others stay in force"
    )


@strawberry.input
class FulfillmentOrderIdInput:
    id: strawberry.ID


@strawberry.input
class PackageInput:
    weight_grams: int
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None

    def to_domain(self) -> Package:
        return Package(self.weight_grams, self.length_mm, self.width_mm, self.height_mm)


@strawberry.input
class FulfillmentOrderMarkPackedInput:
    id: strawberry.ID
    packages: list[PackageInput]


@strawberry.input(description="Some units of one fulfillment order line")
class FulfillmentOrderLineInput:
    id: strawberry.ID = strawberry.field(description="A FulfillmentOrderLine ID")
    quantity: int


@strawberry.input
class FulfillmentOrderMoveInput:
    id: strawberry.ID
    location_id: strawberry.ID
    lines: list[FulfillmentOrderLineInput] | None = strawberry.field(
        default=None, description="The units to move; leave out to move everything not yet shipped"
    )


@strawberry.input
class OrderSetPriorityInput:
    id: strawberry.ID
    priority: int | None = strawberry.field(
        description="0 to 100, higher ships first; null clears the override"
    )
    reason: str | None = None


@strawberry.type
class FulfillmentOrderPayload:
    fulfillment_order: FulfillmentOrder | None
    user_errors: list[UserError]


@strawberry.type
class OrderSetPriorityPayload:
    order: Order | None
    user_errors: list[UserError]


def _payload(outcome: Outcome[Any]) -> FulfillmentOrderPayload:
    fo = FulfillmentOrder.of(outcome.value) if outcome.value else None
    return FulfillmentOrderPayload(fulfillment_order=fo, user_errors=user_errors(outcome.errors))


def line_pairs(lines: list[FulfillmentOrderLineInput] | None) -> list[tuple[str, int]] | None:
    return None if lines is None else [(line.id, line.quantity) for line in lines]


@strawberry.type
class FulfillmentMutations:
    @strawberry.mutation(
        description="Stops work on a fulfillment order for a reason (fraud check, payment, address …). "
        "Several holds may be in force at once. STAFF and ADMIN keys."
    )
    async def fulfillment_order_hold(
        self, info: strawberry.Info, input: FulfillmentOrderHoldInput
    ) -> FulfillmentOrderPayload:
        return _payload(await resolve.hold(info.context, input.id, HoldReason(input.reason), input.note))

    @strawberry.mutation(
        description="Releases the holds of one reason; work resumes when no hold is left. An "
        "INVENTORY_OUT_OF_STOCK hold cannot be released while units are backordered. STAFF and ADMIN keys."
    )
    async def fulfillment_order_release_hold(
        self, info: strawberry.Info, input: FulfillmentOrderReleaseHoldInput
    ) -> FulfillmentOrderPayload:
        return _payload(await resolve.release_hold(info.context, input.id, HoldReason(input.reason)))

    @strawberry.mutation(description="OPEN -> IN_PROGRESS: a picker took it. STAFF, PARTNER and ADMIN keys.")
    async def fulfillment_order_start_picking(
        self, info: strawberry.Info, input: FulfillmentOrderIdInput
    ) -> FulfillmentOrderPayload:
        return _payload(await resolve.start_picking(info.context, input.id))

    @strawberry.mutation(
        description="-> PACKED, with the packages' weight and dimensions. STAFF, PARTNER and ADMIN keys."
    )
    async def fulfillment_order_mark_packed(
        self, info: strawberry.Info, input: FulfillmentOrderMarkPackedInput
    ) -> FulfillmentOrderPayload:
        packages = [p.to_domain() for p in input.packages]
        return _payload(await resolve.mark_packed(info.context, input.id, packages))

    @strawberry.mutation(
        description="Re-reserves units at another location, all or nothing (INSUFFICIENT_STOCK per short "
        "line). Moving everything moves the fulfillment order; moving part splits off a new one, which "
        "is returned. STAFF and ADMIN keys."
    )
    async def fulfillment_order_move(
        self, info: strawberry.Info, input: FulfillmentOrderMoveInput
    ) -> FulfillmentOrderPayload:
        outcome = await resolve.move(info.context, input.id, input.location_id, line_pairs(input.lines))
        return _payload(outcome)

    @strawberry.mutation(
        description="Overrides the order's computed priority (null goes back to it); its open "
        "fulfillment orders move in the queue. STAFF and ADMIN keys."
    )
    async def order_set_priority(
        self, info: strawberry.Info, input: OrderSetPriorityInput
    ) -> OrderSetPriorityPayload:
        outcome = await resolve.set_priority(info.context, input.id, input.priority, input.reason)
        order = Order.shown(info, outcome.value) if outcome.value else None
        return OrderSetPriorityPayload(order=order, user_errors=user_errors(outcome.errors))
