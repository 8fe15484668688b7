"""Loading fulfillment orders for a change, with locks always taken in one global order:
the order row, then inventory levels (by product, location), then fulfillment orders and
allocations. Receipts lock levels and then allocations, so nothing can wait in a cycle.

Orders and fulfillment orders are locked FOR NO KEY UPDATE: a row inserted meanwhile that refers to
them (an allocation split by a receipt) takes KEY SHARE on them, which that lock lets through."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Row, func, select

from domain.catalog.models import Location
from domain.catalog.repository import get_location
from domain.errors import Code, DomainError
from domain.fulfillment.models import FulfillmentHold, FulfillmentOrder
from domain.inventory.models import InventoryLevel
from domain.inventory.repository import LEVEL_COLUMNS, lock_levels
from domain.orders.models import Order, OrderAllocation, OrderLine
from domain.orders.rows import order_from_row
from domain.orders.status import AllocationStatus
from domain.uow import Transaction

HELD = (AllocationStatus.RESERVED, AllocationStatus.BACKORDERED)


@dataclass
class Locked:
    order: Order
    fo: FulfillmentOrder
    allocations: list[OrderAllocation]  # the held (reserved or backordered) ones, in a stable order
    levels: dict[tuple[uuid.UUID, uuid.UUID], InventoryLevel]
    skus: dict[uuid.UUID, str]  # the SKU of each allocation's order line, by line id


async def get_fulfillment_order(
    tx: Transaction, fo_id: uuid.UUID, lock: bool = False, field: str = "id"
) -> FulfillmentOrder:
    """`field` names the input that carried the ID, for the NOT_FOUND user error."""
    stmt = select(FulfillmentOrder).where(
        FulfillmentOrder.tenant_id == tx.tenant_id, FulfillmentOrder.id == fo_id
    )
    if lock:
        stmt = stmt.with_for_update(key_share=True).execution_options(populate_existing=True)
    fo = (await tx.session.execute(stmt)).scalar_one_or_none()
    if fo is None:
        raise DomainError(Code.NOT_FOUND, "Fulfillment order not found", [field])
    return fo


async def held_allocations(tx: Transaction, where: object, lock: bool) -> list[OrderAllocation]:
    stmt = (
        select(OrderAllocation)
        .where(OrderAllocation.tenant_id == tx.tenant_id, where, OrderAllocation.status.in_(HELD))  # type: ignore[arg-type]
        .order_by(OrderAllocation.product_id, OrderAllocation.created_at, OrderAllocation.id)
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list((await tx.session.execute(stmt)).scalars())


async def lock_order_allocations(
    tx: Transaction, order_id: uuid.UUID
) -> tuple[list[OrderAllocation], dict[tuple[uuid.UUID, uuid.UUID], InventoryLevel]]:
    """The order's held allocations, locked after the levels they draw on (as receipts take them),
    and read once those are held, so a split a receipt just committed is among them."""
    mine = OrderAllocation.order_id == order_id
    products = sorted({a.product_id for a in await held_allocations(tx, mine, lock=False)})
    levels = await lock_levels(tx, products) if products else {}
    return await held_allocations(tx, mine, lock=True), levels


async def lock_fulfillment(
    tx: Transaction, fo_id: uuid.UUID, ensure_location: uuid.UUID | None = None, field: str = "id"
) -> Locked:
    """Everything a shipment or a move changes, locked. `ensure_location` creates missing
    levels there for the fulfillment order's products (a move's destination)."""
    order = await _lock_order_of(tx, fo_id, field)
    held = select(OrderAllocation.product_id).where(
        OrderAllocation.tenant_id == tx.tenant_id,
        OrderAllocation.fulfillment_order_id == fo_id,
        OrderAllocation.status.in_(HELD),
    )
    if ensure_location is None:  # the products read and their levels locked in one statement
        levels = await lock_levels(tx, held)
    else:
        products = sorted(set((await tx.session.execute(held)).scalars()))
        ensure = [(p, ensure_location) for p in products]
        levels = await lock_levels(tx, products, ensure=ensure) if products else {}
    fo = await get_fulfillment_order(tx, fo_id, lock=True)
    allocations, skus = await _lock_allocations_with_skus(tx, fo_id)
    return Locked(order, fo, allocations, levels, skus)


# lock_fulfillment's locks on a lean unit of work (the driver's), in the same order and strengths, in three
# statements, each read from a snapshot taken once the locks before it are held: the order; the levels of
# the products the fulfillment order holds (a subquery run before the fulfillment order's row is locked),
# then the fulfillment order; its held allocations with their lines' SKUs, and the units the whole order
# has shipped and ordered (every shipment and edit of the order holds the order's lock first).
LEAN_ORDER = """
SELECT o.* FROM orders o WHERE o.tenant_id = $1 AND o.id = (
  SELECT f.order_id FROM fulfillment_orders f WHERE f.tenant_id = $1 AND f.id = $2)
