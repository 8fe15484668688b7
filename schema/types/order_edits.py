"""An order edit session and the order as its staged changes would leave it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry

from domain.db import utcnow
from domain.orders.edit_sessions import EditStatus
from domain.orders.status import ShippingMethod
from domain.workflows.order_edit import EditView
from resolvers.ids import to_global
from schema.enums import ShippingMethodEnum
from schema.types.customization import Customization
from schema.types.money import Address, Money, address, money


class EditState(StrEnum):
    OPEN = "OPEN"
    EXPIRED = "EXPIRED"
    COMMITTED = "COMMITTED"
    DISCARDED = "DISCARDED"


OrderEditStatusEnum = strawberry.enum(
    EditState, name="OrderEditStatus", description="OPEN until committed, discarded or expired"
)


@strawberry.type(description="A discount (negative) or surcharge (positive) an edit added, tax included.")
class OrderAdjustment:
    amount: Money
    reason: str


def adjustments(entries: list[dict[str, Any]], currency: str) -> list[OrderAdjustment]:
    return [OrderAdjustment(amount=money(e["amount"], currency), reason=e["reason"]) for e in entries]


@strawberry.type(description="A line as the edit would leave it.")
class OrderEditLine:
    id: strawberry.ID = strawberry.field(description="The order line's ID (an added line keeps it)")
    sku: str
    name: str
    quantity: int = strawberry.field(description="0: the line goes (nothing of it shipped)")
    original_quantity: int = strawberry.field(description="Before the edit; 0 for an added line")
    quantity_shipped: int
    unit_price: Money
    subtotal: Money
    tax: Money
    customizations: list[Customization]
    added: bool = strawberry.field(description="Added by this edit")


@strawberry.type(description="Units of a product the commit will reserve (positive) or give back (negative).")
class OrderEditStockChange:
    sku: str
    quantity: int
    available: int | None = strawberry.field(
        description="Units the product can still sell at the active locations now (for units to reserve)"
    )


@strawberry.type(
    description="A staff member's edit of an order: the staged changes, priced, reserving nothing until "
    "committed. Sessions expire 24 hours after the last change."
)
class OrderEdit:
    id: strawberry.ID
    status: OrderEditStatusEnum  # type: ignore[valid-type]
    order_id: strawberry.ID = strawberry.field(description="The order being edited")
    base_version: int = strawberry.field(description="The order's version when the edit began")
    changes: int = strawberry.field(description="How many changes are staged")
    lines: list[OrderEditLine]
    shipping_method: ShippingMethodEnum  # type: ignore[valid-type]
    shipping_address: Address
    adjustments: list[OrderAdjustment]
    subtotal: Money
    shipping: Money
    tax: Money
    adjustment_total: Money = strawberry.field(description="The discounts and surcharges, together")
    total: Money
    total_outstanding: Money = strawberry.field(
        description="The new total less the payments toward it: positive is a balance due, negative a "
        "refund owed (paid out by the commit)"
    )
    stock_changes: list[OrderEditStockChange]
    staff_note: str | None
    expires_at: datetime

    @classmethod
    def of(cls, view: EditView) -> OrderEdit:
        edit, result, cur = view.edit, view.result, view.order.currency
        state = EditState(edit.status)
        if edit.status == EditStatus.OPEN and utcnow() >= edit.expires_at:
            state = EditState.EXPIRED
        return cls(
            id=strawberry.ID(to_global("OrderEdit", edit.id)),
            status=state,
            order_id=strawberry.ID(to_global("Order", edit.order_id)),
            base_version=edit.base_version,
            changes=len(edit.changes),
            lines=[
                OrderEditLine(
                    id=strawberry.ID(to_global("OrderLine", line.id)),
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    original_quantity=line.original,
                    quantity_shipped=line.shipped,
                    unit_price=money(line.unit_price, cur),
                    subtotal=money(line.subtotal, cur),
                    tax=money(line.tax, cur),
                    customizations=[
                        Customization(name=c["name"], value=c["value"]) for c in line.customizations
                    ],
                    added=line.added,
                )
                for line in result.lines
            ],
            shipping_method=ShippingMethod(result.shipping_method),
            shipping_address=address(result.shipping_address),  # type: ignore[arg-type]
            adjustments=adjustments(result.adjustments, cur),
            subtotal=money(result.subtotal, cur),
            shipping=money(result.shipping, cur),
            tax=money(result.tax, cur),
            adjustment_total=money(result.adjustment, cur),
            total=money(result.total, cur),
            total_outstanding=money(result.outstanding, cur),
            stock_changes=[
                OrderEditStockChange(
                    sku=c.sku, quantity=c.quantity, available=view.available.get(c.product_id)
                )
                for c in result.stock_changes
            ],
            staff_note=edit.staff_note,
            expires_at=edit.expires_at,
        )


def _customizations(given: list[dict[str, str]]) -> list[Customization]:
    return [Customization(name=c["name"], value=c["value"]) for c in given]
