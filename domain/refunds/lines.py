"""Which units a refund covers and what each gives back: the rules of refundCreate, pure, on the rows
the service has loaded and locked (order lines, return lines, units refunded before)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.errors import Code, Problems
from domain.orders.line_models import OrderLine
from domain.refunds.calculation import line_share, restocking_fee
from domain.refunds.issuing import LineRefund
from domain.returns.models import ReturnLine
from domain.returns.status import ReturnReason


@dataclass(frozen=True)
class Asked:
    """Units of one order line a refund is asked for; `index` places its errors (lines[index])."""

    index: int
    order_line_id: uuid.UUID
    units: int
    return_line: ReturnLine | None = None


def of_return(
    problems: Problems, return_lines: Sequence[ReturnLine], wanted: Sequence[tuple[uuid.UUID, int]] | None
) -> list[Asked]:
    """The units a refund of a return covers: the wanted (order line, units), each on the return and not
    refunded yet, else every unit received and not yet refunded."""
    if wanted is None:
        return [
            Asked(rl.position, rl.order_line_id, rl.received - rl.refunded, rl)
            for rl in return_lines
            if rl.received > rl.refunded
        ]
    by_order_line = {rl.order_line_id: rl for rl in return_lines}
    chosen = []
    for i, (order_line_id, units) in enumerate(wanted):
        rl = by_order_line.get(order_line_id)
        if rl is None:
            problems.add(
                Code.NOT_FOUND, "This order line is not part of the return", "lines", i, "orderLineId"
            )
        elif units > rl.quantity - rl.refunded:
            problems.add(
                Code.EXCEEDS_REFUNDABLE,
                f"Only {rl.quantity - rl.refunded} unit(s) of this return line are left to refund",
                "lines",
                i,
                "quantity",
            )
        else:
            chosen.append(Asked(i, rl.order_line_id, units, rl))
    return chosen


def line_refunds(
    problems: Problems,
    asked: Sequence[Asked],
    order_lines: Mapping[uuid.UUID, OrderLine],
    refunded: Mapping[uuid.UUID, int],
    restocking_fee_bps: int,
) -> list[LineRefund]:
    """What each asked line gives back: its share of what the line was charged, after the units refunded
    before, less the shop's restocking fee on returned units no longer needed. A line not on the order,
    or more units than are left, is a problem and gives nothing."""
    refunds = []
    for a in asked:
        line = order_lines.get(a.order_line_id)
        if line is None:
            problems.add(Code.NOT_FOUND, "No such line in this order", "lines", a.index, "orderLineId")
            continue
        before = refunded.get(line.id, 0)
        left = line.quantity - before
        if a.units > left:
            problems.add(
                Code.EXCEEDS_REFUNDABLE,
                f"Only {left} unit(s) of {line.sku} are left to refund",
                "lines",
                a.index,
                "quantity",
            )
            continue
        share = line_share(line.subtotal + line.tax, line.quantity, before, a.units)
        rl = a.return_line
        fee = (
            restocking_fee(share, restocking_fee_bps)
            if rl and rl.reason == ReturnReason.NO_LONGER_NEEDED
            else 0
        )
        refunds.append(LineRefund(line.id, a.units, share, fee, rl.id if rl else None))
    return refunds
