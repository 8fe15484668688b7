"""Server-side pricing: client prices are never trusted. Pure functions on minor units."""

from __future__ import annotations

from dataclasses import dataclass

from domain.money import apply_rate, to_minor


@dataclass(frozen=True)
class PricedLine:
    unit_price: int
    quantity: int
    subtotal: int
    tax: int


@dataclass(frozen=True)
class Totals:
    lines: list[PricedLine]
    subtotal: int
    shipping: int
    tax: int

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping + self.tax


def price_order(
    lines: list[tuple[int, int]],
    shipping_rate: str,
    currency: str,
    tax_rate_bps: int,
) -> Totals:
    """lines are (unit price, quantity). Tax is rounded per line and on shipping, so a refund of
    any one line can later give back exactly the tax that was charged for it."""
    priced = [PricedLine(unit, qty, unit * qty, apply_rate(unit * qty, tax_rate_bps)) for unit, qty in lines]
    shipping = to_minor(shipping_rate, currency)
    tax = sum(p.tax for p in priced) + apply_rate(shipping, tax_rate_bps)
    return Totals(priced, sum(p.subtotal for p in priced), shipping, tax)
