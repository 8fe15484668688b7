"""supplierCreate, supplierUpdate, supplierProductSet, purchaseOrderCreate/Submit/Receive/Cancel,
reorderPolicyUpdate. ADMIN keys, and keys issued with purchasing:write (a buyer)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from domain.purchasing import ordering, receiving, reordering, suppliers
from domain.purchasing.status import AutoMode
from resolvers import purchasing as resolve
from resolvers.ids import local_id
from resolvers.outcome import Outcome
from schema.errors import UserError, user_errors
from schema.types.purchasing import PurchaseOrder, ReorderAutoMode, ReorderPolicy, Supplier

BUYERS = "ADMIN keys and keys with purchasing:write."


@strawberry.input(description="A new supplier")
class SupplierCreateInput:
    name: str
    lead_time_days: int = strawberry.field(description="Days from submitting a purchase order to its arrival")
    contact_email: str | None = None
    minimum_order_quantity: int = strawberry.field(
        default=1, description="The fewest units of a product it sells"
    )
    pack_size: int = strawberry.field(default=1, description="It sells units in multiples of this")


@strawberry.input(description="Changes to a supplier; fields left out stay as they are")
class SupplierUpdateInput:
    id: strawberry.ID
    name: str | None = None
    contact_email: str | None = strawberry.field(default=None, description="An empty string clears it")
    lead_time_days: int | None = None
    minimum_order_quantity: int | None = None
    pack_size: int | None = None
    active: bool | None = strawberry.field(
        default=None, description="Inactive suppliers are left out of reordering"
    )


@strawberry.input(description="What a supplier charges for one product")
class SupplierProductSetInput:
    supplier_id: strawberry.ID
    sku: str
    unit_cost: Decimal
    currency_code: str | None = strawberry.field(
        default=None, description="The shop's currency when left out"
    )
    supplier_sku: str | None = None
    preferred: bool = strawberry.field(
        default=False,
        description="Reordering buys this product here (and no longer from another preferred one)",
    )


@strawberry.input(description="Units of one SKU for one destination location")
class PurchaseOrderLineInput:
    sku: str
    location_id: strawberry.ID = strawberry.field(description="Where the units go")
    quantity: int = strawberry.field(description="At least the supplier's minimum, in whole packs")
    unit_cost: Decimal | None = strawberry.field(
        default=None, description="The supplier's price when left out"
    )


@strawberry.input(description="A DRAFT purchase order from one supplier")
class PurchaseOrderCreateInput:
    supplier_id: strawberry.ID
    lines: list[PurchaseOrderLineInput]
    note: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A repeat with the same key returns the first purchase order (created: false)",
    )


@strawberry.input(description="Units of one SKU that arrived")
class PurchaseOrderReceiveLineInput:
    sku: str
    quantity: int
    location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Needed only when the SKU is ordered for several locations"
    )


@strawberry.input(description="Units of a submitted purchase order that arrived")
class PurchaseOrderReceiveInput:
    id: strawberry.ID
    lines: list[PurchaseOrderReceiveLineInput]
    note: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="A repeat with the same key receives nothing more"
    )


@strawberry.input(description="The purchase order to act on")
class PurchaseOrderIdInput:
    id: strawberry.ID


@strawberry.input(description="Changes to the reordering policy; fields left out stay as they are")
class ReorderPolicyUpdateInput:
    service_level: Decimal | None = strawberry.field(default=None, description="From 0.5 to 0.999, e.g. 0.95")
    review_period_days: int | None = None
    history_days: int | None = strawberry.field(default=None, description="7 to 730 days of order history")
    auto_mode: ReorderAutoMode | None = None  # type: ignore[valid-type]


@strawberry.type(description="The supplier as it is now, or why nothing changed")
class SupplierPayload:
    supplier: Supplier | None
    user_errors: list[UserError]


@strawberry.type(description="The purchase order as it is now, or why nothing changed")
class PurchaseOrderPayload:
    purchase_order: PurchaseOrder | None
    user_errors: list[UserError]


@strawberry.type(description="The drafted (or repeated) purchase order, or why none was made")
class PurchaseOrderCreatePayload:
    purchase_order: PurchaseOrder | None
    created: bool = strawberry.field(
        description="False when a repeat of the idempotency key returned the first one"
    )
    user_errors: list[UserError]


@strawberry.type(description="The policy as it is now, or why nothing changed")
class ReorderPolicyPayload:
    policy: ReorderPolicy | None
    user_errors: list[UserError]


def _supplier(outcome: Outcome[Any]) -> SupplierPayload:
    value = outcome.value
    row = value[0] if isinstance(value, tuple) else value
    return SupplierPayload(
        supplier=Supplier.of(row) if row else None, user_errors=user_errors(outcome.errors)
    )


def _po(outcome: Outcome[Any]) -> PurchaseOrderPayload:
    row = outcome.value
    return PurchaseOrderPayload(
        purchase_order=PurchaseOrder.of(row) if row else None, user_errors=user_errors(outcome.errors)
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@strawberry.type
class PurchasingMutations:
    @strawberry.mutation(description=f"Adds a supplier. {BUYERS}")
    async def supplier_create(self, info: strawberry.Info, input: SupplierCreateInput) -> SupplierPayload:
        data = suppliers.SupplierInput(
            name=input.name,
            email=input.contact_email,
            lead_time_days=input.lead_time_days,
            minimum_order_quantity=input.minimum_order_quantity,
            pack_size=input.pack_size,
        )
        return _supplier(await resolve.supplier_create(info.context, data))

    @strawberry.mutation(description=f"Changes a supplier; fields left out stay as they are. {BUYERS}")
    async def supplier_update(self, info: strawberry.Info, input: SupplierUpdateInput) -> SupplierPayload:
        data = suppliers.SupplierInput(
            name=input.name,
            email=input.contact_email,
            lead_time_days=input.lead_time_days,
            minimum_order_quantity=input.minimum_order_quantity,
            pack_size=input.pack_size,
            active=input.active,
        )
        return _supplier(await resolve.supplier_update(info.context, input.id, data))

    @strawberry.mutation(
        description=f"Sets what a supplier charges for a product (adds it or changes it). {BUYERS}"
    )
    async def supplier_product_set(
        self, info: strawberry.Info, input: SupplierProductSetInput
    ) -> SupplierPayload:
        data = suppliers.SupplierProductInput(
            supplier_id=local_id(input.supplier_id, "Supplier"),
            sku=input.sku,
            unit_cost=str(input.unit_cost),
            currency=input.currency_code,
            supplier_sku=input.supplier_sku,
            preferred=input.preferred,
        )
        return _supplier(await resolve.supplier_product_set(info.context, data))

    @strawberry.mutation(
        description=f"Drafts a purchase order: lines per SKU and destination location, priced from the "
        f"supplier's products. Nothing is incoming until it is submitted. {BUYERS}"
    )
    async def purchase_order_create(
        self, info: strawberry.Info, input: PurchaseOrderCreateInput
    ) -> PurchaseOrderCreatePayload:
        data = ordering.PurchaseOrderInput(
            supplier_id=local_id(input.supplier_id, "Supplier"),
            lines=[
                ordering.LineInput(
                    sku=line.sku,
                    location_id=local_id(line.location_id, "Location"),
                    quantity=line.quantity,
                    unit_cost=_text(line.unit_cost),
                )
                for line in input.lines
            ],
            note=input.note,
            idempotency_key=input.idempotency_key,
        )
        outcome = await resolve.purchase_order_create(info.context, data)
        made = outcome.value
        return PurchaseOrderCreatePayload(
            purchase_order=PurchaseOrder.of(made.purchase_order) if made else None,
            created=bool(made and made.created),
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(
        description=f"Sends a DRAFT purchase order: its units become incoming at their locations. {BUYERS}"
    )
    async def purchase_order_submit(
        self, info: strawberry.Info, input: PurchaseOrderIdInput
    ) -> PurchaseOrderPayload:
        return _po(await resolve.purchase_order_submit(info.context, input.id))

    @strawberry.mutation(
        description="Units of a submitted purchase order arrived (all or some): each line's units move from "
        "incoming to onHand with a RECEIVED movement and fill the backorders waiting there. More than a "
        f"line still expects is refused (EXCEEDS_OUTSTANDING). {BUYERS}"
    )
    async def purchase_order_receive(
        self, info: strawberry.Info, input: PurchaseOrderReceiveInput
    ) -> PurchaseOrderPayload:
        data = receiving.ReceiptInput(
            purchase_order_id=local_id(input.id, "PurchaseOrder"),
            lines=[
                receiving.ReceiptLineInput(
                    sku=line.sku,
                    quantity=line.quantity,
                    location_id=local_id(line.location_id, "Location") if line.location_id else None,
                    location_given=line.location_id is not None,
                )
                for line in input.lines
            ],
            idempotency_key=input.idempotency_key,
            note=input.note,
        )
        return _po(await resolve.purchase_order_receive(info.context, data))

    @strawberry.mutation(
        description="Cancels a purchase order that is not closed; units it still expected stop being "
        f"incoming. {BUYERS}"
    )
    async def purchase_order_cancel(
        self, info: strawberry.Info, input: PurchaseOrderIdInput
    ) -> PurchaseOrderPayload:
        return _po(await resolve.purchase_order_cancel(info.context, input.id))

    @strawberry.mutation(
        description=f"Sets the shop's reordering policy; fields left out stay as they are. {BUYERS}"
    )
    async def reorder_policy_update(
        self, info: strawberry.Info, input: ReorderPolicyUpdateInput
    ) -> ReorderPolicyPayload:
        data = reordering.PolicyInput(
            service_level=_text(input.service_level),
            review_period_days=input.review_period_days,
            history_days=input.history_days,
            auto_mode=AutoMode(input.auto_mode) if input.auto_mode else None,
        )
        outcome = await resolve.reorder_policy_update(info.context, data)
        return ReorderPolicyPayload(
            policy=ReorderPolicy.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )
