"""Named rule violations. Each carries a stable code and the input field it is about."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class Code(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    NOT_FOUND = "NOT_FOUND"
    OPEN_ORDERS = "OPEN_ORDERS"  # a customer's data cannot be erased while they have orders under way
    OPEN_RETURNS = "OPEN_RETURNS"
    DUPLICATE = "DUPLICATE"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    UNKNOWN_SKU = "UNKNOWN_SKU"
    PRODUCT_INACTIVE = "PRODUCT_INACTIVE"
    UNKNOWN_OPTION = "UNKNOWN_OPTION"  # a customization the product does not declare
    INVALID_OPTION_VALUE = "INVALID_OPTION_VALUE"  # a value that does not fit its declared option
    INVALID_QUANTITY = "INVALID_QUANTITY"
    EMPTY_ORDER = "EMPTY_ORDER"
    TOO_MANY_LINES = "TOO_MANY_LINES"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    NO_LOCATION = "NO_LOCATION"
    COMPARE_FAILED = "COMPARE_FAILED"
    NEGATIVE_STOCK = "NEGATIVE_STOCK"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    ORDER_NOT_CANCELLABLE = "ORDER_NOT_CANCELLABLE"
    ORDER_NOT_EDITABLE = "ORDER_NOT_EDITABLE"
    ALREADY_PAID = "ALREADY_PAID"
    STALE_VERSION = "STALE_VERSION"
    FULFILLMENT_ON_HOLD = "FULFILLMENT_ON_HOLD"
    HOLD_NOT_FOUND = "HOLD_NOT_FOUND"
    ORDER_NOT_CONFIRMED = "ORDER_NOT_CONFIRMED"
    APPROVAL_PENDING = "APPROVAL_PENDING"  # the order waits for approval: it cannot be confirmed yet
    NOT_AWAITING_APPROVAL = "NOT_AWAITING_APPROVAL"  # approve/reject an order that waits for nothing
    APPROVER_ROLE_REQUIRED = "APPROVER_ROLE_REQUIRED"  # the rule lets other roles approve
    SAME_KEY_APPROVAL = "SAME_KEY_APPROVAL"  # four eyes: the key that placed the order may not decide
    EXCEEDS_UNSHIPPED = "EXCEEDS_UNSHIPPED"
    NOTHING_TO_SHIP = "NOTHING_TO_SHIP"
    SAME_LOCATION = "SAME_LOCATION"
    UNKNOWN_CARRIER = "UNKNOWN_CARRIER"
    UNKNOWN_TRACKING_NUMBER = "UNKNOWN_TRACKING_NUMBER"
    INVALID_URL = "INVALID_URL"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"
    URL_NOT_ALLOWED = "URL_NOT_ALLOWED"
    INVALID_RANGE = "INVALID_RANGE"
    UNKNOWN_TEMPLATE = "UNKNOWN_TEMPLATE"
    UNKNOWN_PLACEHOLDER = "UNKNOWN_PLACEHOLDER"
    NOT_RETURNABLE = "NOT_RETURNABLE"
    EXCEEDS_RETURNABLE = "EXCEEDS_RETURNABLE"
    RETURN_WINDOW_CLOSED = "RETURN_WINDOW_CLOSED"
    RETURN_NOT_CANCELLABLE = "RETURN_NOT_CANCELLABLE"
    RETURN_UNITS_OUTSTANDING = "RETURN_UNITS_OUTSTANDING"
    EXCEEDS_RETURN_QUANTITY = "EXCEEDS_RETURN_QUANTITY"
    EXCEEDS_REFUNDABLE = "EXCEEDS_REFUNDABLE"
    REFUND_EXCEEDS_PAID = "REFUND_EXCEEDS_PAID"
    NOTHING_TO_REFUND = "NOTHING_TO_REFUND"
    BELOW_SHIPPED = "BELOW_SHIPPED"  # an edit may not take a line below the units that have shipped
    BELOW_REFUNDED = "BELOW_REFUNDED"  # an edit may not take off units that were refunded already
    UNITS_PACKED = "UNITS_PACKED"  # an edit would take units out of a PACKED fulfillment order
    EDIT_EXPIRED = "EDIT_EXPIRED"
    EDIT_CLOSED = "EDIT_CLOSED"  # the edit was committed or discarded already
    NOTHING_TO_COMMIT = "NOTHING_TO_COMMIT"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"
    SCOPE_NOT_HELD = "SCOPE_NOT_HELD"
    NOT_SUPPLIED = "NOT_SUPPLIED"  # the supplier has no price for this product
    BELOW_MINIMUM_ORDER = "BELOW_MINIMUM_ORDER"  # fewer units than the supplier's minimum order quantity
    NOT_A_PACK_MULTIPLE = "NOT_A_PACK_MULTIPLE"  # not whole packs of the supplier's pack size
    EXCEEDS_OUTSTANDING = "EXCEEDS_OUTSTANDING"  # receiving more than a purchase order line still expects


class DomainError(Exception):
    """An expected failure: becomes a userError, never a 500."""

    def __init__(self, code: Code, message: str, field: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = list(field) if field else None

    def __repr__(self) -> str:
        return f"DomainError({self.code}, {self.message!r}, {self.field})"


class Rejected(Exception):
    """One or more rule violations found together; the use case changed nothing."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


class Problems:
    """Collects violations so a request learns about all of them at once."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def add(self, code: Code, message: str, *field: str | int) -> None:
        self.errors.append(DomainError(code, message, [str(f) for f in field]))

    def raise_if_any(self) -> None:
        if self.errors:
            raise Rejected(self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)
