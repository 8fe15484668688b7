"""Choosing where each order line's stock comes from. Pure: no I/O, unit-tested on its own."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from domain.errors import Code, DomainError, Rejected


@dataclass(frozen=True)
class Need:
    index: int  # the line's position in the request
    product_id: uuid.UUID
    quantity: int
    allow_backorder: bool


@dataclass(frozen=True)
class Allocation:
    index: int
    location_id: uuid.UUID
    quantity: int
    backordered: bool = False  # sold without stock: waits at location_id for a receipt


@dataclass(frozen=True)
class Shortage:
    index: int
    requested: int
    available: int


@dataclass(frozen=True)
class Plan:
    allocations: list[Allocation]
    shortages: list[Shortage]


Stock = dict[tuple[uuid.UUID, uuid.UUID], int]  # (product, location) -> sellable units


def refuse_if_short(plan: Plan) -> None:
    """INSUFFICIENT_STOCK for each line the plan could not cover, all at once; nothing when none."""
    if plan.shortages:
        raise Rejected(
            [
                DomainError(
                    Code.INSUFFICIENT_STOCK,
                    f"Only {s.available} of {s.requested} units are available",
                    ["lines", str(s.index), "quantity"],
                )
                for s in plan.shortages
            ]
        )


def allocate(needs: list[Need], locations: list[uuid.UUID], stock: Stock) -> Plan:
    """Reserve from one location when one can ship everything (the first by priority);
    otherwise take each line from locations in priority order. A line of a product that allows
    backorders takes what it can and leaves the rest backordered at its first location."""
    single = _single_location(needs, locations, stock)
    if single is not None:
        return Plan([Allocation(n.index, single, n.quantity) for n in needs], [])
    left = {key: max(0, units) for key, units in stock.items()}
    allocations: list[Allocation] = []
    shortages: list[Shortage] = []
    for need in needs:
        remaining = need.quantity
        taken: list[Allocation] = []
        for location in locations:
            units = min(remaining, left.get((need.product_id, location), 0))
            if units > 0:
                taken.append(Allocation(need.index, location, units))
                left[need.product_id, location] -= units
                remaining -= units
            if remaining == 0:
                break
        if remaining and need.allow_backorder and locations:
            home = _home(need.product_id, locations, stock)
            taken.append(Allocation(need.index, home, remaining, backordered=True))
            remaining = 0
        if remaining:
            shortages.append(Shortage(need.index, need.quantity, need.quantity - remaining))
        allocations.extend(taken)
    return Plan(_merge(allocations) if not shortages else [], shortages)


def _single_location(needs: list[Need], locations: list[uuid.UUID], stock: Stock) -> uuid.UUID | None:
    wanted: dict[uuid.UUID, int] = defaultdict(int)
    for need in needs:
        wanted[need.product_id] += need.quantity
    for location in locations:
        if all(stock.get((p, location), 0) >= q for p, q in wanted.items()):
            return location
    return None


def _home(product_id: uuid.UUID, locations: list[uuid.UUID], stock: Stock) -> uuid.UUID:
    """Where a backorder waits: the first location that stocks the product, else the first one."""
    return next((loc for loc in locations if (product_id, loc) in stock), locations[0])


def _merge(allocations: list[Allocation]) -> list[Allocation]:
    merged: dict[tuple[int, uuid.UUID, bool], int] = defaultdict(int)
    for a in allocations:
        merged[a.index, a.location_id, a.backordered] += a.quantity
    return [Allocation(i, loc, q, backordered) for (i, loc, backordered), q in merged.items()]
