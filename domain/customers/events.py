from __future__ import annotations

import dataclasses
from typing import ClassVar

from domain.events.base import Event


@dataclasses.dataclass(frozen=True)
class CustomerTierChanged(Event):
    type: ClassVar[str] = "CUSTOMER_TIER_CHANGED"
    aggregate_type: ClassVar[str] = "Customer"
    email: str
    old_tier: str
    new_tier: str
