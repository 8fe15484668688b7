"""replenishmentSuggestions: per SKU and location, where stock stands against its reorder point and
what to buy from whom. The arithmetic is rules.py's; this gathers the figures (one statement each) and
puts them together. It runs on a Reader, so the API's read path and the reordering worker's unit of
work (Reader(await tx.driver())) compute it the same way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on

from domain.catalog.models import Location, Product
from domain.inventory.models import InventoryLevel
from domain.orders.models import OrderAllocation
from domain.orders.status import AllocationStatus
from domain.purchasing.demand import DemandSource, Key, from_order_history
from domain.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierProduct
from domain.purchasing.rules import DemandStats, Levels, needs_reorder, order_quantity, reorder_levels
from domain.purchasing.status import PurchaseOrderStatus
from domain.reading import Reader, Row


@dataclass(frozen=True)
class Policy:
    service_level: float
    review_period_days: int
    history_days: int


@dataclass(frozen=True)
class Stock:
    """Where one SKU stands at one location."""

    product_id: uuid.UUID
    sku: str
    location_id: uuid.UUID
    available: int  # onHand - committed - safetyStock - units owed to backorders
    incoming: int  # submitted purchase orders (and incoming set by hand)
    on_order: int  # units on DRAFT purchase orders
    floor: int  # the reorder point set by hand on the level

    @property
    def position(self) -> int:
        return self.available + self.incoming + self.on_order


@dataclass(frozen=True)
class Source:
    """Who reordering buys a product from: the preferred supplier, else the quickest, else the cheapest."""

    supplier_id: uuid.UUID
    supplier_name: str
    lead_time_days: int
    minimum_order_quantity: int
    pack_size: int
    unit_cost: int
    currency: str


@dataclass(frozen=True)
class Suggestion:
    stock: Stock
    source: Source
    demand: DemandStats
    levels: Levels
    needs_reorder: bool
    quantity: int  # what to order now (0 above the reorder point), in the supplier's packs

    @property
    def cost(self) -> int:
        return self.quantity * self.source.unit_cost


def suggest(stock: Stock, source: Source, demand: DemandStats, policy: Policy) -> Suggestion:
    """Pure: the reorder point and order-up-to level for this stock, and what to order."""
    levels = reorder_levels(
        demand, source.lead_time_days, policy.review_period_days, policy.service_level, stock.floor
    )
    due = needs_reorder(stock.position, levels.reorder_point)
    need = levels.order_up_to - stock.position if due else 0
    quantity = order_quantity(need, source.minimum_order_quantity, source.pack_size)
    return Suggestion(stock, source, demand, levels, due, quantity)


async def suggestions(
    reader: Reader,
    tenant_id: uuid.UUID,
    policy: Policy,
    today: date,
    product_ids: list[uuid.UUID] | None = None,
    location_id: uuid.UUID | None = None,
    demand: DemandSource = from_order_history,
) -> list[Suggestion]:
    """Every active SKU with a supplier at every active location, most urgent first (furthest below its
    reorder point). `demand` is where daily demand comes from (demand.py)."""
    sources = await _sources(reader, tenant_id, product_ids)
    if not sources:
        return []
    stock = await _stock(reader, tenant_id, sorted(sources), location_id)
    stats = await demand(reader, tenant_id, sorted(sources), today, policy.history_days)
    found = [
        suggest(s, sources[s.product_id], stats.get((s.product_id, s.location_id), DemandStats(0, 0)), policy)
        for s in stock
    ]
    return sorted(
        found,
        key=lambda x: (x.stock.position - x.levels.reorder_point, x.stock.sku, str(x.stock.location_id)),
    )


async def _sources(
    reader: Reader, tenant_id: uuid.UUID, product_ids: list[uuid.UUID] | None
) -> dict[uuid.UUID, Source]:
    sp, s = SupplierProduct.__table__.c, Supplier.__table__.c
    stmt = (
        select(
            sp.product_id,
            s.id,
            s.name,
            s.lead_time_days,
            s.minimum_order_quantity,
            s.pack_size,
            sp.unit_cost,
            sp.currency,
        )
        .ext(distinct_on(sp.product_id))
        .join(Supplier.__table__, s.id == sp.supplier_id)
        .where(sp.tenant_id == tenant_id, s.tenant_id == tenant_id, s.active.is_(True))
        .order_by(sp.product_id, sp.preferred.desc(), s.lead_time_days, sp.unit_cost, s.name)
    )
    if product_ids is not None:
        stmt = stmt.where(sp.product_id.in_(product_ids))
    return {r.product_id: _source(r) for r in await reader.all(stmt)}


def _source(r: Row) -> Source:
    return Source(
        r.id, r.name, r.lead_time_days, r.minimum_order_quantity, r.pack_size, r.unit_cost, r.currency
    )


async def _stock(
    reader: Reader, tenant_id: uuid.UUID, product_ids: list[uuid.UUID], location_id: uuid.UUID | None
) -> list[Stock]:
    lv, p, loc = InventoryLevel.__table__.c, Product.__table__.c, Location.__table__.c
    stmt = (
        select(
            lv.product_id,
            p.sku,
            lv.location_id,
            lv.on_hand,
            lv.committed,
            lv.safety_stock,
            lv.incoming,
            lv.reorder_point,
        )
        .join(Product.__table__, p.id == lv.product_id)
        .join(Location.__table__, loc.id == lv.location_id)
        .where(
            lv.tenant_id == tenant_id,
            lv.product_id.in_(product_ids),
            loc.active.is_(True),
            p.active.is_(True),
        )
    )
    if location_id is not None:
        stmt = stmt.where(lv.location_id == location_id)
    rows = await reader.all(stmt)
    owed = await _backordered(reader, tenant_id, product_ids)
    drafted = await _drafted(reader, tenant_id, product_ids)
    return [
        Stock(
            r.product_id,
            r.sku,
            r.location_id,
            r.on_hand - r.committed - r.safety_stock - owed.get((r.product_id, r.location_id), 0),
            r.incoming,
            drafted.get((r.product_id, r.location_id), 0),
            r.reorder_point,
        )
        for r in rows
    ]


async def _backordered(reader: Reader, tenant_id: uuid.UUID, product_ids: list[uuid.UUID]) -> dict[Key, int]:
    a = OrderAllocation.__table__.c
    rows = await reader.all(
        select(a.product_id, a.location_id, func.sum(a.quantity).label("units"))
        .where(
            a.tenant_id == tenant_id,
            a.product_id.in_(product_ids),
            a.status == AllocationStatus.BACKORDERED.value,
        )
        .group_by(a.product_id, a.location_id)
    )
    return {(r.product_id, r.location_id): int(r.units) for r in rows}


async def _drafted(reader: Reader, tenant_id: uuid.UUID, product_ids: list[uuid.UUID]) -> dict[Key, int]:
    line, po = PurchaseOrderLine.__table__.c, PurchaseOrder.__table__.c
    rows = await reader.all(
        select(line.product_id, line.location_id, func.sum(line.quantity).label("units"))
        .join(PurchaseOrder.__table__, po.id == line.purchase_order_id)
        .where(
            line.tenant_id == tenant_id,
            po.tenant_id == tenant_id,
            line.product_id.in_(product_ids),
            po.status == PurchaseOrderStatus.DRAFT.value,
        )
        .group_by(line.product_id, line.location_id)
    )
    return {(r.product_id, r.location_id): int(r.units) for r in rows}
