"""Domain events: past-tense facts recorded by aggregates and written to the outbox by the unit of work."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True)
class Event:
    type: ClassVar[str]
    aggregate_type: ClassVar[str]
    aggregate_id: uuid.UUID

    def payload(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.pop("aggregate_id")
        return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in data.items()}

    def message(self) -> str:
        return self.type.replace("_", " ").capitalize()

    def timeline_subject(self) -> uuid.UUID | None:
        """The order whose timeline shows this event; None keeps it off every timeline."""
        return self.aggregate_id if self.aggregate_type == "Order" else None


class EventSource:
    """Mixin for aggregates: events recorded here are collected by the unit of work at commit."""

    def record(self, event: Event) -> None:
        self.__dict__.setdefault("_pending_events", []).append(event)

    def take_events(self) -> list[Event]:
        return self.__dict__.pop("_pending_events", [])
