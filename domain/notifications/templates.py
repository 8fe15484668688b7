"""Customer email templates: which events send which email, the defaults, and rendering.

Triggers are keyed on (event type, new status), so statuses and events other contexts add later
(SHIPPED, DELIVERED, REFUND_ISSUED) send their email as soon as they exist."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.money import to_decimal

# (event type, payload newStatus or None) -> template name
TRIGGERS: dict[tuple[str, str | None], str] = {
    ("ORDER_STATUS_CHANGED", "CONFIRMED"): "ORDER_CONFIRMED",
    ("ORDER_STATUS_CHANGED", "SHIPPED"): "ORDER_SHIPPED",
    ("ORDER_STATUS_CHANGED", "DELIVERED"): "ORDER_DELIVERED",
    ("ORDER_STATUS_CHANGED", "CANCELLED"): "ORDER_CANCELLED",
    ("REFUND_ISSUED", None): "REFUND_ISSUED",
    ("ORDER_REMAINDER_CANCELLED", None): "ORDER_REMAINDER_CANCELLED",
    ("RETURN_STATUS_CHANGED", "APPROVED"): "RETURN_APPROVED",
    ("RETURN_STATUS_CHANGED", "RECEIVED"): "RETURN_RECEIVED",
    ("ORDER_EDITED", None): "ORDER_EDITED",  # only when staff asked for the customer to be told
}
TRIGGER_TYPES = tuple(sorted({t for t, _ in TRIGGERS}))
PLACEHOLDERS = (
    "shopName",
    "orderNumber",
    "customerName",
    "total",
    "status",
    "reason",
    "amount",
    "tracking",
    "rmaNumber",
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


_SIGN_OFF = "\n\nThank you for shopping with {shopName}."
DEFAULTS: dict[str, Template] = {
    "ORDER_CONFIRMED": Template(
        "Your order {orderNumber} is confirmed",
        "Hello {customerName},\n\nwe have confirmed your order {orderNumber} ({total})." + _SIGN_OFF,
    ),
    "ORDER_SHIPPED": Template(
        "Your order {orderNumber} is on its way",
        "Hello {customerName},\n\nyour order {orderNumber} has shipped.\n\n{tracking}" + _SIGN_OFF,
    ),
    "ORDER_DELIVERED": Template(
        "Your order {orderNumber} was delivered",
        "Hello {customerName},\n\nyour order {orderNumber} was delivered." + _SIGN_OFF,
    ),
    "ORDER_CANCELLED": Template(
        "Your order {orderNumber} was cancelled",
        "Hello {customerName},\n\nyour order {orderNumber} was cancelled. {reason}" + _SIGN_OFF,
    ),
    "REFUND_ISSUED": Template(
        "A refund for your order {orderNumber}",
        "Hello {customerName},\n\nwe have refunded {amount} for your order {orderNumber}." + _SIGN_OFF,
    ),
    "ORDER_REMAINDER_CANCELLED": Template(
        "Part of your order {orderNumber} was cancelled",
        "Hello {customerName},\n\nthe items of your order {orderNumber} that had not shipped yet were "
        "cancelled. {reason}\nWhat already shipped is on its way or with you; any refund for the "
        "cancelled items follows in a separate email." + _SIGN_OFF,
    ),
    "RETURN_APPROVED": Template(
        "Your return {rmaNumber} is approved",
        "Hello {customerName},\n\nwe have approved your return {rmaNumber} for order {orderNumber}. "
        "Please write {rmaNumber} on the parcel when you send it back." + _SIGN_OFF,
    ),
    "ORDER_EDITED": Template(
        "Your order {orderNumber} was changed",
        "Hello {customerName},\n\nwe have changed your order {orderNumber} as agreed. Its total is now "
        "{total}." + _SIGN_OFF,
    ),
    "RETURN_RECEIVED": Template(
        "We received your return {rmaNumber}",
        "Hello {customerName},\n\nyour return {rmaNumber} for order {orderNumber} has arrived. "
        "We will let you know when the refund is issued." + _SIGN_OFF,
    ),
}
TEMPLATE_NAMES = tuple(DEFAULTS)


def trigger(event_type: str, payload: dict[str, Any]) -> str | None:
    """The template an event sends, if any. A refund that only paid an exchange order sends nothing, nor
    does an order edit unless staff asked for the customer to be told."""
    amount = payload.get("amount")
    if event_type == "REFUND_ISSUED" and isinstance(amount, dict) and not Decimal(amount["amount"]):
        return None
    if event_type == "ORDER_EDITED" and not payload.get("notifyCustomer"):
        return None
    return TRIGGERS.get((event_type, payload.get("newStatus"))) or TRIGGERS.get((event_type, None))


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def render(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def tracking_lines(shipments: list[Any]) -> str:
    """One line per parcel: the tracking number, and where to follow it when the carrier says."""
    lines = []
    for s in shipments:
        where = f": {s['tracking_url']}" if s["tracking_url"] else ""
        lines.append(f"Tracking number {s['tracking_number']} ({s['carrier']}){where}")
    return "\n".join(lines)


def values_for(shop_name: str, order: Any, payload: dict[str, Any]) -> dict[str, str]:
    amount = payload.get("amount")
    address = order["shipping_address"] or {}
    return {
        "shopName": shop_name,
        "orderNumber": f"#{order['number']}",
        "customerName": str(address.get("name") or "customer"),
        "total": f"{to_decimal(order['total'], order['currency'])} {order['currency']}",
        "status": str(payload.get("newStatus") or order["status"]),
        "reason": str(payload.get("reason") or ""),
        "amount": f"{amount['amount']} {amount['currencyCode']}" if isinstance(amount, dict) else "",
        "rmaNumber": str(payload.get("rmaNumber") or ""),
    }
