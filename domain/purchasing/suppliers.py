"""Use cases for suppliers and the prices they sell products at."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from domain import validation
from domain.catalog.repository import product_by_sku
from domain.errors import Code, DomainError, Problems
from domain.events.base import money
from domain.money import CURRENCIES, AmountError, to_minor
from domain.purchasing import repository
from domain.purchasing.events import SupplierChanged, SupplierProductSet
from domain.purchasing.models import Supplier, SupplierProduct
from domain.tenancy.repository import get_tenant
from domain.uow import Transaction, UnitOfWork

MAX_LEAD_TIME_DAYS = 365
MAX_UNITS = 1_000_000


@dataclass
class SupplierInput:
    name: str | None = None
    email: str | None = None  # an empty string clears it on update
    lead_time_days: int | None = None
    minimum_order_quantity: int | None = None
    pack_size: int | None = None
    active: bool | None = None


@dataclass
class SupplierProductInput:
    supplier_id: uuid.UUID | None
    sku: str
    unit_cost: Decimal | str
    currency: str | None = None  # the shop's currency when not given
    supplier_sku: str | None = None  # left as it is when None (an empty string clears it)
    preferred: bool | None = None  # left as it is when None (False for a new product)


def _check(problems: Problems, data: SupplierInput, creating: bool) -> None:
    if creating or data.name is not None:
        data.name = validation.text(problems, data.name, ("name",), 200)
    if data.email is not None and data.email.strip():
        data.email = validation.email(problems, data.email, ("contactEmail",))
    if creating and data.lead_time_days is None:
        problems.add(Code.REQUIRED, "leadTimeDays is required", "leadTimeDays")
    if data.lead_time_days is not None and not 0 <= data.lead_time_days <= MAX_LEAD_TIME_DAYS:
        problems.add(Code.INVALID, f"leadTimeDays must be between 0 and {MAX_LEAD_TIME_DAYS}", "leadTimeDays")
    for name, value in (("minimumOrderQuantity", data.minimum_order_quantity), ("packSize", data.pack_size)):
        if value is not None and not 1 <= value <= MAX_UNITS:
            problems.add(Code.INVALID_QUANTITY, f"{name} must be between 1 and {MAX_UNITS}", name)


async def _flush_unique(tx: Transaction, name: str | None) -> None:
    try:
        await tx.session.flush()
    except IntegrityError as exc:
        raise DomainError(Code.DUPLICATE, f"A supplier named {name!r} exists", ["name"]) from exc


async def create_supplier(uow: UnitOfWork, data: SupplierInput) -> Supplier:
    problems = Problems()
    _check(problems, data, creating=True)
    problems.raise_if_any()
    assert data.name is not None and data.lead_time_days is not None
    async with uow as tx:
        supplier = Supplier(
            tenant_id=tx.tenant_id,
            name=data.name,
            email=data.email or None,
            lead_time_days=data.lead_time_days,
            minimum_order_quantity=data.minimum_order_quantity or 1,
            pack_size=data.pack_size or 1,
            active=True if data.active is None else data.active,
        )
        tx.session.add(supplier)
        await _flush_unique(tx, data.name)
        fields = ["active", "email", "lead_time_days", "minimum_order_quantity", "name", "pack_size"]
        supplier.record(SupplierChanged(supplier.id, fields=fields, created=True))
        await uow.commit()
    return supplier


async def update_supplier(uow: UnitOfWork, supplier_id: uuid.UUID, data: SupplierInput) -> Supplier:
    problems = Problems()
    _check(problems, data, creating=False)
    problems.raise_if_any()
    async with uow as tx:
        supplier = await repository.supplier(tx, supplier_id)
        changed = []
        for name in ("name", "email", "lead_time_days", "minimum_order_quantity", "pack_size", "active"):
            value = getattr(data, name)
            if name == "email" and value is not None:
                value = value or None
            elif value is None:
                continue
            if getattr(supplier, name) != value:
                setattr(supplier, name, value)
                changed.append(name)
        if changed:
            await _flush_unique(tx, supplier.name)
            supplier.record(SupplierChanged(supplier.id, fields=sorted(changed)))
            await uow.commit()
    return supplier


async def set_supplier_product(
    uow: UnitOfWork, data: SupplierProductInput
) -> tuple[Supplier, SupplierProduct]:
    """Adds or changes the price a supplier sells one product at (one row per supplier and product).
    Marking it preferred makes it the one reordering buys from, and the others of the product not."""
    problems = Problems()
    sku = validation.text(problems, data.sku, ("sku",), 64)
    supplier_sku = validation.text(problems, data.supplier_sku, ("supplierSku",), 64, required=False)
    currency = (data.currency or "").strip().upper() or None
    if currency is not None and currency not in CURRENCIES:
        problems.add(Code.INVALID, f"{currency!r} is not an ISO 4217 currency", "currencyCode")
    problems.raise_if_any()
    assert sku is not None  # required: validation.text added a problem when it was missing
    if data.supplier_id is None:
        raise DomainError(Code.NOT_FOUND, "Supplier not found", ["supplierId"])
    async with uow as tx:
        supplier = await repository.supplier(tx, data.supplier_id, "supplierId")
        product = await product_by_sku(tx, sku)
        if product is None:
            raise DomainError(Code.UNKNOWN_SKU, f"No product with SKU {sku!r}", ["sku"])
        if currency is None:
            currency = (await get_tenant(tx)).currency
        try:
            cost = to_minor(data.unit_cost, currency)
        except AmountError as exc:
            raise DomainError(Code.INVALID_AMOUNT, str(exc), ["unitCost"]) from exc
        if cost < 0:
            raise DomainError(Code.INVALID_AMOUNT, "unitCost cannot be negative", ["unitCost"])
        values: dict[str, object] = {"unit_cost": cost, "currency": currency}
        if data.supplier_sku is not None:
            values["supplier_sku"] = supplier_sku
        if data.preferred is not None:
            values["preferred"] = data.preferred
        row = (
            await tx.session.execute(
                insert(SupplierProduct)
                .values(
                    id=uuid.uuid4(),
                    tenant_id=tx.tenant_id,
                    supplier_id=supplier.id,
                    product_id=product.id,
                    **{"supplier_sku": None, "preferred": False, **values},
                )
                .on_conflict_do_update(
                    constraint="uq_supplier_products_supplier_id_product_id",
                    set_={**values, "updated_at": func.now()},
                )
                .returning(SupplierProduct)
                .execution_options(populate_existing=True)
            )
        ).scalar_one()
        if data.preferred:
            await _prefer_only(tx, row)
        tx.record(
            SupplierProductSet(
                supplier.id,
                sku=product.sku,
                supplier_sku=row.supplier_sku,
                unit_cost=money(cost, currency),
                preferred=row.preferred,
            )
        )
        await uow.commit()
    return supplier, row


async def _prefer_only(tx: Transaction, chosen: SupplierProduct) -> None:
    others = await tx.session.execute(
        select(SupplierProduct).where(
            SupplierProduct.tenant_id == tx.tenant_id,
            SupplierProduct.product_id == chosen.product_id,
            SupplierProduct.id != chosen.id,
            SupplierProduct.preferred.is_(True),
        )
    )
    for other in others.scalars():
        other.preferred = False