FOR NO KEY UPDATE OF o
"""
LEAN_LEVELS_AND_FO = f"""
WITH level AS MATERIALIZED (
  SELECT {", ".join("l." + c for c in LEVEL_COLUMNS)}
  FROM inventory_levels l
  WHERE l.tenant_id = $1 AND l.product_id IN (
    SELECT a.product_id FROM order_allocations a
    WHERE a.tenant_id = $1 AND a.fulfillment_order_id = $2 AND a.status IN ('RESERVED', 'BACKORDERED'))
  ORDER BY l.product_id, l.location_id FOR UPDATE OF l
)
SELECT f.id, f.tenant_id, f.order_id, f.location_id, f.status, f.resume_status, f.priority, f.ship_by,
  f.created_at, f.updated_at,
  (SELECT array_agg(ROW(level.*, p.backorder_policy = 'ALLOW') ORDER BY level.product_id, level.location_id)
   FROM level JOIN products p ON p.id = level.product_id) AS levels
FROM fulfillment_orders f WHERE f.tenant_id = $1 AND f.id = $2 FOR NO KEY UPDATE OF f
"""
LEAN_ALLOCATIONS = """
SELECT a.*, l.sku,
  (SELECT coalesce(sum(x.shipped), 0) FROM order_allocations x
   WHERE x.tenant_id = $1 AND x.order_id = $3)::int AS order_shipped,
  (SELECT coalesce(sum(x.quantity), 0) FROM order_lines x
   WHERE x.tenant_id = $1 AND x.order_id = $3)::int AS order_units
