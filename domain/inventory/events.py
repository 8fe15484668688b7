from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

from domain.events.base import Event


@dataclasses.dataclass(frozen=True)
class InventoryLevelChanged(Event):
    type: ClassVar[str] = "INVENTORY_LEVEL_CHANGED"
    aggregate_type: ClassVar[str] = "InventoryLevel"
    product_id: uuid.UUID
    location_id: uuid.UUID
    kind: str
    on_hand: int
    committed: int
    available: int
    on_hand_delta: int
    committed_delta: int
    damaged: int = 0
    damaged_delta: int = 0
