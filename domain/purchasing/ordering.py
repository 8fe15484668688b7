"""purchaseOrderCreate: a DRAFT purchase order of lines checked against the catalog and the supplier.
Submitting and cancelling are in submitting.py, receipts in receiving.py."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from domain import validation
from domain.catalog.repository import known_locations, products_by_sku
from domain.errors import Code, DomainError, Problems
from domain.ids import to_global
from domain.money import AmountError, to_minor
from domain.purchasing import repository
from domain.purchasing.events import PurchaseOrderCreated
from domain.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierProduct
from domain.purchasing.rules import is_orderable
from domain.purchasing.status import PurchaseOrderStatus
from domain.uow import Transaction, UnitOfWork

MAX_LINES = 200
MAX_UNITS = 1_000_000


@dataclass
class LineInput:
    sku: str
    location_id: uuid.UUID | None
    quantity: int
    unit_cost: str | None = None  # the supplier's price for the product when not given


@dataclass
class PurchaseOrderInput:
    supplier_id: uuid.UUID | None
    lines: list[LineInput] = field(default_factory=list)
    note: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Planned:
    """A line ready to write: checked against the catalog and the supplier's prices."""

    product_id: uuid.UUID
    sku: str
    location_id: uuid.UUID
    quantity: int
    unit_cost: int
    currency: str


@dataclass(frozen=True)
class Created:
    purchase_order: PurchaseOrder
    created: bool  # False when a repeat of the idempotency key returned the first one


def request_hash(data: PurchaseOrderInput) -> str:
    body = asdict(data)
    body.pop("idempotency_key")
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _check(data: PurchaseOrderInput) -> None:
    problems = Problems()
    data.note = validation.text(problems, data.note, ("note",), 500, required=False)
    data.idempotency_key = validation.text(
        problems, data.idempotency_key, ("idempotencyKey",), 128, required=False
    )
    if not data.lines:
        problems.add(Code.EMPTY_ORDER, "A purchase order needs at least one line", "lines")
    if len(data.lines) > MAX_LINES:
        problems.add(Code.TOO_MANY_LINES, f"At most {MAX_LINES} lines per purchase order", "lines")
    seen: set[tuple[str, uuid.UUID | None]] = set()
    for i, line in enumerate(data.lines[:MAX_LINES]):
        line.sku = line.sku.strip()
        if not 1 <= line.quantity <= MAX_UNITS:
            problems.add(
                Code.INVALID_QUANTITY, f"quantity must be between 1 and {MAX_UNITS}", "lines", i, "quantity"
            )
        if line.location_id is None:
            problems.add(Code.NOT_FOUND, "Location not found", "lines", i, "locationId")
        if (line.sku, line.location_id) in seen:
            problems.add(Code.DUPLICATE, "One line per SKU and location", "lines", i, "sku")
        seen.add((line.sku, line.location_id))
    problems.raise_if_any()


async def create_purchase_order(uow: UnitOfWork, data: PurchaseOrderInput) -> Created:
    _check(data)
    fingerprint = request_hash(data)
    try:
        async with uow as tx:
            if data.idempotency_key:
                await _queue(tx, data.idempotency_key)
                existing = await _repeat(tx, data.idempotency_key, fingerprint)
                if existing is not None:
                    return Created(existing, created=False)
            if data.supplier_id is None:
                raise DomainError(Code.NOT_FOUND, "Supplier not found", ["supplierId"])
            supplier = await repository.supplier(tx, data.supplier_id, "supplierId")
            planned = await plan_lines(tx, supplier, data.lines)
            po = await write(tx, supplier, planned, data.note, data.idempotency_key, fingerprint)
            await uow.commit()
            return Created(po, created=True)
    except IntegrityError as exc:
        if "uq_purchase_orders_tenant_id_idempotency_key" not in str(exc.orig):
            raise
    raise DomainError(Code.DUPLICATE, "A concurrent request conflicted; retry", ["idempotencyKey"])


async def _queue(tx: Transaction, key: str) -> None:
    """Requests with the same key wait here for each other until commit, so a retry racing its
    original finds the original's purchase order."""
    name = f"{tx.tenant_id}:purchase-order:{key}"
    await tx.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name})


async def _repeat(tx: Transaction, key: str, fingerprint: str) -> PurchaseOrder | None:
    found = (
        await tx.session.execute(
            select(PurchaseOrder).where(
                PurchaseOrder.tenant_id == tx.tenant_id, PurchaseOrder.idempotency_key == key
            )
        )
    ).scalar_one_or_none()
    if found is not None and found.request_hash != fingerprint:
        raise DomainError(
            Code.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different purchase order request",
            ["idempotencyKey"],
        )
    return found


