"""Shipping use cases: hand units to a carrier, and record what the carrier reports."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from asyncpg import UniqueViolationError
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from domain import validation
from domain.db import new_id, utcnow
from domain.errors import Code, DomainError, Problems
from domain.fulfillment import repository as repo
from domain.fulfillment.picking import LinePick, check_stock, pick_lines
from domain.fulfillment.repository import Locked
from domain.fulfillment.status import DONE, FulfillmentOrderStatus
from domain.inventory.models import MovementKind
from domain.orders.models import OrderAllocation
from domain.orders.status import AllocationStatus, OrderStatus
from domain.reading import Row
from domain.shipping.carriers import Carrier, carrier_for
from domain.shipping.events import ShipmentCreated
from domain.shipping.models import CarrierAccount, Shipment
from domain.shipping.rows import SHIPMENTS_UNIQUE, Movement, NewShipmentLine, write_shipment
from domain.shipping.status import TrackingStatus
from domain.uow import Transaction, UnitOfWork

SHIPPABLE_ORDERS = (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED)


@dataclass
class ShipmentInput:
    fulfillment_order_id: uuid.UUID
    carrier: str
    tracking_number: str
    lines: list[LinePick] | None = None  # None ships everything reserved and not yet shipped
    service: str | None = None
    tracking_url: str | None = None


def _check(data: ShipmentInput) -> None:
    """Cleans the input in place; every problem is reported."""
    problems = Problems()
    if carrier_for(data.carrier) is None:
        problems.add(Code.UNKNOWN_CARRIER, f"No carrier with code {data.carrier[:40]!r}", "carrier")
    number = data.tracking_number.strip()
    if not number or len(number) > 64 or not number.isprintable():
        problems.add(Code.INVALID, "trackingNumber must be 1 to 64 printable characters", "trackingNumber")
    data.service = validation.text(problems, data.service, ("service",), 64, required=False)
    url = data.tracking_url
    if url is not None and (
        len(url) > 500 or not url.isprintable() or not url.startswith(("https://", "http://"))
    ):
        problems.add(
            Code.INVALID, "trackingUrl must be an http(s) URL of at most 500 characters", "trackingUrl"
        )
    problems.raise_if_any()


@dataclass(frozen=True)
class Shipped:
    shipment: Shipment
    lines: list[Row]  # as the lines_by_shipment loader reads them, so a caller can hand them to it


async def create_shipment(uow: UnitOfWork, data: ShipmentInput) -> Shipment:
    """Ships units of one fulfillment order: they leave onHand and committed (SHIPPED movements),
    and the order becomes PARTIALLY_SHIPPED or SHIPPED. Pickers racing on the same fulfillment
    order queue on its order's lock, so the second sees what the first shipped."""
    return (await ship(uow, data)).shipment


async def ship(uow: UnitOfWork, data: ShipmentInput) -> Shipped:
    """create_shipment, with the lines it wrote. On a lean unit of work: three locking reads, one write
    (domain/shipping/rows.py), the events and commit."""
    _check(data)
    carrier = carrier_for(data.carrier)
    assert carrier is not None
    with uow.leanly():
        return await _ship(uow, data, carrier)


