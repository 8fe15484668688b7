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

    def to_domain(self) -> suppliers.SupplierInput:
        return suppliers.SupplierInput(
            name=self.name,
            email=self.contact_email,
            lead_time_days=self.lead_time_days,
            minimum_order_quantity=self.minimum_order_quantity,
            pack_size=self.pack_size,
        )


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

    def to_domain(self) -> suppliers.SupplierInput:
        return suppliers.SupplierInput(
            name=self.name,
            email=self.contact_email,
            lead_time_days=self.lead_time_days,
            minimum_order_quantity=self.minimum_order_quantity,
            pack_size=self.pack_size,
            active=self.active,
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

    def to_domain(self) -> suppliers.SupplierProductInput:
        return suppliers.SupplierProductInput(
            supplier_id=local_id(self.supplier_id, "Supplier"),
            sku=self.sku,
            unit_cost=str(self.unit_cost),
            currency=self.currency_code,
            supplier_sku=self.supplier_sku,
            preferred=self.preferred,
        )


@strawberry.input(description="Units of one SKU for one destination location")
class PurchaseOrderLineInput:
    sku: str
    location_id: strawberry.ID = strawberry.field(description="Where the units go")
    quantity: int = strawberry.field(description="At least the supplier's minimum, in whole packs")
    unit_cost: Decimal | None = strawberry.field(
        default=None, description="The supplier's price when left out"
    )

    def to_domain(self) -> ordering.LineInput:
        return ordering.LineInput(
            sku=self.sku,
            location_id=local_id(self.location_id, "Location"),
            quantity=self.quantity,
            unit_cost=_text(self.unit_cost),
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

    def to_domain(self) -> ordering.PurchaseOrderInput:
        return ordering.PurchaseOrderInput(
            supplier_id=local_id(self.supplier_id, "Supplier"),
            lines=[line.to_domain() for line in self.lines],
            note=self.note,
            idempotency_key=self.idempotency_key,
        )


@strawberry.input(description="Units of one SKU that arrived")
class PurchaseOrderReceiveLineInput:
    sku: str
    quantity: int
    location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Needed only when the SKU is ordered for several locations"
    )

    def to_domain(self) -> receiving.ReceiptLineInput:
        return receiving.ReceiptLineInput(
            sku=self.sku,
            quantity=self.quantity,
            location_id=local_id(self.location_id, "Location") if self.location_id else None,
            location_given=self.location_id is not None,
        )


@strawberry.input(description="Units of a submitted purchase order that arrived")
class PurchaseOrderReceiveInput:
    id: strawberry.ID
    lines: list[PurchaseOrderReceiveLineInput]
    note: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="A repeat with the same key receives nothing more"
    )

    def to_domain(self) -> receiving.ReceiptInput:
        return receiving.ReceiptInput(
            purchase_order_id=local_id(self.id, "PurchaseOrder"),
            lines=[line.to_domain() for line in self.lines],
            idempotency_key=self.idempotency_key,
            note=self.note,
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

    def to_domain(self) -> reordering.PolicyInput:
        return reordering.PolicyInput(
            service_level=_text(self.service_level),
            review_period_days=self.review_period_days,
            history_days=self.history_days,
            auto_mode=AutoMode(self.auto_mode) if self.auto_mode else None,
        )


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
        return _supplier(await resolve.supplier_create(info.context, input.to_domain()))

    @strawberry.mutation(description=f"Changes a supplier; fields left out stay as they are. {BUYERS}")
    async def supplier_update(self, info: strawberry.Info, input: SupplierUpdateInput) -> SupplierPayload:
        return _supplier(await resolve.supplier_update(info.context, input.id, input.to_domain()))

    @strawberry.mutation(
        description=f"Sets what a supplier charges for a product (adds it or changes it). {BUYERS}"
    )
    async def supplier_product_set(
        self, info: strawberry.Info, input: SupplierProductSetInput
    ) -> SupplierPayload:
        return _supplier(await resolve.supplier_product_set(info.context, input.to_domain()))

    @strawberry.mutation(
        description=f"Drafts a purchase order: lines per SKU and destination location, priced from the "
        f"supplier's products. Nothing is incoming until it is submitted. {BUYERS}"
    )
    async def purchase_order_create(
        self, info: strawberry.Info, input: PurchaseOrderCreateInput
    ) -> PurchaseOrderCreatePayload:
        outcome = await resolve.purchase_order_create(info.context, input.to_domain())
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
        return _po(await resolve.purchase_order_receive(info.context, input.to_domain()))

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
        outcome = await resolve.reorder_policy_update(info.context, input.to_domain())
        return ReorderPolicyPayload(
            policy=ReorderPolicy.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )
