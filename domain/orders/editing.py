"""Order editing, the pure part: what an order becomes after a list of staged changes, priced by the
order pricing rules (domain/orders/pricing.py) and the typed customizations (domain/catalog/
customization.py). No I/O: the workflow (domain/workflows/order_edit.py) reads the basis and applies the
result.

Rules:
- Lines keep the unit price they were sold at; an added line is priced from the catalog as it is now,
  customizations included, and is never merged with another line.
- A line's quantity never drops below what has shipped, nor below the units refunded by line (their
  money is back with the customer already); removing a line's unshipped units keeps those.
- Changed and added lines are taxed at the shop's current rate, as placement does; lines left as they
  were keep their tax. Shipping keeps what was charged unless the method changes, then it is the
  method's current rate (and its tax).
- A discount (negative) or surcharge (positive) is an amount tax included, with a reason. The total may
  not fall below zero.
- The result's `outstanding` is the total less the payments toward it: positive is a balance due,
  negative a refund owed."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from domain.catalog.customization import Option, price_line
from domain.errors import Code, DomainError, Problems
from domain.events.base import money
from domain.money import MAX_MINOR, AmountError, to_minor
from domain.orders.pricing import price_order

MAX_LINES = 250
MAX_QUANTITY = 100_000
ADD_LINE, SET_QUANTITY, REMOVE_UNSHIPPED = "ADD_LINE", "SET_QUANTITY", "REMOVE_UNSHIPPED"
SET_SHIPPING, ADJUST = "SET_SHIPPING", "ADJUST"


@dataclass(frozen=True)
class LineNow:
    """An order line as it stands, with the units of it that have shipped."""

    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    shipped: int
    unit_price: int
    subtotal: int
    tax: int
    customizations: list[dict[str, str]] = field(default_factory=list)
    refunded: int = 0  # units refunded by line: they stay on the order, their money given back


@dataclass(frozen=True)
class Offer:
    """A catalog product an edit may add."""

    product_id: uuid.UUID
    sku: str
    name: str
    price: int
    currency: str
    active: bool
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Basis:
    """What the recalculation starts from: the order as it is, and the shop's prices."""

    currency: str
    lines: list[LineNow]
    shipping_method: str
    shipping_address: dict[str, Any]
    shipping: int  # the shipping rate charged
    shipping_tax: int  # the tax charged on it
    adjustments: list[dict[str, Any]]  # [{"amount": minor units, "reason": str}]
    paid_toward_total: int
    tax_rate_bps: int
    shipping_rates: dict[str, str]  # by method, in the shop's currency; a method without one is free
    offers: dict[str, Offer]
    rates_currency: str = ""  # the shop's currency, which the shipping rates are in (default: the order's)

    def __post_init__(self) -> None:
        if not self.rates_currency:
            object.__setattr__(self, "rates_currency", self.currency)


@dataclass(frozen=True)
class EditedLine:
    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: int  # 0: removed (it had nothing shipped)
    original: int  # 0 for an added line
    shipped: int
    unit_price: int
    subtotal: int
    tax: int
    customizations: list[dict[str, str]]
    added: bool
    refunded: int = 0

    @property
    def changed(self) -> bool:
        return self.added or self.quantity != self.original


@dataclass(frozen=True)
class StockChange:
    """Units of a product the commit reserves (positive) or gives back (negative)."""

    product_id: uuid.UUID
    sku: str
    quantity: int


@dataclass(frozen=True)
class Recalculated:
    lines: list[EditedLine]
    subtotal: int
    shipping: int
    tax: int
    adjustment: int
    adjustments: list[dict[str, Any]]
    shipping_method: str
    shipping_address: dict[str, Any]
    paid_toward_total: int
    summary: list[dict[str, Any]]  # the changes, as the ORDER_EDITED event lists them

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping + self.tax + self.adjustment

    @property
    def outstanding(self) -> int:
        """Positive: a balance due; negative: a refund owed."""
        return self.total - self.paid_toward_total

    @property
    def stock_changes(self) -> list[StockChange]:
        units: dict[uuid.UUID, int] = defaultdict(int)
        skus = {}
        for line in self.lines:
            units[line.product_id] += line.quantity - line.original
            skus[line.product_id] = line.sku
        return [StockChange(p, skus[p], n) for p, n in sorted(units.items(), key=lambda x: skus[x[0]]) if n]


def recalculate(basis: Basis, changes: list[dict[str, Any]]) -> Recalculated:
    """Applies the staged changes in order; every change that no longer fits is a problem (fields
    relative to the change's own input), all reported at once."""
    problems = Problems()
    lines = {line.id: _as_edited(line) for line in basis.lines}
    method, address = basis.shipping_method, basis.shipping_address
    adjustments = list(basis.adjustments)
    new_adjustments: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    for change in changes:
        kind = change["kind"]
        if kind == ADD_LINE:
            added = _add(problems, basis, change)
            if added is not None:
                lines[added.id] = added
                summary.append({"kind": kind, "sku": added.sku, "quantity": added.quantity})
        elif kind in (SET_QUANTITY, REMOVE_UNSHIPPED):
            line = lines.get(uuid.UUID(change["lineId"]))
            if line is None:
                problems.add(Code.NOT_FOUND, "No such line in this order", "lineId")
                continue
            wanted = max(line.shipped, line.refunded) if kind == REMOVE_UNSHIPPED else change["quantity"]
            quantity = _quantity(problems, wanted, line)
            if quantity is not None:
                lines[line.id] = replace(line, quantity=quantity)
                summary.append({"kind": kind, "sku": line.sku, "from": line.quantity, "to": quantity})
        elif kind == SET_SHIPPING:
            if change.get("method") and change["method"] != method:
                rate = basis.shipping_rates.get(change["method"], "0")
                if basis.rates_currency != basis.currency and _minor(rate, basis.rates_currency) != 0:
                    problems.add(
                        Code.CURRENCY_MISMATCH,
                        f"Shipping rates are set in {basis.rates_currency}; {change['method']} cannot be "
                        f"charged on an order in {basis.currency}",
                        "shippingMethod",
                    )
                    continue
                method = change["method"]
            if change.get("address"):
                address = change["address"]
            summary.append({"kind": kind, "method": method, "addressChanged": bool(change.get("address"))})
        elif kind == ADJUST:
            minor = _amount(problems, change["amount"], basis.currency)
            if minor:
                entry = {"amount": -minor if change["discount"] else minor, "reason": change["reason"]}
                new_adjustments.append(entry)
                summary.append({"kind": kind, **entry, "amount": money(entry["amount"], basis.currency)})
    kept = [line for line in lines.values() if line.quantity > 0 or line.shipped or not line.added]
    if len([line for line in kept if line.quantity > 0]) == 0:
        problems.add(Code.EMPTY_ORDER, "An order keeps at least one unit; cancel it instead", "quantity")
    if len(kept) > MAX_LINES:
        problems.add(Code.TOO_MANY_LINES, f"An order has at most {MAX_LINES} lines", "sku")
    problems.raise_if_any()
    result = _priced(basis, kept, method, rate_changed=method != basis.shipping_method)
    adjustments += new_adjustments
    adjustment = sum(a["amount"] for a in adjustments)
    if result["subtotal"] + result["shipping"] + result["tax"] + adjustment < 0:
        raise DomainError(Code.INVALID_AMOUNT, "The discounts would make the total negative", ["amount"])
    if result["subtotal"] + result["shipping"] + result["tax"] + adjustment > MAX_MINOR:
        raise DomainError(Code.INVALID_AMOUNT, "The total is more than one order can hold", ["amount"])
    return Recalculated(
        lines=result["lines"],
        subtotal=result["subtotal"],
        shipping=result["shipping"],
        tax=result["tax"],
        adjustment=adjustment,
        adjustments=adjustments,
        shipping_method=method,
        shipping_address=address,
        paid_toward_total=basis.paid_toward_total,
        summary=summary,
    )


def _as_edited(line: LineNow) -> EditedLine:
    return EditedLine(
        line.id,
        line.product_id,
        line.sku,
        line.name,
        line.quantity,
        line.quantity,
        line.shipped,
        line.unit_price,
        line.subtotal,
        line.tax,
        line.customizations,
        added=False,
        refunded=line.refunded,
    )


def _add(problems: Problems, basis: Basis, change: dict[str, Any]) -> EditedLine | None:
    offer = basis.offers.get(change["sku"])
    if offer is None:
        problems.add(Code.UNKNOWN_SKU, f"No product with SKU {change['sku']!r}", "sku")
        return None
    if not offer.active:
        problems.add(Code.PRODUCT_INACTIVE, f"{offer.sku} is not for sale", "sku")
        return None
    if offer.currency != basis.currency:
        problems.add(Code.CURRENCY_MISMATCH, f"{offer.sku} is priced in {offer.currency}", "sku")
        return None
    given = [(name, value) for name, value in change.get("customizations") or []]
    found = Problems()
    delta = price_line(found, offer.options, given, basis.currency, 0)
    for error in found.errors:  # lines[0].customizations[j] -> customizations[j]
        problems.errors.append(DomainError(error.code, error.message, (error.field or [])[2:]))
    quantity = change["quantity"]
    if not 0 < quantity <= MAX_QUANTITY:
        problems.add(Code.INVALID_QUANTITY, f"quantity must be between 1 and {MAX_QUANTITY}", "quantity")
    if found or not 0 < quantity <= MAX_QUANTITY:
        return None
    unit = offer.price + delta
    return EditedLine(
        uuid.UUID(change["lineId"]),
        offer.product_id,
        offer.sku,
        offer.name,
        quantity,
        0,
        0,
        unit,
        unit * quantity,
        0,
        [{"name": n.strip(), "value": v} for n, v in given],
        added=True,
    )


def _minor(amount: str, currency: str) -> int:
    try:
        return to_minor(amount, currency)
    except AmountError:
        return -1  # refused as a rate when priced


def _amount(problems: Problems, amount: str, currency: str) -> int:
    """A discount's or surcharge's amount: more than zero, in the order's currency."""
    try:
        minor = to_minor(amount, currency)
    except AmountError as exc:
        problems.add(Code.INVALID_AMOUNT, str(exc), "amount")
        return 0
    if not 0 < minor <= MAX_MINOR:
        problems.add(Code.INVALID_AMOUNT, "amount must be more than zero", "amount")
        return 0
    return minor


def _quantity(problems: Problems, quantity: int, line: EditedLine) -> int | None:
    if not 0 <= quantity <= MAX_QUANTITY:
        problems.add(Code.INVALID_QUANTITY, f"quantity must be between 0 and {MAX_QUANTITY}", "quantity")
        return None
    if quantity < line.shipped:
        problems.add(
            Code.BELOW_SHIPPED,
            f"{line.shipped} unit(s) of {line.sku} have shipped: the quantity cannot go below that",
            "quantity",
        )
        return None
    if quantity < line.refunded:
        problems.add(
            Code.BELOW_REFUNDED,
            f"{line.refunded} unit(s) of {line.sku} were refunded: the quantity cannot go below that",
            "quantity",
        )
        return None
    return quantity


def _priced(basis: Basis, lines: list[EditedLine], method: str, rate_changed: bool) -> dict[str, Any]:
    """Prices the changed lines (and the shipping, when the method changed) by the order pricing rules;
    the others keep what they were charged."""
    changed = [line for line in lines if line.changed and line.quantity > 0]
    rate = basis.shipping_rates.get(method, "0") if rate_changed else "0"
    try:
        totals = price_order(
            [(line.unit_price, line.quantity) for line in changed], rate, basis.currency, basis.tax_rate_bps
        )
    except ValueError as exc:
        raise DomainError(Code.INVALID_AMOUNT, f"Shipping rate: {exc}", ["shippingMethod"]) from exc
    priced = dict(zip((line.id for line in changed), totals.lines, strict=True))
    out = []
    for line in lines:
        if line.id in priced:
            p = priced[line.id]
            line = replace(line, subtotal=p.subtotal, tax=p.tax)
        elif line.changed:  # down to nothing
            line = replace(line, subtotal=0, tax=0)
        out.append(line)
    lines_tax = sum(line.tax for line in out)
    if rate_changed:
        shipping, shipping_tax = totals.shipping, totals.tax - sum(p.tax for p in totals.lines)
    else:
        shipping, shipping_tax = basis.shipping, basis.shipping_tax
    return {
        "lines": out,
        "subtotal": sum(line.subtotal for line in out),
        "shipping": shipping,
        "tax": lines_tax + shipping_tax,
    }
