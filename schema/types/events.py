"""The event log as the API shows it: events, and the stock changes followed by inventoryChanged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from domain.inventory.models import available
from resolvers.ids import to_global
from resolvers.privacy import without_contact
from schema.enums import EventTypeEnum
from schema.node import Node


@strawberry.type(description="Something that happened in the shop: one entry of the tenant's event log.")
class Event(Node):
    id: strawberry.ID = strawberry.field(description="Stable: use it to drop an event seen twice")
    type: EventTypeEnum
    position: str = strawberry.field(
        description="Where the event stands in the shop's log: consecutive, never reused. It is the "
        "cursor to resume from (eventsFeed(after:), events(after:)); a decimal string, as it may "
        "outgrow a GraphQL Int."
    )
    aggregate_type: str = strawberry.field(description='The kind of object it happened to, e.g. "Order"')
    aggregate_id: strawberry.ID = strawberry.field(description="The global ID of that object")
    aggregate_sequence: int = strawberry.field(
        description="1 for the object's first event, then 2, 3 …: shows whether one was missed"
    )
    occurred_at: datetime
    actor: str | None = strawberry.field(description="The API key (or process) that caused it")
    payload: JSON = strawberry.field(description="The event's fields, with global IDs and Money amounts")

    @classmethod
    def of(cls, r: Any, redact: bool = False) -> Event:
        """`redact` leaves emails and phone numbers out of the payload (keys without customers:read)."""
        return cls(
            id=strawberry.ID(to_global("Event", r.id)),
            type=r.type,
            position=str(r.position),
            aggregate_type=r.aggregate_type,
            aggregate_id=strawberry.ID(to_global(r.aggregate_type, r.aggregate_id)),
            aggregate_sequence=r.aggregate_seq,
            occurred_at=r.occurred_at,
            actor=r.actor,
            payload=without_contact(r.payload) if redact else r.payload,
        )


@strawberry.type(description="Stock of one SKU at one location changed.")
class InventoryChange:
    sku: str
    location_id: strawberry.ID
    on_hand: int = strawberry.field(description="Units physically at the location")
    committed: int = strawberry.field(description="Units reserved by open orders")
    available: int = strawberry.field(description="onHand - committed - safetyStock")
    on_hand_delta: int
    committed_delta: int
    reason: str = strawberry.field(description="The ledger movement kind, e.g. RESERVED or RECEIVED")
    position: str = strawberry.field(description="The event's position in the shop's log")
    occurred_at: datetime

    @classmethod
    def of(cls, sku: str, allow_backorder: bool, r: Any) -> InventoryChange:
        p = r.payload
        return cls(
            sku=sku,
            location_id=strawberry.ID(p["locationId"]),
            on_hand=p["onHand"],
            committed=p["committed"],
            available=available(p["available"], allow_backorder),  # the event records the sellable units
            on_hand_delta=p["onHandDelta"],
            committed_delta=p["committedDelta"],
            reason=p["kind"],
            position=str(r.position),
            occurred_at=r.occurred_at,
        )
