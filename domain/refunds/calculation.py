"""Refund amounts, computed from what each line was charged. Pure functions on minor units."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.money import apply_rate
from domain.refunds.issuing import Amounts, LineRefund


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


@dataclass(frozen=True)
class ChargedLine:
    """An order line as a refund of its units sees it."""

    id: uuid.UUID
    charged: int  # subtotal plus tax
    quantity: int
    refunded: int  # units refunded or credited so far
    refunded_through_returns: int  # of those, the units refunded through a return (so ones that shipped)
    dropped: int  # units given up now, unshipped


def dropped_units_refund(held: int, lines: list[ChargedLine], shipping_owed: int) -> Amounts | None:
    """What giving up the dropped units of an order pays back, when the order holds `held` (paid less
    refunded): what was paid beyond what the customer keeps (the kept units not yet refunded, and
    `shipping_owed`, the shipping charged less what was refunded of it), up to the dropped units' value.
    Units refunded earlier without a return count as dropped ones first. By line when all of that value
    is paid back; otherwise as an amount naming no units. None: nothing is paid back."""
    if held <= 0 or not any(line.dropped for line in lines):
        return None
    shares, owed = [], shipping_owed
    for line in lines:
        plain = line.refunded - line.refunded_through_returns
        still = max(line.dropped - plain, 0)  # dropped units not refunded yet
        value = line_share(line.charged, line.quantity, line.refunded, still) if still else 0
        owed += line.charged - line_share(line.charged, line.quantity, 0, line.refunded) - value
        if value:
            shares.append(LineRefund(line.id, still, value))
    value = sum(s.amount for s in shares)
    due_back = min(value, max(held - owed, 0))
    if due_back <= 0:
        return None
    return Amounts(shares) if due_back == value else Amounts([], extra=due_back)
