"""Builders for integration tests (locations, products with stock, order requests) and the queries
that read back state, ledger, outbox and timeline rows to assert on."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.catalog import service as catalog
from domain.catalog.models import BackorderPolicy, Location
from domain.catalog.service import LocationInput, ProductInput
from domain.events.models import OutboxEvent, TimelineEntry
from domain.inventory.models import InventoryLevel, InventoryMovement
from domain.inventory.service import SetInput
from domain.orders.inputs import AddressInput, CustomerInput, LineInput, OrderInput
from domain.orders.models import Order, OrderAllocation
from domain.orders.status import SalesChannel, ShippingMethod
from domain.uow import UnitOfWork
from domain.workflows import stock_changes
from tests.db_helpers import as_system


def uow(engine: AsyncEngine, tenant_id: uuid.UUID) -> UnitOfWork:
    """A fresh, un-entered unit of work for one use case call."""
    return UnitOfWork(engine, tenant_id, "test")


async def location(
    engine: AsyncEngine, tenant_id: uuid.UUID, code: str, priority: int = 100, active: bool = True
) -> Location:
    return await catalog.create_location(
        uow(engine, tenant_id),
        LocationInput(name=f"Warehouse {code}", code=code, priority=priority, active=active),
    )


async def product(
    engine: AsyncEngine,
    tenant_id: uuid.UUID,
    sku: str,
    price: str = "10.00",
    stock: dict[uuid.UUID, int] | None = None,
    backorder: BackorderPolicy = BackorderPolicy.DENY,
) -> uuid.UUID:
    """A product, with on-hand stock set at the given locations; returns its id."""
    created = await catalog.create_product(
        uow(engine, tenant_id),
        ProductInput(sku=sku, name=f"Product {sku}", price=price, backorder_policy=backorder),
    )
    for location_id, units in (stock or {}).items():
        await stock_changes.set_level(
            uow(engine, tenant_id), SetInput(sku=sku, location_id=location_id, on_hand=units)
        )
    return created.id


def order_input(
    *lines: tuple[str, int],
    email: str = "ada@example.com",
    key: str | None = None,
    external_id: str | None = None,
    channel: SalesChannel = SalesChannel.WEB,
    method: ShippingMethod = ShippingMethod.STANDARD,
) -> OrderInput:
    return OrderInput(
        channel=channel,
        customer=CustomerInput(email=email, first_name="Ada", last_name="Lovelace"),
        shipping_address=AddressInput(
            name="Ada Lovelace",
            line1="1 Analytical Way",
            city="Springfield",
            postal_code="12345",
            country_code="US",
        ),
        lines=[LineInput(sku=sku, quantity=qty) for sku, qty in lines],
        shipping_method=method,
        idempotency_key=key,
        external_id=external_id,
    )


# ---- reading state back -------------------------------------------------------------------------


async def rows(engine: AsyncEngine, stmt: Any) -> list[Any]:
    """An observer's read: in system scope, so what it finds depends on the statement alone."""
    async with as_system(engine) as conn:
        return list(await conn.execute(stmt))


async def level(engine: AsyncEngine, product_id: uuid.UUID, location_id: uuid.UUID) -> Any:
    t = InventoryLevel.__table__
    found = await rows(engine, select(t).where(t.c.product_id == product_id, t.c.location_id == location_id))
    assert len(found) == 1, f"expected one level, found {len(found)}"
    return found[0]


async def stock(
    engine: AsyncEngine, tenant_id: uuid.UUID
) -> dict[tuple[uuid.UUID, uuid.UUID], tuple[int, int]]:
    """(product, location) -> (onHand, committed) for every level of the tenant."""
    t = InventoryLevel.__table__
    found = await rows(engine, select(t).where(t.c.tenant_id == tenant_id))
    return {(r.product_id, r.location_id): (r.on_hand, r.committed) for r in found}


async def movements(engine: AsyncEngine, tenant_id: uuid.UUID, **where: Any) -> list[Any]:
    t = InventoryMovement.__table__
    stmt = select(t).where(t.c.tenant_id == tenant_id, *(t.c[k] == v for k, v in where.items()))
    return await rows(engine, stmt.order_by(t.c.id))


