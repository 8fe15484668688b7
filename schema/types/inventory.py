from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry

from domain.inventory.models import MovementKind
from resolvers.ids import to_global
from schema.enums import InventoryMovementKind
from schema.types.catalog import Location


@strawberry.type(description="One row of the append-only stock ledger.")
class InventoryMovement:
    id: strawberry.ID
    kind: InventoryMovementKind  # type: ignore[valid-type]
    on_hand_delta: int
    committed_delta: int
    on_hand_after: int
    committed_after: int
    damaged_delta: int = strawberry.field(description="Change of the non-sellable (damaged) count")
    damaged_after: int
    note: str | None
    actor: str | None
    created_at: datetime
    order_id: strawberry.ID | None = strawberry.field(
        description="The order that reserved or released the units, if any"
    )
    location_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def location(self, info: strawberry.Info) -> Location:
        return Location.of(await info.context.loaders.location_by_id.load(self.location_id))

    @classmethod
    def of(cls, r: Any) -> InventoryMovement:
        return cls(
            id=strawberry.ID(str(r.id)),
            kind=MovementKind(r.kind),
            on_hand_delta=r.on_hand_delta,
            committed_delta=r.committed_delta,
            on_hand_after=r.on_hand_after,
            committed_after=r.committed_after,
            damaged_delta=r.damaged_delta,
            damaged_after=r.damaged_after,
            note=r.note,
            actor=r.actor,
            created_at=r.created_at,
            location_id=r.location_id,
            order_id=strawberry.ID(to_global("Order", r.order_id)) if r.order_id else None,
        )
