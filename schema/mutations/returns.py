"""returnRequest, …Approve, …Decline, …MarkInTransit, …Receive, …Close, …Cancel, and refundCreate."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.refunds import service as refunds
from domain.returns.models import Return as ReturnModel
from domain.returns.receiving import Receipt, ReceiptLine
from domain.returns.service import ExchangeInput, ReturnInput, ReturnLineInput
from domain.returns.status import ItemCondition, ReturnReason
from resolvers import returns as resolve
from resolvers.ids import require_id
from resolvers.outcome import Outcome
from schema.enums import ItemConditionEnum, ReturnReasonEnum
from schema.errors import UserError, user_errors
from schema.types.orders import Order
from schema.types.returns import Refund, Return


@strawberry.input(description="A replacement instead of the money back")
class ExchangeForInput:
    sku: str
    quantity: int

    def to_domain(self) -> ExchangeInput:
        return ExchangeInput(self.sku, self.quantity)


@strawberry.input(description="Shipped units of one order line to send back")
class ReturnRequestLineInput:
    order_line_id: strawberry.ID
    quantity: int
    reason: ReturnReasonEnum  # type: ignore[valid-type]
    note: str | None = None
    exchange_for: ExchangeForInput | None = strawberry.field(
        default=None,
        description="Asks for another SKU (a size, a colour) instead of a refund; reserved on approval",
    )


@strawberry.input
class ReturnRequestInput:
    order_id: strawberry.ID
    lines: list[ReturnRequestLineInput]
    customer_note: str | None = None

    def to_domain(self) -> ReturnInput:
        """Refuses an order ID, then order line IDs, that are not ours (NOT_FOUND)."""
        order_id = require_id(self.order_id, "Order", "orderId")
        ids = resolve.order_line_ids([str(line.order_line_id) for line in self.lines])
        chosen = [
            ReturnLineInput(
                line_id,
                line.quantity,
                ReturnReason(line.reason),
                line.note,
                line.exchange_for.to_domain() if line.exchange_for else None,
            )
            for line_id, line in zip(ids, self.lines, strict=True)
        ]
        return ReturnInput(order_id, chosen, self.customer_note)


@strawberry.input
class ReturnIdInput:
    id: strawberry.ID


@strawberry.input
class ReturnDeclineInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class ReturnCancelInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.input
class ReturnMarkInTransitInput:
    id: strawberry.ID
    tracking_number: str
    carrier: str = strawberry.field(default="generic", description="A carrier code from `carriers`")


@strawberry.input(description="Units of one return line that arrived, and the state they arrived in")
class ReturnReceiveLineInput:
    return_line_id: strawberry.ID
    quantity: int
    condition: ItemConditionEnum  # type: ignore[valid-type]


@strawberry.input
class ReturnReceiveInput:
    id: strawberry.ID
    location_id: strawberry.ID = strawberry.field(description="Where the units arrived")
    lines: list[ReturnReceiveLineInput]

    def to_domain(self) -> Receipt:
        """Refuses the return's, the location's and then the lines' IDs that are not ours (NOT_FOUND)."""
        return_id = require_id(self.id, resolve.RETURN)
        location_id = require_id(self.location_id, "Location", "locationId")
        ids = resolve.return_line_ids([str(line.return_line_id) for line in self.lines])
        lines = [
            ReceiptLine(line_id, line.quantity, ItemCondition(line.condition))
            for line_id, line in zip(ids, self.lines, strict=True)
        ]
        return Receipt(return_id, location_id, lines)


@strawberry.input(description="Units of one order line to refund")
class RefundLineInput:
    order_line_id: strawberry.ID
    quantity: int


@strawberry.input
class RefundCreateInput:
    order_id: strawberry.ID
    reason: str
    idempotency_key: str = strawberry.field(
        description="Required: a repeat with the same key returns the first refund instead of paying twice"
    )
    return_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Refund units of this return; without lines, every unit received and not yet refunded",
    )
    lines: list[RefundLineInput] | None = None
    shipping_amount: Decimal | None = strawberry.field(
        default=None, description="Shipping to give back, tax included; at most what is left of it"
    )
    amount: Decimal | None = strawberry.field(
        default=None, description="An amount given on top of lines and shipping (a goodwill refund)"
    )

    def to_domain(self) -> refunds.RefundInput:
        """Refuses line, order and return IDs that are not ours (NOT_FOUND), in that order."""
        chosen = None
        if self.lines is not None:
            ids = resolve.order_line_ids([str(line.order_line_id) for line in self.lines])
            chosen = [
                refunds.RefundLineInput(line_id, line.quantity)
                for line_id, line in zip(ids, self.lines, strict=True)
            ]
        return refunds.RefundInput(
            order_id=require_id(self.order_id, "Order", "orderId"),
            return_id=require_id(self.return_id, resolve.RETURN, "returnId") if self.return_id else None,
            lines=chosen,
            reason=self.reason or "",
            idempotency_key=self.idempotency_key or "",
            shipping_amount=_text(self.shipping_amount),
            amount=_text(self.amount),
        )


