"""Webhook endpoints and what was sent to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from domain.webhooks.models import DeliveryStatus
from resolvers.ids import to_global
from schema.enums import EventTypeEnum
from schema.node import Node

WebhookDeliveryStatus = strawberry.enum(
    DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING: waiting for its next attempt; SUCCEEDED: a 2xx answer; FAILED: 410 Gone or "
    "every retry failed (the endpoint is then disabled); CANCELLED: the endpoint was disabled first.",
)


@strawberry.type(description="Where a shop's events are POSTed, signed per the Standard Webhooks spec.")
class WebhookEndpoint(Node):
    id: strawberry.ID
    url: str
    event_types: list[EventTypeEnum] = strawberry.field(description="Empty: every type")
    active: bool
    disabled_reason: str | None = strawberry.field(
        description="Why Baton disabled it (410 Gone, or every retry failed); set active to resume"
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: Any) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(to_global("WebhookEndpoint", r.id)),
            url=r.url,
            event_types=list(r.event_types),
            active=r.active,
            disabled_reason=r.disabled_reason,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


@strawberry.type(description="One try at delivering an event.")
class WebhookAttempt:
    attempt: int = strawberry.field(description="1 for the first try")
    status_code: int | None = strawberry.field(description="The HTTP status answered; null if none")
    error: str | None = strawberry.field(description="Why there was no answer (timeout, refused …)")
    latency_ms: int
    attempted_at: datetime
    next_retry_at: datetime | None = strawberry.field(description="When the next try is due, if any")

    @classmethod
    def of(cls, r: Any) -> WebhookAttempt:
        return cls(
            attempt=r.attempt,
            status_code=r.status_code,
            error=r.error,
            latency_ms=r.latency_ms,
            attempted_at=r.attempted_at,
            next_retry_at=r.next_retry_at,
        )


@strawberry.type(description="One event sent (or to be sent) to one endpoint, with every attempt.")
class WebhookDelivery:
    id: strawberry.ID
    event_id: strawberry.ID = strawberry.field(description="Also the webhook-id header: dedupe on it")
    event_type: EventTypeEnum
    event_position: str
    status: WebhookDeliveryStatus  # type: ignore[valid-type]
    attempt_count: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    created_at: datetime
    attempts: list[WebhookAttempt]

    @classmethod
    def of(cls, r: Any, attempts: list[Any]) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(to_global("WebhookDelivery", r.id)),
            event_id=strawberry.ID(to_global("Event", r.event_id)),
            event_type=r.event_type,
            event_position=str(r.event_position),
            status=DeliveryStatus(r.status),
            attempt_count=r.attempts,
            next_attempt_at=r.next_attempt_at if r.status == DeliveryStatus.PENDING else None,
            last_status_code=r.last_status_code,
            created_at=r.created_at,
            attempts=[WebhookAttempt.of(a) for a in attempts],
        )