async def plan_lines(tx: Transaction, supplier: Supplier, lines: list[LineInput]) -> list[Planned]:
    """Each line checked: a known SKU the supplier sells, a location of the shop, a quantity the
    supplier takes (its minimum, whole packs), and one currency for the whole order."""
    skus = sorted({line.sku for line in lines})
    products = await products_by_sku(tx, skus)
    location_ids = {line.location_id for line in lines if line.location_id}
    locations = await known_locations(tx, location_ids)
    prices = {
        sp.product_id: sp
        for sp in (
            await tx.session.execute(
                select(SupplierProduct).where(
                    SupplierProduct.tenant_id == tx.tenant_id, SupplierProduct.supplier_id == supplier.id
                )
            )
        ).scalars()
    }
    problems = Problems()
    planned: list[Planned] = []
    for i, line in enumerate(lines):
        product = products.get(line.sku)
        if product is None:
            problems.add(Code.UNKNOWN_SKU, f"No product with SKU {line.sku!r}", "lines", i, "sku")
        if line.location_id not in locations:
            problems.add(Code.NOT_FOUND, "Location not found", "lines", i, "locationId")
        price = prices.get(product.id) if product else None
        if product is not None and price is None:
            problems.add(Code.NOT_SUPPLIED, f"{supplier.name} has no price for {line.sku}", "lines", i, "sku")
        _check_quantity(problems, supplier, line.quantity, i)
        if product is None or price is None or line.location_id is None:
            continue
        cost = price.unit_cost
        if line.unit_cost is not None:
            try:
                cost = to_minor(line.unit_cost, price.currency)
            except AmountError as exc:
                problems.add(Code.INVALID_AMOUNT, str(exc), "lines", i, "unitCost")
        if planned and price.currency != planned[0].currency:
            problems.add(
                Code.CURRENCY_MISMATCH,
                f"{line.sku} is priced in {price.currency}, the order in {planned[0].currency}",
                "lines",
                i,
                "sku",
            )
        planned.append(
            Planned(product.id, product.sku, line.location_id, line.quantity, max(cost, 0), price.currency)
        )
    problems.raise_if_any()
    return planned


def _check_quantity(problems: Problems, supplier: Supplier, quantity: int, i: int) -> None:
    if quantity < 1 or is_orderable(quantity, supplier.minimum_order_quantity, supplier.pack_size):
        return
    if quantity < supplier.minimum_order_quantity:
        problems.add(
            Code.BELOW_MINIMUM_ORDER,
            f"{supplier.name} sells at least {supplier.minimum_order_quantity} units",
            "lines",
            i,
            "quantity",
        )
    else:
        problems.add(
            Code.NOT_A_PACK_MULTIPLE,
            f"{supplier.name} sells packs of {supplier.pack_size}",
            "lines",
            i,
            "quantity",
        )


async def write(
    tx: Transaction,
    supplier: Supplier,
    planned: list[Planned],
    note: str | None,
    key: str | None = None,
    fingerprint: str | None = None,
    automatic: bool = False,
) -> PurchaseOrder:
    """A DRAFT purchase order of checked lines, numbered, with its PURCHASE_ORDER_CREATED event."""
    po = PurchaseOrder(
        id=uuid.uuid4(),
        tenant_id=tx.tenant_id,
        number=await repository.next_number(tx),
        supplier_id=supplier.id,
        status=PurchaseOrderStatus.DRAFT,
        currency=planned[0].currency,
        note=note,
        automatic=automatic,
        idempotency_key=key,
        request_hash=fingerprint,
    )
    tx.session.add(po)
    for p in planned:
        tx.session.add(
            PurchaseOrderLine(
                tenant_id=tx.tenant_id,
                purchase_order_id=po.id,
                product_id=p.product_id,
                sku=p.sku,
                location_id=p.location_id,
                quantity=p.quantity,
                received=0,
                unit_cost=p.unit_cost,
            )
        )
    lines = [
        {"sku": p.sku, "locationId": to_global("Location", p.location_id), "quantity": p.quantity}
        for p in planned
    ]
    po.record(
        PurchaseOrderCreated(
            po.id, number=po.number, supplier_name=supplier.name, lines=lines, automatic=automatic
        )
    )
    await tx.session.flush()
    return po
