"""Locations, products and their stock."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry

from domain.catalog.customization import options_of
from domain.catalog.models import BackorderPolicy, LocationKind
from domain.inventory.models import available, sellable_units
from resolvers.ids import to_global
from schema.enums import BackorderPolicyEnum, LocationKindEnum
from schema.node import Node
from schema.types.customization import CustomizationOption
from schema.types.money import Money, money


@strawberry.type(description="A warehouse or store that holds stock. Lower priority ships first.")
class Location(Node):
    id: strawberry.ID
    name: str
    code: str
    kind: LocationKindEnum  # type: ignore[valid-type]
    priority: int
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: Any) -> Location:
        return cls(
            id=strawberry.ID(to_global("Location", r.id)),
            name=r.name,
            code=r.code,
            kind=LocationKind(r.kind),
            priority=r.priority,
            active=r.active,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


@strawberry.type(description="Stock of one product at one location.")
class InventoryLevel:
    sku: str
    on_hand: int = strawberry.field(description="Units physically at the location")
    committed: int = strawberry.field(description="Units reserved by open orders")
    available: int = strawberry.field(
        description="onHand - committed - safetyStock; never negative unless backorders are allowed"
    )
    damaged: int = strawberry.field(
        description="Returned units kept here that cannot be sold (damaged or defective); not in onHand"
    )
    incoming: int
    safety_stock: int
    reorder_point: int
    bin_code: str | None = strawberry.field(description="Where pickers find the product here")
    updated_at: datetime
    location_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="True when available has fallen to the reorder point or below")
    def needs_reorder(self) -> bool:
        return self.available <= self.reorder_point

    @strawberry.field
    async def location(self, info: strawberry.Info) -> Location:
        return Location.of(await info.context.loaders.location_by_id.load(self.location_id))

    @classmethod
    def of(cls, r: Any, sku: str, allow_backorder: bool) -> InventoryLevel:
        return cls(
            sku=sku,
            on_hand=r.on_hand,
            committed=r.committed,
            available=available(sellable_units(r.on_hand, r.committed, r.safety_stock), allow_backorder),
            damaged=r.damaged,
            incoming=r.incoming,
            safety_stock=r.safety_stock,
            reorder_point=r.reorder_point,
            bin_code=r.bin_code,
            updated_at=r.updated_at,
            location_id=r.location_id,
        )


@strawberry.type(description="Stock of a product summed over every location.")
class ProductInventory:
    on_hand: int
    committed: int
    available: int
    damaged: int
    incoming: int
    safety_stock: int
    levels: list[InventoryLevel]


@strawberry.type
class Product(Node):
    id: strawberry.ID
    sku: str
    name: str
    price: Money
    weight_grams: int | None
    backorder_policy: BackorderPolicyEnum  # type: ignore[valid-type]
    active: bool
    customization_options: list[CustomizationOption] = strawberry.field(
        description="What its order lines may (or must) be customized with; none: free-form values"
    )
    created_at: datetime
    updated_at: datetime
    row_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Stock per location and in total")
    async def inventory(self, info: strawberry.Info) -> ProductInventory:
        rows = await info.context.loaders.levels_by_product.load(self.row_id)
        allow = self.backorder_policy == BackorderPolicy.ALLOW
        levels = [InventoryLevel.of(r, self.sku, allow) for r in rows]
        return ProductInventory(
            on_hand=sum(lv.on_hand for lv in levels),
            committed=sum(lv.committed for lv in levels),
            available=sum(lv.available for lv in levels),
            damaged=sum(lv.damaged for lv in levels),
            incoming=sum(lv.incoming for lv in levels),
            safety_stock=sum(lv.safety_stock for lv in levels),
            levels=levels,
        )

    @classmethod
    def of(cls, r: Any) -> Product:
        return cls(
            id=strawberry.ID(to_global("Product", r.id)),
            sku=r.sku,
            name=r.name,
            price=money(r.price, r.currency),
            weight_grams=r.weight_grams,
            backorder_policy=BackorderPolicy(r.backorder_policy),
            active=r.active,
            customization_options=[
                CustomizationOption.of(o, r.currency) for o in options_of(r.customization_options)
            ],
            created_at=r.created_at,
            updated_at=r.updated_at,
            row_id=r.id,
        )
