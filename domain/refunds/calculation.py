"""Refund amounts, computed from what each line was charged. Pure functions on minor units."""

from __future__ import annotations

from domain.money import apply_rate


def line_share(charged: int, quantity: int, refunded_before: int, units: int) -> int:
    """What `units` more units of a line give back, when `refunded_before` units already were.
    `charged` is the line's subtotal plus its tax. Taking the difference of two running totals means
    refunding every unit, in any number of steps, gives back exactly what was charged."""
    if not 0 <= refunded_before <= refunded_before + units <= quantity:
        raise ValueError("units outside the line")
    return charged * (refunded_before + units) // quantity - charged * refunded_before // quantity


def restocking_fee(amount: int, fee_bps: int) -> int:
    return apply_rate(amount, fee_bps) if fee_bps else 0


def shipping_charged(order_shipping: int, order_tax: int, lines_tax: int) -> int:
    """Shipping as the customer paid it: the rate and the tax charged on it."""
    return order_shipping + (order_tax - lines_tax)
