"""The write benchmark's tenant, apart from the read benchmarks' one (their order lists stay as they are):
products with deep stock at one warehouse, and a HOT product that every order of the hot-SKU case asks for.
Created once per database through the same use cases the API calls; later runs issue a fresh API key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
from sqlalchemy import select

from domain.catalog.models import Location, LocationKind
from domain.catalog.service import LocationInput, ProductInput, create_location, import_products
from domain.db import make_engine, set_tenant
from domain.inventory.service import MAX_UNITS, SetInput
from domain.tenancy import service as tenancy
from domain.tenancy.models import Role
from domain.uow import UnitOfWork
from domain.workflows.stock_changes import set_level

NAME = "Bench Writes"
SKUS = [f"W-{i:03d}" for i in range(1, 25)]
HOT = "HOT-001"
DEEP = MAX_UNITS  # as deep as a level may be: the load never runs a level dry


@dataclass(frozen=True)
class WriteTenant:
    tenant_id: uuid.UUID
    api_key: str
    location_id: uuid.UUID


async def ensure(url: str) -> WriteTenant:
    engine = make_engine(url, pool_size=2)
    try:
        tenant = await tenancy.find_tenant(engine, NAME)
        if tenant is None:
            tenant, issued = await tenancy.create_tenant(engine, NAME, "USD", tax_rate_bps=825)
            actor = f"apikey:{issued.key.id}"
            location = await create_location(
                UnitOfWork(engine, tenant.id, actor),
                LocationInput("Write Warehouse", "writes", 10, LocationKind.WAREHOUSE),
            )
            await import_products(
                UnitOfWork(engine, tenant.id, actor),
                [
                    ProductInput(
                        sku=sku, name=f"Write product {sku}", price=f"{5 + i}.{i:02d}", weight_grams=250
                    )
                    for i, sku in enumerate([*SKUS, HOT])
                ],
            )
            for sku in [*SKUS, HOT]:
                await set_level(UnitOfWork(engine, tenant.id, actor), SetInput(sku, location.id, DEEP))
        async with engine.connect() as conn:
            await set_tenant(conn, tenant.id)
            location_id = (
                await conn.execute(select(Location.id).where(Location.code == "writes"))
            ).scalar_one()
        issued = await tenancy.create_api_key(engine, tenant.id, Role.STAFF, "bench-writes")
        return WriteTenant(tenant.id, issued.secret, location_id)
    finally:
        await engine.dispose()


async def restock(url: str, tenant: WriteTenant, sku: str, sellable: int) -> None:
    """Sets the level so that exactly `sellable` more units can be promised (what is committed stays)."""
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await set_tenant(conn, tenant.tenant_id)
            row = (
                await conn.exec_driver_sql(
                    "SELECT l.committed, l.safety_stock FROM inventory_levels l JOIN products p ON p.id = "
                    "l.product_id WHERE p.sku = $1 AND l.location_id = $2",
                    (sku, tenant.location_id),
                )
            ).one()
        on_hand = min(DEEP, row.committed + row.safety_stock + sellable)
        await set_level(
            UnitOfWork(engine, tenant.tenant_id, "bench"), SetInput(sku, tenant.location_id, on_hand)
        )
    finally:
        await engine.dispose()


STOCK_CHECK = """
SELECT l.on_hand, l.committed,
  (SELECT coalesce(sum(a.quantity - a.shipped), 0) FROM order_allocations a
   WHERE a.tenant_id = l.tenant_id AND a.product_id = l.product_id AND a.location_id = l.location_id
     AND a.status = 'RESERVED') AS held,
  (SELECT coalesce(sum(m.on_hand_delta), 0) FROM inventory_movements m WHERE m.level_id = l.id) AS ledger_on_hand,
  (SELECT coalesce(sum(m.committed_delta), 0) FROM inventory_movements m WHERE m.level_id = l.id)
    AS ledger_committed
FROM inventory_levels l JOIN products p ON p.id = l.product_id
WHERE l.tenant_id = $1 AND p.sku = $2 AND l.location_id = $3
"""


async def stock_check(url: str, tenant: WriteTenant, sku: str) -> dict[str, int]:
    """The hot level's balances beside what the allocations hold and what the ledger adds up to."""
    conn = await asyncpg.connect(url, server_settings={"app.scope": "system"})
    try:
        row = await conn.fetchrow(STOCK_CHECK, tenant.tenant_id, sku, tenant.location_id)
        assert row is not None
        return dict(row)
    finally:
        await conn.close()


# The relay gives committed outbox rows their position (domain/events/relay.py); rows still without one
# are what it has not caught up with. Lag: how old the oldest of those is, in the database's clock.
RELAY_LAG = """
SELECT count(*) FILTER (WHERE position IS NULL) AS behind,
  coalesce(extract(epoch FROM now() - min(occurred_at) FILTER (WHERE position IS NULL)), 0) AS oldest_s,
  coalesce(extract(epoch FROM max(occurred_at) - max(occurred_at) FILTER (WHERE position IS NOT NULL)), 0)
    AS newest_gap_s,
  (SELECT position FROM event_log_heads WHERE tenant_id = $1) AS head
FROM outbox_events WHERE tenant_id = $1
"""


async def relay_lag(url: str, tenant_id: uuid.UUID) -> dict[str, float]:
    conn = await asyncpg.connect(url, server_settings={"app.scope": "system"})
    try:
        row = await conn.fetchrow(RELAY_LAG, tenant_id)
        assert row is not None
        return {k: float(v or 0) for k, v in dict(row).items()}
    finally:
        await conn.close()


async def commits(url: str) -> int:
    """Transactions committed in the database so far (pg_stat_database), every client's."""
    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        )
    finally:
        await conn.close()