async def outbox(engine: AsyncEngine, tenant_id: uuid.UUID, **where: Any) -> list[Any]:
    t = OutboxEvent.__table__
    stmt = select(t).where(t.c.tenant_id == tenant_id, *(t.c[k] == v for k, v in where.items()))
    return await rows(engine, stmt.order_by(t.c.occurred_at))


async def outbox_types(engine: AsyncEngine, tenant_id: uuid.UUID, **where: Any) -> Counter[str]:
    return Counter(r.type for r in await outbox(engine, tenant_id, **where))


async def timeline(engine: AsyncEngine, tenant_id: uuid.UUID, subject_id: uuid.UUID) -> list[Any]:
    t = TimelineEntry.__table__
    stmt = select(t).where(t.c.tenant_id == tenant_id, t.c.subject_id == subject_id).order_by(t.c.id)
    return await rows(engine, stmt)


async def orders(engine: AsyncEngine, tenant_id: uuid.UUID) -> list[Any]:
    t = Order.__table__
    return await rows(engine, select(t).where(t.c.tenant_id == tenant_id).order_by(t.c.number))


async def allocations(engine: AsyncEngine, order_id: uuid.UUID) -> list[Any]:
    t = OrderAllocation.__table__
    return await rows(engine, select(t).where(t.c.order_id == order_id))


async def count(engine: AsyncEngine, table: str, tenant_id: uuid.UUID) -> int:
    async with as_system(engine) as conn:
        stmt = text(f'SELECT count(*) FROM "{table}" WHERE tenant_id = :t')
        return (await conn.execute(stmt, {"t": tenant_id})).scalar_one()


async def snapshot(engine: AsyncEngine, tenant_id: uuid.UUID) -> dict[str, Any]:
    """Everything a rejected use case must leave untouched."""
    result: dict[str, Any] = {"stock": await stock(engine, tenant_id)}
    for table in (
        "inventory_movements",
        "orders",
        "order_lines",
        "order_allocations",
        "customers",
        "outbox_events",
    ):
        result[table] = await count(engine, table, tenant_id)
    result["timeline_entries"] = await count(engine, "timeline_entries", tenant_id)
    return result


async def assert_ledger_reconciles(engine: AsyncEngine, tenant_id: uuid.UUID) -> None:
    """For every level: the movements add up to onHand and committed, committed equals the units that
    open orders hold there, and there is one INVENTORY_LEVEL_CHANGED event per movement."""
    lv, mv, al = InventoryLevel.__table__, InventoryMovement.__table__, OrderAllocation.__table__
    sums = {
        r.level_id: (r.on_hand, r.committed, r.n)
        for r in await rows(
            engine,
            select(
                mv.c.level_id,
                func.sum(mv.c.on_hand_delta).label("on_hand"),
                func.sum(mv.c.committed_delta).label("committed"),
                func.count().label("n"),
            )
            .where(mv.c.tenant_id == tenant_id)
            .group_by(mv.c.level_id),
        )
    }
    held = {
        (r.product_id, r.location_id): r.units
        for r in await rows(
            engine,
            select(al.c.product_id, al.c.location_id, func.sum(al.c.quantity - al.c.shipped).label("units"))
            .where(al.c.tenant_id == tenant_id, al.c.status == "RESERVED")
            .group_by(al.c.product_id, al.c.location_id),
        )
    }
    levels = await rows(engine, select(lv).where(lv.c.tenant_id == tenant_id))
    keys = set()
    for r in levels:
        keys.add((r.product_id, r.location_id))
        on_hand, committed, _ = sums.get(r.id, (0, 0, 0))
        assert (on_hand, committed) == (r.on_hand, r.committed), f"ledger of level {r.id} does not add up"
        assert r.committed == held.get((r.product_id, r.location_id), 0), (
            f"level {r.id} committed != reserved"
        )
    assert set(held) <= keys, "reservations at a location without a level"
    assert set(sums) <= {r.id for r in levels}
    # Every movement has its INVENTORY_LEVEL_CHANGED event in the outbox, written in the same transaction.
    events = await outbox(engine, tenant_id, type="INVENTORY_LEVEL_CHANGED")
    assert len(events) == sum(n for _, _, n in sums.values())
