"""inventorySet, inventoryAdjust, inventoryDamagedResolve."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.catalog.models import BackorderPolicy
from domain.inventory.damaged import DamagedInput, DamagedOutcome
from domain.inventory.models import AdjustReason
from domain.inventory.service import AdjustInput, SetInput
from resolvers import inventory as resolve
from resolvers.ids import local_id
from resolvers.outcome import Outcome
from schema.enums import DamagedOutcomeEnum, InventoryAdjustReason
from schema.errors import UserError, user_errors
from schema.types.catalog import InventoryLevel


@strawberry.input
class InventorySetInput:
    sku: str
    location_id: strawberry.ID
    on_hand: int
    compare_on_hand: int | None = strawberry.field(
        default=None, description="Refuse with COMPARE_FAILED unless onHand is this now"
    )
    safety_stock: int | None = None
    reorder_point: int | None = None
    incoming: int | None = None
    bin_code: str | None = strawberry.field(
        default=None, description="Where pickers find the product at this location; empty clears it"
    )

    def to_domain(self) -> SetInput:
        return SetInput(
            sku=self.sku,
            location_id=local_id(self.location_id, "Location"),
            on_hand=self.on_hand,
            compare_on_hand=self.compare_on_hand,
            safety_stock=self.safety_stock,
            reorder_point=self.reorder_point,
            incoming=self.incoming,
            bin_code=self.bin_code,
        )


@strawberry.input
class InventoryAdjustInput:
    sku: str
    location_id: strawberry.ID
    delta: int
    reason: InventoryAdjustReason  # type: ignore[valid-type]
    note: str | None = None

    def to_domain(self) -> AdjustInput:
        return AdjustInput(
            sku=self.sku,
            location_id=local_id(self.location_id, "Location"),
            delta=self.delta,
            reason=AdjustReason(self.reason),
            note=self.note,
        )


@strawberry.input
class InventoryDamagedResolveInput:
    sku: str
    location_id: strawberry.ID
    quantity: int
    outcome: DamagedOutcomeEnum  # type: ignore[valid-type]
    note: str | None = None

    def to_domain(self) -> DamagedInput:
        return DamagedInput(
            sku=self.sku,
            location_id=local_id(self.location_id, "Location"),
            quantity=self.quantity,
            outcome=DamagedOutcome(self.outcome),
            note=self.note,
        )


@strawberry.type
class InventoryLevelPayload:
    inventory_level: InventoryLevel | None
    user_errors: list[UserError]


def _payload(outcome: Outcome[Any]) -> InventoryLevelPayload:
    level = None
    if outcome.value:
        row, product = outcome.value
        level = InventoryLevel.of(row, product.sku, product.backorder_policy == BackorderPolicy.ALLOW)
    return InventoryLevelPayload(inventory_level=level, user_errors=user_errors(outcome.errors))


@strawberry.type
class InventoryMutations:
    @strawberry.mutation(
        description="Sets onHand (and optionally safety stock, reorder point, incoming) for a SKU at a "
        "location, writing a SET movement. STAFF and ADMIN keys."
    )
    async def inventory_set(self, info: strawberry.Info, input: InventorySetInput) -> InventoryLevelPayload:
        return _payload(await resolve.set_level(info.context, input.to_domain()))

    @strawberry.mutation(
        description="Changes onHand by delta for a reason, writing a movement. STAFF and ADMIN keys."
    )
    async def inventory_adjust(
        self, info: strawberry.Info, input: InventoryAdjustInput
    ) -> InventoryLevelPayload:
        return _payload(await resolve.adjust_level(info.context, input.to_domain()))

    @strawberry.mutation(
        description="Takes units out of a location's damaged (non-sellable) count: DISPOSED writes them "
        "off, RESTOCKED puts them back on sale in onHand (filling waiting backorders). A movement either "
        "way. STAFF and ADMIN keys."
    )
    async def inventory_damaged_resolve(
        self, info: strawberry.Info, input: InventoryDamagedResolveInput
    ) -> InventoryLevelPayload:
        return _payload(await resolve.resolve_damaged(info.context, input.to_domain()))
