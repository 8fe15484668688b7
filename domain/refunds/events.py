from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

from domain.events.base import Event


@dataclasses.dataclass(frozen=True)
class RefundIssued(Event):
    """Money given back on an order: to the customer (`amount`), or applied to an exchange order
    (`credited`). An event of the order, so its followers and its customer hear of it."""

    type: ClassVar[str] = "REFUND_ISSUED"
    aggregate_type: ClassVar[str] = "Order"
    number: str
    refund_id: uuid.UUID
    return_id: uuid.UUID | None
    amount: dict[str, str]
    credited: dict[str, str]
    reason: str
    payment_status: str

    def message(self) -> str:
        credit = (
            ""
            if self.credited["amount"] in ("0", "0.00")
            else f", {self.credited['amount']} as exchange credit"
        )
        return (
            f"Refunded {self.amount['amount']} {self.amount['currencyCode']}{credit}: {self.reason}; "
            f"payment status {self.payment_status}"
        )
