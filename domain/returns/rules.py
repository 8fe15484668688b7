"""The return rules that need no database: the window, what a line can still return, and the status
an order shows for its returns. Unit-tested on their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.returns.status import ACTIVE, OrderReturnStatus, ReturnStatus

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 3650


def window_ends(starts: datetime | None, days: int) -> datetime | None:
    """The last moment a return may be requested; None while nothing has shipped."""
    return None if starts is None else starts + timedelta(days=days)


def units_claimed(status: ReturnStatus, quantity: int, received: int) -> int:
    """Units of a line a return holds against the line: what it asks for while it runs, what actually
    came back once it is closed, nothing once declined or cancelled."""
    if status not in ACTIVE:
        return 0
    return received if status == ReturnStatus.CLOSED else quantity


@dataclass(frozen=True)
class ReturnSummary:
    status: ReturnStatus
    received: int  # units received so far, all lines


def order_return_status(returns: list[ReturnSummary], units_ordered: int) -> OrderReturnStatus:
    """What the order shows: a return being handled wins over one waiting for a decision, which wins
    over what came back."""
    statuses = {r.status for r in returns}
    if statuses & {ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT}:
        return OrderReturnStatus.IN_PROGRESS
    if ReturnStatus.REQUESTED in statuses:
        return OrderReturnStatus.RETURN_REQUESTED
    back = sum(r.received for r in returns if r.status in ACTIVE)
    if back <= 0:
        return OrderReturnStatus.NO_RETURN
    return OrderReturnStatus.RETURNED if back >= units_ordered else OrderReturnStatus.PARTIALLY_RETURNED