@strawberry.type
class ReturnPayload:
    return_: Return | None = strawberry.field(name="return")
    user_errors: list[UserError]


@strawberry.type
class RefundCreatePayload:
    refund: Refund | None
    order: Order | None
    created: bool = strawberry.field(
        description="False when an earlier request with this key made the refund"
    )
    user_errors: list[UserError]


def _payload(outcome: Outcome[ReturnModel]) -> ReturnPayload:
    return ReturnPayload(
        return_=Return.of(outcome.value) if outcome.value else None, user_errors=user_errors(outcome.errors)
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@strawberry.type
class ReturnMutations:
    @strawberry.mutation(
        description="Asks to return shipped units (within the shop's return window), optionally for an "
        "exchange. STAFF, STOREFRONT (for the customer) and ADMIN keys."
    )
    async def return_request(self, info: strawberry.Info, input: ReturnRequestInput) -> ReturnPayload:
        return _payload(await resolve.request(info.context, input.order_id, input))

    @strawberry.mutation(
        description="Approves a requested return. Exchange lines get their replacement reserved, all or "
        "nothing, as an exchange order; the price difference becomes a balance due on it or a refund. "
        "STAFF and ADMIN keys."
    )
    async def return_approve(self, info: strawberry.Info, input: ReturnIdInput) -> ReturnPayload:
        return _payload(await resolve.approve(info.context, input.id))

    @strawberry.mutation(description="Declines a requested return, with a reason. STAFF and ADMIN keys.")
    async def return_decline(self, info: strawberry.Info, input: ReturnDeclineInput) -> ReturnPayload:
        return _payload(await resolve.decline(info.context, input.id, input.reason))

    @strawberry.mutation(
        description="Records the parcel the customer sent back. STAFF, STOREFRONT and ADMIN keys."
    )
    async def return_mark_in_transit(
        self, info: strawberry.Info, input: ReturnMarkInTransitInput
    ) -> ReturnPayload:
        return _payload(
            await resolve.mark_in_transit(info.context, input.id, input.carrier, input.tracking_number)
        )

    @strawberry.mutation(
        description="Takes returned units in at a location: RESELLABLE ones back to onHand, DAMAGED and "
        "DEFECTIVE ones to the damaged count. May be called again for units that arrive later. STAFF, "
        "PARTNER and ADMIN keys."
    )
    async def return_receive(self, info: strawberry.Info, input: ReturnReceiveInput) -> ReturnPayload:
        return _payload(await resolve.receive(info.context, input))

    @strawberry.mutation(
        description="Ends a return: once its units are in, or when they will not come (a return closed "
        "with nothing received frees its units to be returned again). Refused with "
        "RETURN_UNITS_OUTSTANDING while refunded or credited units have not arrived. STAFF and ADMIN keys."
    )
    async def return_close(self, info: strawberry.Info, input: ReturnIdInput) -> ReturnPayload:
        return _payload(await resolve.close(info.context, input.id))

    @strawberry.mutation(
        description="Cancels a return before anything arrived (not one with an exchange order). STAFF, "
        "STOREFRONT and ADMIN keys."
    )
    async def return_cancel(self, info: strawberry.Info, input: ReturnCancelInput) -> ReturnPayload:
        return _payload(await resolve.cancel(info.context, input.id, input.reason))

    @strawberry.mutation(
        description="Gives money back on an order. Amounts are computed here from what each line was "
        "charged (tax included), less the shop's restocking fee for NO_LONGER_NEEDED returns; the total "
        "never exceeds what was paid. STAFF and ADMIN keys."
    )
    async def refund_create(self, info: strawberry.Info, input: RefundCreateInput) -> RefundCreatePayload:
        outcome = await resolve.refund(info.context, input)
        done = outcome.value
        return RefundCreatePayload(
            refund=Refund.of(done.refund) if done else None,
            order=Order.shown(info, done.order) if done else None,
            created=bool(done and done.created),
            user_errors=user_errors(outcome.errors),
        )
