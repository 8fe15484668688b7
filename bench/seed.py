"""The benchmark tenant: products, one location with deep stock, and a few hundred orders of three lines,
created through the same use cases the API calls. Seeding happens once per database; later runs only
issue a fresh API key (keys are stored hashed, so an earlier run's secret cannot be recovered)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.catalog.models import BackorderPolicy, LocationKind
from domain.catalog.service import LocationInput, ProductInput, create_location, import_products
from domain.db import make_engine, set_tenant
from domain.inventory.service import SetInput
from domain.orders.inputs import AddressInput, CustomerInput, LineInput, OrderInput
from domain.orders.models import Order
from domain.orders.status import SalesChannel, ShippingMethod
from domain.tenancy import service as tenancy
from domain.tenancy.models import Role
from domain.uow import UnitOfWork
from domain.workflows import confirming, placing
from domain.workflows.stock_changes import set_level

NAME = "Bench Shop"
PRODUCTS = [(f"BENCH-{i:03d}", f"Bench product {i}", f"{9 + i}.{i % 100:02d}") for i in range(1, 25)]
CUSTOMERS = 40
CHANNELS = list(SalesChannel)


@dataclass(frozen=True)
class BenchTenant:
    tenant_id: uuid.UUID
    api_key: str
    numbers: list[int]


async def ensure(url: str, orders_wanted: int) -> BenchTenant:
    engine = make_engine(url, pool_size=2)
    try:
        tenant = await tenancy.find_tenant(engine, NAME)
        if tenant is None:
            tenant, issued = await tenancy.create_tenant(engine, NAME, "USD", tax_rate_bps=825)
            await _catalog(engine, tenant.id, f"apikey:{issued.key.id}")
        issued = await tenancy.create_api_key(engine, tenant.id, Role.STAFF, "bench")
        have = await _numbers(engine, tenant.id)
        if len(have) < orders_wanted:
            await _orders(engine, tenant.id, f"apikey:{issued.key.id}", len(have), orders_wanted)
            have = await _numbers(engine, tenant.id)
        return BenchTenant(tenant.id, issued.secret, have)
    finally:
        await engine.dispose()


async def _numbers(engine: AsyncEngine, tenant_id: uuid.UUID) -> list[int]:
    async with engine.connect() as conn:
        await set_tenant(conn, tenant_id)
        rows = await conn.execute(
            select(Order.number).where(Order.tenant_id == tenant_id).order_by(Order.number)
        )
        return [r.number for r in rows]


async def _catalog(engine: AsyncEngine, tenant_id: uuid.UUID, actor: str) -> None:
    def uow() -> UnitOfWork:
        return UnitOfWork(engine, tenant_id, actor)

    location = await create_location(
        uow(), LocationInput("Bench Warehouse", "bench", 10, LocationKind.WAREHOUSE)
    )
    await import_products(
        uow(),
        [
            ProductInput(
                sku=sku, name=name, price=price, weight_grams=300, backorder_policy=BackorderPolicy.DENY
            )
            for sku, name, price in PRODUCTS
        ],
    )
    for sku, _, _ in PRODUCTS:
        await set_level(uow(), SetInput(sku, location.id, 1_000_000, reorder_point=5))


async def _orders(engine: AsyncEngine, tenant_id: uuid.UUID, actor: str, start: int, stop: int) -> None:
    for i in range(start, stop):
        c = i % CUSTOMERS
        skus = [PRODUCTS[(i + k * 7) % len(PRODUCTS)][0] for k in range(3)]
        await placing.place_order(
            UnitOfWork(engine, tenant_id, actor),
            OrderInput(
                channel=CHANNELS[i % len(CHANNELS)],
                customer=CustomerInput(f"customer{c}@bench.example", f"Customer{c}", "Bench"),
                shipping_address=AddressInput(
                    f"Customer{c} Bench", f"{c} Load St", "Springfield", "12345", "US"
                ),
                lines=[LineInput(sku, 1 + (i + k) % 4) for k, sku in enumerate(skus)],
                shipping_method=ShippingMethod.EXPRESS if i % 3 == 0 else ShippingMethod.STANDARD,
                tags=["bench"],
            ),
        )


async def ensure_shipped(url: str, tenant_id: uuid.UUID, every: int = 2) -> int:
    """Confirms and ships every `every`-th order of the bench tenant that has not shipped, with two
    tracking events each, so order screens have shipments to show; returns how many orders have one."""
    from domain.fulfillment.models import FulfillmentOrder
    from domain.shipping.models import Shipment
    from domain.shipping.service import ShipmentInput, create_shipment
    from domain.shipping.tracking import TrackingInput, add_tracking_event

    engine = make_engine(url, pool_size=2)
    actor = "bench:seed"
    try:
        async with engine.connect() as conn:
            await set_tenant(conn, tenant_id)
            shipped = set((await conn.execute(select(Shipment.order_id))).scalars())
            rows = (
                await conn.execute(
                    select(Order.id, Order.number, Order.status)
                    .where(Order.tenant_id == tenant_id)
                    .order_by(Order.number)
                )
            ).all()
        for order_id, number, status in rows:
            if number % every or order_id in shipped or status == "CANCELLED":
                continue
            if status == "PENDING":
                await confirming.confirm_order(UnitOfWork(engine, tenant_id, actor), order_id)
            async with engine.connect() as conn:
                await set_tenant(conn, tenant_id)
                fo_ids = (
                    await conn.execute(
                        select(FulfillmentOrder.id).where(FulfillmentOrder.order_id == order_id)
                    )
                ).scalars()
            for fo_id in list(fo_ids):
                shipment = await create_shipment(
                    UnitOfWork(engine, tenant_id, actor), ShipmentInput(fo_id, "generic", f"BENCH{number}")
                )
                for word, place in (("IN_TRANSIT", "Memphis, TN"), ("OUT_FOR_DELIVERY", "Springfield")):
                    await add_tracking_event(
                        UnitOfWork(engine, tenant_id, actor),
                        TrackingInput(word, location=place, description=f"{word.lower()} at {place}"),
                        shipment_id=shipment.id,
                    )
            shipped.add(order_id)
        return len(shipped)
    finally:
        await engine.dispose()
