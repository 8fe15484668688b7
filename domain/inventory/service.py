"""Stock steps, each on an open unit of work: setting and adjusting a level, reserving and releasing (the
levels locked by domain/inventory/repository.py). The use cases around the first two are workflows
(domain/workflows/stock_changes.py): units that become sellable go to the backorders waiting for them
first (fulfillment, above inventory)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.catalog.models import Product
from domain.catalog.repository import active_locations
from domain.errors import Code, DomainError, Problems
from domain.inventory import adjusting
from domain.inventory.adjusting import MAX_UNITS, AdjustInput
from domain.inventory.allocation import Allocation, Need, allocate, refuse_if_short
from domain.inventory.models import (
    DECREASES,
    INCREASES,
    InventoryLevel,
    MovementKind,
)
from domain.inventory.repository import level_for_update, lock_levels
from domain.uow import Transaction

__all__ = ["MAX_UNITS", "AdjustInput", "SetInput"]


@dataclass
class SetInput:
    sku: str
    location_id: uuid.UUID | None
    on_hand: int
    compare_on_hand: int | None = None
    safety_stock: int | None = None
    reorder_point: int | None = None
    incoming: int | None = None
    bin_code: str | None = None  # an empty string clears it


def check_set(data: SetInput) -> None:
    problems = Problems()
    for name, value in (
        ("onHand", data.on_hand),
        ("safetyStock", data.safety_stock),
        ("reorderPoint", data.reorder_point),
        ("incoming", data.incoming),
    ):
        if value is not None and not 0 <= value <= MAX_UNITS:
            problems.add(Code.INVALID_QUANTITY, f"{name} must be between 0 and {MAX_UNITS}", name)
    if data.bin_code is not None and len(data.bin_code.strip()) > 32:
        problems.add(Code.TOO_LONG, "binCode is at most 32 characters", "binCode")
    problems.raise_if_any()


async def apply_set(tx: Transaction, data: SetInput) -> tuple[Product, InventoryLevel, bool]:
    """Sets the level (locked here) with its movement. True when units may have become sellable (more on
    hand, or a safety stock changed): the caller fills the backorders waiting there."""
    product, level = await level_for_update(tx, data.sku, data.location_id)
    if data.compare_on_hand is not None and level.on_hand != data.compare_on_hand:
        raise DomainError(
            Code.COMPARE_FAILED,
            f"onHand is {level.on_hand}, not the expected {data.compare_on_hand}; nothing changed",
            ["compareOnHand"],
        )
    for name in ("safety_stock", "reorder_point", "incoming"):
        if getattr(data, name) is not None:
            setattr(level, name, getattr(data, name))
    if data.bin_code is not None:
        level.bin_code = data.bin_code.strip() or None
    delta = data.on_hand - level.on_hand
    if delta or tx.session.is_modified(level):
        tx.session.add(level.move(MovementKind.SET, on_hand_delta=delta, actor=tx.actor))
    return product, level, delta > 0 or data.safety_stock is not None


def check_adjust(data: AdjustInput) -> None:
    if data.delta == 0 or abs(data.delta) > MAX_UNITS:
        raise DomainError(Code.INVALID_QUANTITY, "delta must be a non-zero number of units", ["delta"])
    if (data.reason in INCREASES and data.delta < 0) or (data.reason in DECREASES and data.delta > 0):
        direction = "add" if data.reason in INCREASES else "remove"
        raise DomainError(
            Code.INVALID_QUANTITY,
            f"{data.reason} can only {direction} units",
            ["delta"],
        )


async def apply_adjustment(tx: Transaction, data: AdjustInput) -> tuple[Product, InventoryLevel]:
    """The adjustment on the ORM session, for what the lean path (adjusting.py) leaves: the level locked
    (created where it never was), checked, and its movement. Units added may fill backorders: the
    caller's part."""
    product, level = await level_for_update(tx, data.sku, data.location_id)
    adjusting.check_adjustment(level.on_hand, data.delta)
    kind, note = MovementKind(data.reason.value), (data.note or "").strip()[:500] or None
    tx.session.add(level.move(kind, on_hand_delta=data.delta, note=note, actor=tx.actor))
    return product, level


async def reserve(tx: Transaction, order_id: uuid.UUID, needs: list[Need]) -> list[Allocation]:
    """Reserves every line or none. Each short line becomes its own INSUFFICIENT_STOCK problem.
    Backordered units are promised without being committed: a receipt at their location fills them."""
    locations = await active_locations(tx)
    if not locations:
        raise DomainError(Code.NO_LOCATION, "There is no active location to ship from", ["lines"])
    product_ids = sorted({n.product_id for n in needs})
    levels = await lock_levels(tx, product_ids)
    active = set(locations)
    stock = {key: lv.sellable for key, lv in levels.items() if key[1] in active}
    plan = allocate(needs, locations, stock)
    refuse_if_short(plan)
    by_index = {n.index: n for n in needs}
    missing = sorted({(by_index[a.index].product_id, a.location_id) for a in plan.allocations} - set(levels))
    if missing:  # backorders waiting at a location that never stocked the product
        levels = await lock_levels(tx, product_ids, ensure=missing)
    reserved = [a for a in plan.allocations if not a.backordered]
    for a in sorted(reserved, key=lambda a: (by_index[a.index].product_id, a.location_id)):
        level = levels[by_index[a.index].product_id, a.location_id]
        tx.session.add(
            level.move(
                MovementKind.RESERVED,
                committed_delta=a.quantity,
                order_id=order_id,
                actor=tx.actor,
            )
        )
    return plan.allocations


async def release(
    tx: Transaction,
    order_id: uuid.UUID,
    held: list[tuple[uuid.UUID, uuid.UUID, int]],
    levels: dict[tuple[uuid.UUID, uuid.UUID], InventoryLevel],
) -> None:
    """Gives back reserved units, (product, location, quantity) triples, at levels the caller locked."""
    for product_id, location_id, quantity in sorted(held):
        level = levels[product_id, location_id]
        tx.session.add(
            level.move(
                MovementKind.RELEASED,
                committed_delta=-quantity,
                order_id=order_id,
                actor=tx.actor,
            )
        )
