from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

from domain.events.base import Event


@dataclasses.dataclass(frozen=True)
class ReturnEvent(Event):
    """Happens to a return and shows on its order's timeline."""

    aggregate_type: ClassVar[str] = "Return"
    order_id: uuid.UUID
    rma_number: str

    def timeline_subject(self) -> uuid.UUID | None:
        return self.order_id


@dataclasses.dataclass(frozen=True)
class ReturnRequested(ReturnEvent):
    type: ClassVar[str] = "RETURN_REQUESTED"
    lines: list[dict[str, object]]

    def message(self) -> str:
        units = sum(int(str(line["quantity"])) for line in self.lines)
        return f"Return {self.rma_number} requested for {units} unit(s)"


@dataclasses.dataclass(frozen=True)
class ReturnStatusChanged(ReturnEvent):
    type: ClassVar[str] = "RETURN_STATUS_CHANGED"
    old_status: str
    new_status: str
    reason: str | None = None
    tracking_number: str | None = None

    def message(self) -> str:
        text = f"Return {self.rma_number}: {self.old_status} -> {self.new_status}"
        detail = self.reason or self.tracking_number
        return f"{text} ({detail})" if detail else text


@dataclasses.dataclass(frozen=True)
class ReturnUnitsReceived(ReturnEvent):
    type: ClassVar[str] = "RETURN_UNITS_RECEIVED"
    location_id: uuid.UUID
    lines: list[dict[str, object]]

    def message(self) -> str:
        parts = [f"{line['quantity']} {line['sku']} {str(line['condition']).lower()}" for line in self.lines]
        return f"Return {self.rma_number} received: {', '.join(parts)}"


@dataclasses.dataclass(frozen=True)
class ExchangeOrderCreated(ReturnEvent):
    type: ClassVar[str] = "RETURN_EXCHANGE_CREATED"
    exchange_order_id: uuid.UUID
    exchange_number: str
    credit: dict[str, str]
    balance_due: dict[str, str]
    refund: dict[str, str]

    def message(self) -> str:
        return (
            f"Return {self.rma_number}: exchange order {self.exchange_number} created; "
            f"credit {self.credit['amount']}, balance due {self.balance_due['amount']}, "
            f"refund {self.refund['amount']} {self.credit['currencyCode']}"
        )
