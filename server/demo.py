"""A demo tenant with locations, products, stock, customers and orders, created through the same
use cases the API calls. Its ADMIN key is kept in the data directory so each run can print it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.catalog.models import BackorderPolicy, LocationKind
from domain.catalog.service import LocationInput, ProductInput, create_location, import_products
from domain.db import make_engine
from domain.fulfillment.models import FulfillmentOrder
from domain.inventory.service import SetInput
from domain.orders import service as orders
from domain.orders.inputs import AddressInput, CustomerInput, LineInput, OrderInput
from domain.orders.models import OrderLine
from domain.orders.status import SalesChannel, ShippingMethod
from domain.purchasing.suppliers import (
    SupplierInput,
    SupplierProductInput,
    create_supplier,
    set_supplier_product,
)
from domain.returns.service import ExchangeInput, ReturnInput, ReturnLineInput, request_return
from domain.returns.status import ReturnReason
from domain.shipping.service import ShipmentInput, create_shipment
from domain.shipping.tracking import TrackingInput, add_tracking_event
from domain.tenancy import service as tenancy
from domain.tenancy.models import Role
from domain.uow import UnitOfWork
from domain.workflows import cancelling, confirming, placing
from domain.workflows.stock_changes import set_level

NAME = "Demo Shop"
LOCATIONS = [
    ("Main Warehouse", "main", 10, LocationKind.WAREHOUSE),
    ("East Coast DC", "east", 20, LocationKind.WAREHOUSE),
    ("Downtown Store", "downtown", 50, LocationKind.STORE),
]
PRODUCTS = [
    ("TEE-BLK-M", "Classic Tee, Black, M", "24.00", {"main": 40, "east": 12, "downtown": 5}),
    ("TEE-BLK-L", "Classic Tee, Black, L", "24.00", {"main": 35, "east": 10}),
    ("HOODIE-GRY-M", "Zip Hoodie, Grey, M", "68.00", {"main": 15, "downtown": 3}),
    ("MUG-LOGO", "Logo Mug", "14.50", {"main": 120, "east": 60, "downtown": 20}),
    ("CAP-NAVY", "Baseball Cap, Navy", "29.00", {"east": 25}),
    ("BOTTLE-STEEL", "Steel Bottle 750 ml", "32.00", {"main": 8}),
    ("SOCKS-3PK", "Socks, 3 pack", "18.00", {"main": 200, "east": 80}),
    ("PREORDER-JACKET", "Rain Jacket (pre-order)", "149.00", {}),
]
# Who the demo shop buys from: (name, lead time, minimum order, pack size, {sku: unit cost}); the first
# supplier of a SKU is its preferred one.
SUPPLIERS = [
    ("Northwind Apparel", 7, 12, 6, {"TEE-BLK-M": "8.50", "TEE-BLK-L": "8.50", "HOODIE-GRY-M": "27.00"}),
    ("Steelworks Supply", 14, 24, 12, {"BOTTLE-STEEL": "11.00", "MUG-LOGO": "4.20"}),
]
CUSTOMERS = [
    ("ada@example.com", "Ada", "Lovelace", "10 Downing St", "London", "SW1A 2AA", "GB"),
    ("grace@example.com", "Grace", "Hopper", "1 Navy Way", "Arlington", "22202", "US"),
    ("alan@example.com", "Alan", "Turing", "Bletchley Park", "Milton Keynes", "MK3 6EB", "GB"),
]


def ensure_demo(url: str, data_dir: Path) -> str:
    """Creates the demo tenant the first time; returns its ADMIN key either way."""
    key_file = data_dir / "demo-api-key"
    known = key_file.read_text().strip() if key_file.exists() else None
    secret = asyncio.run(_ensure(url, known))
    if secret != known:
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secret + "\n")
        key_file.chmod(0o600)
    return secret


async def _ensure(url: str, known: str | None) -> str:
    engine = make_engine(url, pool_size=2)
    try:
        tenant = await tenancy.find_tenant(engine, NAME)
        if tenant is not None and known and await tenancy.authenticate(engine, known):
            return known
        if tenant is None:
            tenant, issued = await tenancy.create_tenant(engine, NAME, "USD", tax_rate_bps=825)
            await _seed(engine, tenant.id, f"apikey:{issued.key.id}")
        else:
            issued = await tenancy.create_api_key(engine, tenant.id, Role.ADMIN, "demo admin key")
        return issued.secret
    finally:
        await engine.dispose()


async def _seed(engine: AsyncEngine, tenant_id: uuid.UUID, actor: str) -> None:
    def uow() -> UnitOfWork:
        return UnitOfWork(engine, tenant_id, actor)

    ids = {}
    for name, code, priority, kind in LOCATIONS:
        ids[code] = (await create_location(uow(), LocationInput(name, code, priority, kind))).id
    await import_products(
        uow(),
        [
            ProductInput(
                sku=sku,
                name=name,
                price=price,
                weight_grams=250,
                backorder_policy=BackorderPolicy.ALLOW if not stock else BackorderPolicy.DENY,
            )
            for sku, name, price, stock in PRODUCTS
        ],
    )
    for sku, _, _, stock in PRODUCTS:
        for code, units in stock.items():
            await set_level(uow(), SetInput(sku, ids[code], units, reorder_point=5))
    await _suppliers(uow)
    placed = []
    baskets = [
        (SalesChannel.WEB, [("TEE-BLK-M", 2), ("MUG-LOGO", 1)]),
        (SalesChannel.MOBILE_APP, [("HOODIE-GRY-M", 1), ("CAP-NAVY", 1)]),
        (SalesChannel.PHONE, [("SOCKS-3PK", 3)]),
        (SalesChannel.POS, [("MUG-LOGO", 2)]),
        (SalesChannel.MARKETPLACE, [("PREORDER-JACKET", 1)]),
        (SalesChannel.SOCIAL, [("TEE-BLK-M", 1), ("SOCKS-3PK", 1)]),
    ]
    for i, (channel, lines) in enumerate(baskets):
        email, first, last, line1, city, postal, country = CUSTOMERS[i % len(CUSTOMERS)]
        order = await placing.place_order(
            uow(),
            OrderInput(
                channel=channel,
                customer=CustomerInput(email, first, last),
                shipping_address=AddressInput(f"{first} {last}", line1, city, postal, country),
                lines=[LineInput(sku, qty) for sku, qty in lines],
                shipping_method=ShippingMethod.EXPRESS if i % 2 else ShippingMethod.STANDARD,
                tags=["demo"],
            ),
        )
        placed.append(order.order.id)
    await confirming.confirm_order(uow(), placed[0])
    await orders.record_payment(uow(), placed[0], "demo-payment-1", None)
    await confirming.confirm_order(uow(), placed[1])
    await cancelling.cancel_order(uow(), placed[3], "Customer changed their mind")
    await confirming.confirm_order(uow(), placed[4])  # a pre-order: its fulfillment waits for stock
    await _ship(uow, placed[0])
    await _return(uow, placed[5])


async def _suppliers(uow: Callable[[], UnitOfWork]) -> None:
    for name, lead, minimum, pack, prices in SUPPLIERS:
        supplier = await create_supplier(
            uow(),
            SupplierInput(
                name=name,
                email=f"orders@{name.split()[0].lower()}.example",
                lead_time_days=lead,
                minimum_order_quantity=minimum,
                pack_size=pack,
            ),
        )
        for sku, cost in prices.items():
            await set_supplier_product(
                uow(), SupplierProductInput(supplier.id, sku, cost, supplier_sku=f"{name[:2].upper()}-{sku}")
            )


async def _return(uow: Callable[[], UnitOfWork], order_id: uuid.UUID) -> None:
    """A delivered order whose customer asks to swap the tee for a larger size: waiting for approval."""
    await orders.record_payment(uow(), order_id, "demo-payment-2", None)
    await confirming.confirm_order(uow(), order_id)
    for shipment_id in await _ship(uow, order_id, "RET"):
        await add_tracking_event(uow(), TrackingInput("DELIVERED"), shipment_id)
    async with uow() as unit:
        tee = (
            await unit.session.execute(
                select(OrderLine.id).where(OrderLine.order_id == order_id, OrderLine.sku == "TEE-BLK-M")
            )
        ).scalar_one()
    await request_return(
        uow(),
        ReturnInput(
            order_id,
            [
                ReturnLineInput(
                    tee, 1, ReturnReason.SIZE_TOO_SMALL, "Runs small", ExchangeInput("TEE-BLK-L", 1)
                )
            ],
            customer_note="Could I have an L instead?",
        ),
    )


async def _ship(uow: Callable[[], UnitOfWork], order_id: uuid.UUID, prefix: str = "DEMO") -> list[uuid.UUID]:
    """Ships the order from each of its locations; the first parcel is already on its way."""
    async with uow() as unit:
        fo_ids = list(
            (
                await unit.session.execute(
                    select(FulfillmentOrder.id)
                    .where(FulfillmentOrder.order_id == order_id)
                    .order_by(FulfillmentOrder.id)
                )
            ).scalars()
        )
    shipped = []
    for i, fo_id in enumerate(fo_ids):
        shipment = await create_shipment(
            uow(), ShipmentInput(fo_id, "generic", f"{prefix}{i + 1:06d}", service="Ground")
        )
        if i == 0:
            await add_tracking_event(uow(), TrackingInput("IN_TRANSIT", location="Memphis, TN"), shipment.id)
        shipped.append(shipment.id)
    return shipped
