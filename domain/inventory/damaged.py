"""What happens to returned units kept apart as damaged: thrown away, or inspected, repaired and put back
on sale. Either way the non-sellable count goes down with a ledger row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from domain import validation
from domain.catalog.models import Product
from domain.errors import Code, DomainError, Problems
from domain.inventory.models import InventoryLevel, MovementKind
from domain.inventory.repository import level_for_update
from domain.inventory.service import MAX_UNITS
from domain.uow import Transaction


class DamagedOutcome(StrEnum):
    DISPOSED = "DISPOSED"  # written off: leaves the building
    RESTOCKED = "RESTOCKED"  # fit to sell after all: back to onHand


@dataclass
class DamagedInput:
    sku: str
    location_id: uuid.UUID | None
    quantity: int
    outcome: DamagedOutcome
    note: str | None = None


def check(data: DamagedInput) -> str | None:
    """The input's own rules; the note, cleaned."""
    problems = Problems()
    if not 0 < data.quantity <= MAX_UNITS:
        problems.add(Code.INVALID_QUANTITY, f"quantity must be between 1 and {MAX_UNITS}", "quantity")
    note = validation.text(problems, data.note, ("note",), 500, required=False)
    problems.raise_if_any()
    return note


async def apply_resolution(
    tx: Transaction, data: DamagedInput, note: str | None
) -> tuple[Product, InventoryLevel]:
    """The level locked, the damaged units disposed of or restocked, with their movement. Restocked units
    may fill backorders: the caller's part (domain/workflows/stock_changes.py)."""
    product, level = await level_for_update(tx, data.sku, data.location_id)
    if data.quantity > level.damaged:
        raise DomainError(
            Code.NEGATIVE_STOCK,
            f"Only {level.damaged} damaged unit(s) of {product.sku} are held here",
            ["quantity"],
        )
    restock = data.outcome == DamagedOutcome.RESTOCKED
    if restock and level.on_hand + data.quantity > MAX_UNITS:
        raise DomainError(Code.INVALID_QUANTITY, f"onHand cannot pass {MAX_UNITS}", ["quantity"])
    tx.session.add(
        level.move(
            MovementKind.RESTOCKED if restock else MovementKind.DISPOSED,
            on_hand_delta=data.quantity if restock else 0,
            damaged_delta=-data.quantity,
            note=note,
            actor=tx.actor,
        )
    )
    return product, level
