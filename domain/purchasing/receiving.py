"""purchaseOrderReceive: units of a submitted purchase order arrive. Each moves from incoming to onHand
with a RECEIVED movement and fills the backorders waiting at its location, the way every receipt does
(domain/fulfillment/backorders.py add_units)."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain import validation
from domain.errors import Code, DomainError, Problems
from domain.fulfillment.backorders import add_units
from domain.ids import to_global
from domain.inventory.models import MovementKind
from domain.inventory.repository import lock_levels
from domain.purchasing import repository
from domain.purchasing.events import PurchaseOrderUnitsReceived
from domain.purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderReceipt
from domain.purchasing.status import RECEIVABLE, PurchaseOrderStatus, after_receipt
from domain.uow import Transaction, UnitOfWork

MAX_LINES = 200


@dataclass
class ReceiptLineInput:
    sku: str
    quantity: int
    location_id: uuid.UUID | None = None  # may be left out when the SKU has one line on the order
    location_given: bool = False  # a locationId was sent (even one that names nothing)


@dataclass
class ReceiptInput:
    purchase_order_id: uuid.UUID | None
    lines: list[ReceiptLineInput]
    idempotency_key: str | None = None
    note: str | None = None


def _fingerprint(data: ReceiptInput) -> str:
    body = {
        "po": str(data.purchase_order_id),
        "lines": sorted((line.sku.strip(), str(line.location_id), line.quantity) for line in data.lines),
        "note": data.note,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _check(data: ReceiptInput) -> None:
    problems = Problems()
    data.idempotency_key = validation.text(
        problems, data.idempotency_key, ("idempotencyKey",), 128, required=False
    )
    data.note = validation.text(problems, data.note, ("note",), 500, required=False)
    if not data.lines:
        problems.add(Code.REQUIRED, "A receipt needs at least one line", "lines")
    if len(data.lines) > MAX_LINES:
        problems.add(Code.TOO_MANY_LINES, f"At most {MAX_LINES} lines per receipt", "lines")
    for i, line in enumerate(data.lines):
        if line.quantity < 1:
            problems.add(Code.INVALID_QUANTITY, "quantity must be at least 1", "lines", i, "quantity")
    problems.raise_if_any()
    if data.purchase_order_id is None:
        raise DomainError(Code.NOT_FOUND, "Purchase order not found", ["id"])


async def receive(uow: UnitOfWork, data: ReceiptInput) -> PurchaseOrder:
    _check(data)
    assert data.purchase_order_id is not None
    fingerprint = _fingerprint(data)
    try:
        async with uow as tx:
            # Receipts of one purchase order queue on its lock: the second sees what the first received.
            po, lines = await repository.lock_purchase_order(tx, data.purchase_order_id)
            if data.idempotency_key and await _repeat(tx, data.idempotency_key, fingerprint):
                return po
            if PurchaseOrderStatus(po.status) not in RECEIVABLE:
                raise DomainError(
                    Code.INVALID_TRANSITION, f"A {po.status} purchase order cannot receive units", ["id"]
                )
            matched = _match(lines, data.lines)
            await _take_in(tx, po, lines, matched, data.note)
            tx.session.add(
                PurchaseOrderReceipt(
                    tenant_id=tx.tenant_id,
                    purchase_order_id=po.id,
                    idempotency_key=data.idempotency_key,
                    request_hash=fingerprint,
                    lines=[{"sku": line.sku, "quantity": q} for line, q in matched],
                )
            )
            await uow.commit()
            return po
    except IntegrityError as exc:
        if "uq_purchase_order_receipts_tenant_id_idempotency_key" not in str(exc.orig):
            raise
    raise DomainError(
        Code.IDEMPOTENCY_KEY_REUSED,
        "This idempotency key was used for a receipt of another purchase order",
        ["idempotencyKey"],
    )


async def _repeat(tx: Transaction, key: str, fingerprint: str) -> bool:
    found = (
        await tx.session.execute(
            select(PurchaseOrderReceipt.request_hash).where(
                PurchaseOrderReceipt.tenant_id == tx.tenant_id, PurchaseOrderReceipt.idempotency_key == key
            )
        )
    ).scalar_one_or_none()
    if found is not None and found != fingerprint:
        raise DomainError(
            Code.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different receipt",
            ["idempotencyKey"],
        )
    return found is not None


def _match(
    lines: list[PurchaseOrderLine], wanted: list[ReceiptLineInput]
) -> list[tuple[PurchaseOrderLine, int]]:
    """Each receipt line's purchase order line; every unknown SKU or location and every quantity
    beyond what the line still expects is its own problem, and then nothing is received."""
    problems = Problems()
    matched: dict[uuid.UUID, tuple[PurchaseOrderLine, int]] = {}
    for i, want in enumerate(wanted):
        sku = want.sku.strip()
        of_sku = [line for line in lines if line.sku == sku]
        if not of_sku:
            problems.add(Code.UNKNOWN_SKU, f"{sku!r} is not on this purchase order", "lines", i, "sku")
            continue
        if want.location_given:
            of_sku = [line for line in of_sku if line.location_id == want.location_id]
            if not of_sku:
                problems.add(
                    Code.NOT_FOUND, f"{sku} is not ordered for this location", "lines", i, "locationId"
                )
                continue
        elif len(of_sku) > 1:
            problems.add(
                Code.REQUIRED, f"{sku} is ordered for several locations: name one", "lines", i, "locationId"
            )
            continue
        line = of_sku[0]
        if line.id in matched:
            problems.add(Code.DUPLICATE, "One receipt line per purchase order line", "lines", i, "sku")
            continue
        if want.quantity > line.outstanding:
            problems.add(
                Code.EXCEEDS_OUTSTANDING,
                f"{sku}: {want.quantity} received, but only {line.outstanding} still expected",
                "lines",
                i,
                "quantity",
            )
            continue
        matched[line.id] = (line, want.quantity)
    problems.raise_if_any()
    return sorted(matched.values(), key=lambda m: (m[0].product_id, m[0].location_id))


async def _take_in(
    tx: Transaction,
    po: PurchaseOrder,
    every: list[PurchaseOrderLine],
    matched: list[tuple[PurchaseOrderLine, int]],
    note: str | None,
) -> None:
    ensure = sorted({(line.product_id, line.location_id) for line, _ in matched})
    levels = await lock_levels(tx, sorted({p for p, _ in ensure}), ensure=ensure)
    memo = f"PO-{po.number}" + (f": {note}" if note else "")
    for line, quantity in matched:
        level = levels[line.product_id, line.location_id]
        line.received += quantity
        level.incoming = max(0, level.incoming - quantity)
        await add_units(tx, level, line.sku, MovementKind.RECEIVED, quantity, memo[:500])
    po.record(
        PurchaseOrderUnitsReceived(
            po.id,
            number=po.number,
            lines=[
                {
                    "sku": line.sku,
                    "locationId": to_global("Location", line.location_id),
                    "quantity": quantity,
                    "received": line.received,
                    "ordered": line.quantity,
                }
                for line, quantity in matched
            ],
        )
    )
    po.move_to(after_receipt(sum(x.quantity for x in every), sum(x.received for x in every)))
