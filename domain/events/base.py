"""Domain events: past-tense facts recorded by aggregates and written to the outbox by the unit of work."""

from __future__ import annotations

import copy
import dataclasses
import functools
import itertools
import uuid
from typing import Any, ClassVar

from domain.ids import to_global
from domain.money import to_decimal


@dataclasses.dataclass(frozen=True)
class Event:
    type: ClassVar[str]
    aggregate_type: ClassVar[str]
    aggregate_id: uuid.UUID
    # For an event whose `fields` lists the attributes that changed, by the aggregate's own names: set
    # (even empty) to spell them in the payload as the API does, camelCase, or as given here where the
    # API calls an attribute otherwise.
    renamed_fields: ClassVar[dict[str, str] | None] = None

    def payload(self) -> dict[str, Any]:
        """The event's fields as the API spells them: camelCase keys, global IDs."""
        found = {
            _camel(f.name): _public(f.name, _plain(getattr(self, f.name)))
            for f in dataclasses.fields(self)
            if f.name != "aggregate_id"
        }
        if self.renamed_fields is not None:
            found["fields"] = self.api_fields()
        return found

    def api_fields(self) -> list[str]:
        """The `fields` of a change event as the API names them (see renamed_fields)."""
        renamed = self.renamed_fields or {}
        return [renamed.get(name) or _camel(name) for name in getattr(self, "fields", [])]

    def message(self) -> str:
        return self.type.replace("_", " ").capitalize()

    def timeline_subject(self) -> uuid.UUID | None:
        """The order whose timeline shows this event; None keeps it off every timeline."""
        return self.aggregate_id if self.aggregate_type == "Order" else None


# Fields that name another object, by the object's API type.
ID_FIELDS = {
    "product_id": "Product",
    "location_id": "Location",
    "from_location_id": "Location",
    "to_location_id": "Location",
    "order_id": "Order",
    "moved_to_id": "FulfillmentOrder",
    "fulfillment_order_id": "FulfillmentOrder",
    "shipment_id": "Shipment",
    "return_id": "Return",
    "refund_id": "Refund",
    "exchange_order_id": "Order",
    "edit_id": "OrderEdit",
}


def _plain(value: Any) -> Any:
    """What dataclasses.asdict makes of a field (nested dataclasses as dicts, containers copied), at a
    fraction of its cost: it deep-copies every leaf, and every order writes several events."""
    if isinstance(value, str | int | float | bool | uuid.UUID) or value is None:
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return type(value)(_plain(v) for v in value) if not hasattr(value, "_fields") else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return copy.deepcopy(value)


@functools.cache
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _public(name: str, value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return to_global(ID_FIELDS[name], value) if name in ID_FIELDS else str(value)
    return value


def money(minor: int, currency: str) -> dict[str, str]:
    """Money in an event payload, as the API shows it."""
    return {"amount": str(to_decimal(minor, currency)), "currencyCode": currency}


# Numbers every recorded event, so a unit of work writes the events of several aggregates in the
# order they happened rather than in the order it happens to find the aggregates.
_recorded = itertools.count()


def numbered(event: Event) -> tuple[int, Event]:
    return next(_recorded), event


class EventSource:
    """Mixin for aggregates: events recorded here are collected by the unit of work at commit."""

    def record(self, event: Event) -> None:
        self.__dict__.setdefault("_pending_events", []).append(numbered(event))

    def take_numbered(self) -> list[tuple[int, Event]]:
        return self.__dict__.pop("_pending_events", [])

    def take_events(self) -> list[Event]:
        return [e for _, e in self.take_numbered()]
