"""Use cases for locations and products."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, fields
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from domain import validation
from domain.catalog.customization import Option, check_declared
from domain.catalog.models import BackorderPolicy, Location, LocationKind, Product
from domain.catalog.repository import get_for_update, lock_products_by_sku
from domain.errors import Code, DomainError, Problems, Rejected
from domain.money import CURRENCIES, AmountError, to_minor
from domain.tenancy.repository import get_tenant
from domain.uow import Transaction, UnitOfWork

MAX_IMPORT = 500


@dataclass
class LocationInput:
    name: str | None = None
    code: str | None = None
    priority: int | None = None
    kind: LocationKind | None = None
    active: bool | None = None


@dataclass
class ProductInput:
    sku: str | None = None
    name: str | None = None
    price: Decimal | str | None = None
    currency: str | None = None
    weight_grams: int | None = None
    backorder_policy: BackorderPolicy | None = None
    active: bool | None = None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64] or "location"


def _check_location(problems: Problems, data: LocationInput, creating: bool) -> None:
    if creating or data.name is not None:
        data.name = validation.text(problems, data.name, ("name",), 200)
    if data.code is not None:
        data.code = validation.code(problems, data.code, ("code",))
    if data.priority is not None and not 0 <= data.priority <= 10_000:
        problems.add(Code.INVALID, "priority must be between 0 and 10000", "priority")


async def _flush_unique(tx: Transaction, message: str, field: list[str]) -> None:
    try:
        await tx.session.flush()
    except IntegrityError as exc:
        raise DomainError(Code.DUPLICATE, message, field) from exc


async def create_location(uow: UnitOfWork, data: LocationInput) -> Location:
    problems = Problems()
    _check_location(problems, data, creating=True)
    problems.raise_if_any()
    async with uow as tx:
        assert data.name is not None
        location = Location(
            tenant_id=tx.tenant_id,
            name=data.name,
            code=data.code or _slug(data.name),
            kind=data.kind or LocationKind.WAREHOUSE,
            priority=100 if data.priority is None else data.priority,
            active=True if data.active is None else data.active,
        )
        tx.session.add(location)
        await _flush_unique(tx, f"A location with code {location.code!r} exists", ["code"])
        location.changed(["created"])
        await uow.commit()
    return location


async def update_location(uow: UnitOfWork, location_id: uuid.UUID, data: LocationInput) -> Location:
    problems = Problems()
    _check_location(problems, data, creating=False)
    problems.raise_if_any()
    async with uow as tx:
        location = await get_for_update(tx, Location, location_id, "Location")
        changed = [f.name for f in fields(data) if getattr(data, f.name) is not None]
        for name in changed:
            setattr(location, name, getattr(data, name))
        await _flush_unique(tx, f"A location with code {data.code!r} exists", ["code"])
        if changed:
            location.changed(changed)
        await uow.commit()
    return location


def _check_product(
    problems: Problems,
    data: ProductInput,
    at: tuple[str | int, ...],
    creating: bool,
    currency: str,
) -> int | None:
    """Validates in place; returns the price in minor units when one was given."""
    if creating or data.sku is not None:
        data.sku = validation.code(problems, data.sku or "", (*at, "sku"))
    if creating or data.name is not None:
        data.name = validation.text(problems, data.name, (*at, "name"), 300)
    if data.currency is not None and data.currency not in CURRENCIES:
        problems.add(
            Code.INVALID,
            f"{data.currency} is not an ISO 4217 currency",
            *at,
            "currencyCode",
        )
    if data.weight_grams is not None and data.weight_grams < 0:
        problems.add(Code.INVALID, "weight cannot be negative", *at, "weightGrams")
    if data.price is None:
        if creating:
            problems.add(Code.REQUIRED, "price is required", *at, "price")
        return None
    try:
        price = to_minor(data.price, data.currency or currency)
    except AmountError as exc:
        problems.add(Code.INVALID_AMOUNT, str(exc), *at, "price")
        return None
    if price < 0:
        problems.add(Code.INVALID_AMOUNT, "price cannot be negative", *at, "price")
    return price


async def create_product(uow: UnitOfWork, data: ProductInput) -> Product:
    return (await import_products(uow, [data], at=(), upsert=False))[0]


async def update_product(uow: UnitOfWork, product_id: uuid.UUID, data: ProductInput) -> Product:
    async with uow as tx:
        product = await get_for_update(tx, Product, product_id, "Product")
        problems = Problems()
        price = _check_product(problems, data, (), creating=False, currency=product.currency)
        problems.raise_if_any()
        if data.currency is not None and price is None and data.currency != product.currency:
            raise DomainError(
                Code.INVALID,
                "Give the price again when changing the currency",
                ["price"],
            )
        changed = _apply(product, data, price)
        await _flush_unique(tx, f"A product with SKU {data.sku!r} exists", ["sku"])
        if changed:
            product.changed(changed)
        await uow.commit()
    return product


async def set_customization_options(uow: UnitOfWork, product_id: uuid.UUID, options: list[Option]) -> Product:
    """Replaces what the product's order lines may be customized with (none: free-form again). Orders
    already placed keep the values and prices they were placed with."""
    async with uow as tx:
        product = await get_for_update(tx, Product, product_id, "Product")
        problems = Problems()
        check_declared(problems, options, product.currency)
        problems.raise_if_any()
        declared = [o.to_json() for o in options]
        if declared != product.customization_options:
            product.customization_options = declared
            product.changed(["customization_options"])
        await uow.commit()
    return product


def _apply(product: Product, data: ProductInput, price: int | None) -> list[str]:
    changed = []
    for name in (
        "sku",
        "name",
        "currency",
        "weight_grams",
        "backorder_policy",
        "active",
    ):
        value = getattr(data, name)
        if value is not None and getattr(product, name) != value:
            setattr(product, name, value)
            changed.append(name)
    if price is not None and price != product.price:
        product.price = price
        changed.append("price")
    return changed


async def import_products(
    uow: UnitOfWork,
    items: list[ProductInput],
    at: tuple[str | int, ...] = ("products",),
    upsert: bool = True,
) -> list[Product]:
    """Creates or (when upsert) updates products by SKU: all of them, or none when any is invalid."""
    if not items:
        raise DomainError(Code.REQUIRED, "Give at least one product", list(map(str, at)))
    if len(items) > MAX_IMPORT:
        raise DomainError(Code.INVALID, f"At most {MAX_IMPORT} products per call", list(map(str, at)))
    async with uow as tx:
        tenant_currency = (await get_tenant(tx)).currency
        skus = sorted({(data.sku or "").strip() for data in items})
        existing = await lock_products_by_sku(tx, skus)
        if existing and not upsert:
            raise Rejected(
                [
                    DomainError(Code.DUPLICATE, f"A product with SKU {sku!r} exists", ["sku"])
                    for sku in existing
                ]
            )
        problems = Problems()
        seen: set[str] = set()
        prices = []
        for index, data in enumerate(items):
            where = (*at, index) if at else ()
            # A price is in the product's own currency: the one given, else the one it has, else the shop's.
            known = existing.get((data.sku or "").strip())
            currency = known.currency if known else tenant_currency
            prices.append(_check_product(problems, data, where, True, currency))
            if data.sku in seen:
                problems.add(Code.DUPLICATE, f"SKU {data.sku!r} appears twice", *where, "sku")
            seen.add(data.sku or "")
        problems.raise_if_any()
        result = []
        for data, price in zip(items, prices, strict=True):
            product = existing.get(data.sku or "")
            if product is None:
                product = _new_product(tx.tenant_id, data, price, tenant_currency)
                tx.session.add(product)
                product.changed(["created"])
            elif changed := _apply(product, data, price):
                product.changed(changed)
            result.append(product)
        await _flush_unique(tx, "A product with that SKU was created at the same time", ["sku"])
        await uow.commit()
    return result


def _new_product(
    tenant_id: uuid.UUID, data: ProductInput, price: int | None, tenant_currency: str
) -> Product:
    return Product(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        sku=data.sku,
        name=data.name,
        price=price or 0,
        currency=data.currency or tenant_currency,
        weight_grams=data.weight_grams,
        backorder_policy=data.backorder_policy or BackorderPolicy.DENY,
        active=True if data.active is None else data.active,
    )