FROM order_allocations a JOIN order_lines l ON l.id = a.line_id
WHERE a.tenant_id = $1 AND a.fulfillment_order_id = $2 AND a.status IN ('RESERVED', 'BACKORDERED')
ORDER BY a.product_id, a.created_at, a.id FOR UPDATE OF a
"""
LEVEL_FIELDS = (*LEVEL_COLUMNS, "allow_backorder")


@dataclass
class LockedLean(Locked):
    """Locked, read on the driver: the objects are in no session (the caller writes what changes), with the
    units the whole order has shipped and ordered so far."""

    units_shipped: int = 0
    units_ordered: int = 0


async def lock_fulfillment_lean(tx: Transaction, fo_id: uuid.UUID, field: str = "id") -> LockedLean:
    """lock_fulfillment (without ensure_location) for a lean unit of work."""
    driver = await tx.driver()
    row = await driver.fetchrow(LEAN_ORDER, tx.tenant_id, fo_id)
    if row is None:
        raise DomainError(Code.NOT_FOUND, "Fulfillment order not found", [field])
    order = order_from_row(row)
    values = dict(await driver.fetchrow(LEAN_LEVELS_AND_FO, tx.tenant_id, fo_id))
    levels = [InventoryLevel(**dict(zip(LEVEL_FIELDS, lv, strict=True))) for lv in values.pop("levels") or []]
    fo = FulfillmentOrder(**values)
    rows = await driver.fetch(LEAN_ALLOCATIONS, tx.tenant_id, fo_id, order.id)
    allocations, skus = [], {}
    for r in rows:
        a = dict(r)
        skus[a["line_id"]] = a.pop("sku")
        a.pop("order_shipped"), a.pop("order_units")
        allocations.append(OrderAllocation(**a))
    units = (rows[0]["order_shipped"], rows[0]["order_units"]) if rows else (0, 0)
    by_key = {(lv.product_id, lv.location_id): lv for lv in levels}
    return LockedLean(order, fo, allocations, by_key, skus, *units)


async def _lock_order_of(tx: Transaction, fo_id: uuid.UUID, field: str) -> Order:
    """The fulfillment order's order, locked; the fulfillment order is only read (its order_id never
    changes), so this is the first lock taken, as before a separate read of it."""
    order_id = (
        select(FulfillmentOrder.order_id)
        .where(FulfillmentOrder.tenant_id == tx.tenant_id, FulfillmentOrder.id == fo_id)
        .scalar_subquery()
    )
    order = (
        await tx.session.execute(
            select(Order)
            .where(Order.tenant_id == tx.tenant_id, Order.id == order_id)
            .with_for_update(key_share=True, of=Order)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if order is None:
        raise DomainError(Code.NOT_FOUND, "Fulfillment order not found", [field])
    return order


async def _lock_allocations_with_skus(
    tx: Transaction, fo_id: uuid.UUID
) -> tuple[list[OrderAllocation], dict[uuid.UUID, str]]:
    """held_allocations(lock=True) with each line's SKU read in the same statement (the lines are read,
    not locked: FOR UPDATE OF the allocations alone)."""
    rows = await tx.session.execute(
        select(OrderAllocation, OrderLine.sku)
        .join(OrderLine, OrderLine.id == OrderAllocation.line_id)
        .where(
            OrderAllocation.tenant_id == tx.tenant_id,
            OrderAllocation.fulfillment_order_id == fo_id,
            OrderAllocation.status.in_(HELD),
        )
        .order_by(OrderAllocation.product_id, OrderAllocation.created_at, OrderAllocation.id)
        .with_for_update(of=OrderAllocation)
        .execution_options(populate_existing=True)
    )
    allocations, skus = [], {}
    for a, sku in rows:
        allocations.append(a)
        skus[a.line_id] = sku
    return allocations, skus


async def require_location(tx: Transaction, location_id: uuid.UUID) -> Location:
    """An active location of this tenant, checked before anything is locked or created there."""
    found = await get_location(tx, location_id)
    if found is None or not found.active:
        raise DomainError(Code.NOT_FOUND, "No active location with this id", ["locationId"])
    return found


async def lock_fulfillment_orders(
    tx: Transaction, order_id: uuid.UUID, key_share: bool = True, refresh: bool = False
) -> dict[uuid.UUID, FulfillmentOrder]:
    """The order's fulfillment orders by ID, locked in ID order (after its levels and allocations, as
    cancelling takes them): FOR NO KEY UPDATE, or with `key_share` False FOR UPDATE (the fraud hold's).
    `refresh` reloads those the session already holds with what the lock found."""
    stmt = (
        select(FulfillmentOrder)
        .where(FulfillmentOrder.tenant_id == tx.tenant_id, FulfillmentOrder.order_id == order_id)
        .order_by(FulfillmentOrder.id)
        .with_for_update(key_share=key_share)
    )
    if refresh:
        stmt = stmt.execution_options(populate_existing=True)
    return {fo.id: fo for fo in (await tx.session.execute(stmt)).scalars()}


async def active_holds(tx: Transaction, fo_id: uuid.UUID) -> list[FulfillmentHold]:
    """The holds in force on a fulfillment order, oldest first, locked."""
    return list(
        (
            await tx.session.execute(
                select(FulfillmentHold)
                .where(
                    FulfillmentHold.tenant_id == tx.tenant_id,
                    FulfillmentHold.fulfillment_order_id == fo_id,
                    FulfillmentHold.released_at.is_(None),
                )
                .order_by(FulfillmentHold.created_at, FulfillmentHold.id)
                .with_for_update()
            )
        ).scalars()
    )


async def lock_backorders(
    tx: Transaction, product_id: uuid.UUID, location_id: uuid.UUID
) -> list[OrderAllocation]:
    """The backordered allocations waiting at a level (which the caller holds locked), locked, in the
    order they are filled: the most urgent order first, then the oldest."""
    return list(
        (
            await tx.session.execute(
                select(OrderAllocation)
                .join(Order, Order.id == OrderAllocation.order_id)
                .where(
                    OrderAllocation.tenant_id == tx.tenant_id,
                    OrderAllocation.product_id == product_id,
                    OrderAllocation.location_id == location_id,
                    OrderAllocation.status == AllocationStatus.BACKORDERED,
                )
                .order_by(
                    func.coalesce(Order.priority_override, Order.priority).desc(),
                    Order.created_at,
                    OrderAllocation.created_at,
                    OrderAllocation.id,
                )
                .with_for_update(of=OrderAllocation)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )


async def count_backordered(tx: Transaction, fo_id: uuid.UUID) -> int:
    """How many of the fulfillment order's allocations are still backordered."""
    return (
        await tx.session.execute(
            select(func.count())
            .select_from(OrderAllocation)
            .where(
                OrderAllocation.tenant_id == tx.tenant_id,
                OrderAllocation.fulfillment_order_id == fo_id,
                OrderAllocation.status == AllocationStatus.BACKORDERED,
            )
        )
    ).scalar_one()


async def allocation_states(tx: Transaction, fo_id: uuid.UUID) -> Sequence[Row[AllocationStatus, int, int]]:
    """Status, quantity and shipped units of each of the fulfillment order's allocations (read, not
    locked: the caller holds the fulfillment order)."""
    return (
        await tx.session.execute(
            select(OrderAllocation.status, OrderAllocation.quantity, OrderAllocation.shipped).where(
                OrderAllocation.tenant_id == tx.tenant_id,
                OrderAllocation.fulfillment_order_id == fo_id,
            )
        )
    ).all()
