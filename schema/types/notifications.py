"""Customer emails: the shop's settings and templates, and each email sent about an order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from domain.notifications import templates
from domain.notifications.models import NotificationStatus
from resolvers.ids import to_global
from schema.enums import _enum

NotificationTemplateEnum = strawberry.enum(
    _enum("EmailTemplate", {name: name for name in templates.TEMPLATE_NAMES}),
    name="EmailTemplate",
    description="Which customer email: ORDER_CONFIRMED, ORDER_CANCELLED, ORDER_SHIPPED and "
    "ORDER_DELIVERED follow the order's status; REFUND_ISSUED follows a refund.",
)
NotificationStatusEnum = strawberry.enum(
    NotificationStatus,
    name="NotificationStatus",
    description="PENDING: queued or waiting to retry; SENDING: handed to the mail server; SENT: "
    "accepted by it; FAILED: every retry failed",
)


@strawberry.type(description="The subject and body of one customer email.")
class NotificationTemplate:
    template: NotificationTemplateEnum  # type: ignore[valid-type]
    subject: str
    body: str
    is_default: bool = strawberry.field(description="true while the shop has not changed it")


@strawberry.type(description="How the shop's customer emails look.")
class NotificationSettings:
    sender_name: str | None = strawberry.field(description="Shown as the sender; null: the shop's name")
    templates: list[NotificationTemplate] = strawberry.field(
        description=f"Placeholders: {', '.join('{' + p + '}' for p in templates.PLACEHOLDERS)}"
    )

    @classmethod
    def of(cls, r: Any) -> NotificationSettings:
        custom = (r.templates if r is not None else None) or {}
        return cls(
            sender_name=r.sender_name if r is not None else None,
            templates=[
                NotificationTemplate(
                    template=name,
                    subject=custom.get(name, {}).get("subject") or default.subject,
                    body=custom.get(name, {}).get("body") or default.body,
                    is_default=name not in custom,
                )
                for name, default in templates.DEFAULTS.items()
            ],
        )


@strawberry.type(description="An email to the order's customer.")
class Notification:
    id: strawberry.ID
    template: NotificationTemplateEnum  # type: ignore[valid-type]
    to: str
    subject: str
    status: NotificationStatusEnum  # type: ignore[valid-type]
    attempts: int
    error: str | None = strawberry.field(description="The last failure, if any")
    sent_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, r: Any) -> Notification:
        return cls(
            id=strawberry.ID(to_global("Notification", r.id)),
            template=r.template,
            to=r.recipient,
            subject=r.subject,
            status=NotificationStatus(r.status),
            attempts=r.attempts,
            error=r.error,
            sent_at=r.sent_at,
            created_at=r.created_at,
        )