async def _ship(uow: UnitOfWork, data: ShipmentInput, carrier: Carrier) -> Shipped:
    number = data.tracking_number.strip()
    async with uow as tx:
        locked = await repo.lock_fulfillment_lean(tx, data.fulfillment_order_id, field="fulfillmentOrderId")
        order, fo = locked.order, locked.fo
        if order.status == OrderStatus.PENDING:
            raise DomainError(
                Code.ORDER_NOT_CONFIRMED, "Confirm the order before shipping it", ["fulfillmentOrderId"]
            )
        if order.status not in SHIPPABLE_ORDERS or fo.status in DONE:
            raise DomainError(
                Code.INVALID_TRANSITION,
                f"Nothing ships from a {fo.status} fulfillment order of a {order.status} order",
                ["fulfillmentOrderId"],
            )
        if fo.status == FulfillmentOrderStatus.ON_HOLD:
            raise DomainError(
                Code.FULFILLMENT_ON_HOLD, "The fulfillment order is on hold", ["fulfillmentOrderId"]
            )
        _refuse_backordered(locked.allocations, data.lines)
        reserved = [a for a in locked.allocations if a.status == AllocationStatus.RESERVED]
        picked = pick_lines(reserved, data.lines, "lines")
        if not picked:
            raise DomainError(
                Code.NOTHING_TO_SHIP, "Everything here has shipped already", ["fulfillmentOrderId"]
            )
        # Reserved units can be gone: damaged or lost after they were promised (onHand below committed).
        check_stock(
            picked,
            lambda product: locked.levels[product, fo.location_id].on_hand,
            lambda units, _: f"Only {units} unit(s) are on hand here: count or adjust the stock first",
        )
        now = utcnow()
        shipment = Shipment(
            id=uuid.uuid4(),
            tenant_id=tx.tenant_id,
            order_id=order.id,
            fulfillment_order_id=fo.id,
            location_id=fo.location_id,
            carrier=carrier.code,
            service=data.service,
            tracking_number=number,
            tracking_url=data.tracking_url or carrier.tracking_url(number),
            status=TrackingStatus.LABEL_CREATED,
            status_at=None,
            delivered_at=None,
            created_at=now,
            updated_at=now,
        )
        skus = locked.skus
        movements = _movements(tx, locked, picked, order.id)
        new_lines = [
            NewShipmentLine(a.id, a.line_id, skus[a.line_id], quantity, new_id()) for a, quantity in picked
        ]
        left = {a.id: a.unshipped for a in locked.allocations}
        for a, quantity in picked:
            left[a.id] -= quantity
        fo_before = fo.status
        fo.shipped(everything=all(units == 0 for units in left.values()))
        before = (order.status, order.fulfillment_status, order.shipped_at)
        order.shipped(locked.units_shipped + sum(quantity for _, quantity in picked), locked.units_ordered)
        # What the ORM's flush set: the order's version it counts and both update times.
        fo_changed = fo.status != fo_before
        order_changed = (order.status, order.fulfillment_status, order.shipped_at) != before
        if fo_changed:
            fo.updated_at = now
        if order_changed:
            order.version += 1
            order.updated_at = now
        tx.adopt(fo, order)
        try:  # the unique key decides, so two shipments racing for one number cannot both pass
            lines = await write_shipment(
                tx,
                shipment,
                movements,
                new_lines,
                now,
                fo if fo_changed else None,
                order if order_changed else None,
            )
        except UniqueViolationError as exc:
            if exc.constraint_name != SHIPMENTS_UNIQUE:
                raise
            raise DomainError(
                Code.DUPLICATE, f"Tracking number {number} is already on a shipment", ["trackingNumber"]
            ) from exc
        tx.record(
            ShipmentCreated(
                shipment.id,
                order_id=order.id,
                fulfillment_order_id=fo.id,
                location_id=fo.location_id,
                carrier=carrier.code,
                service=shipment.service,
                tracking_number=number,
                tracking_url=shipment.tracking_url,
                lines=[{"sku": skus[a.line_id], "quantity": q} for a, q in picked],
            )
        )
        await uow.commit()
    return Shipped(shipment, lines)


def _movements(
    tx: Transaction, locked: Locked, picked: list[tuple[OrderAllocation, int]], order_id: uuid.UUID
) -> list[Movement]:
    """Each pick's units leaving its level (picks at one level in turn), with the balances after it and
    its INVENTORY_LEVEL_CHANGED event: InventoryLevel.move on the locked levels, which are in no session
    (the shipment's statement writes them)."""
    movements = []
    for a, quantity in picked:
        level = locked.levels[a.product_id, a.location_id]
        level.move(MovementKind.SHIPPED, -quantity, -quantity, order_id=order_id, actor=tx.actor)
        movements.append(
            Movement(
                level.id,
                level.product_id,
                level.location_id,
                quantity,
                level.on_hand,
                level.committed,
                level.damaged,
            )
        )
    tx.adopt(*locked.levels.values())
    return movements


def _refuse_backordered(allocations: list[OrderAllocation], lines: list[LinePick] | None) -> None:
    waiting = {a.id for a in allocations if a.status == AllocationStatus.BACKORDERED}
    problems = Problems()
    for i, line in enumerate(lines or []):
        if line.allocation_id in waiting:
            problems.add(
                Code.INSUFFICIENT_STOCK, "These units are backordered: no stock yet", "lines", i, "id"
            )
    problems.raise_if_any()


async def create_carrier_secret(uow: UnitOfWork, carrier: str) -> str:
    """A new signing secret for this carrier's webhooks; it replaces the old one at once."""
    adapter = carrier_for(carrier)
    if adapter is None:
        raise DomainError(Code.UNKNOWN_CARRIER, f"No carrier with code {carrier!r}", ["carrier"])
    secret = "cs_" + secrets.token_urlsafe(32)
    async with uow as tx:
        stmt = insert(CarrierAccount).values(
            id=uuid.uuid4(), tenant_id=tx.tenant_id, carrier=adapter.code, secret=secret
        )
        await tx.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[CarrierAccount.tenant_id, CarrierAccount.carrier],
                set_={"secret": stmt.excluded.secret, "updated_at": func.now()},
            )
        )
        await uow.commit()
    return secret
