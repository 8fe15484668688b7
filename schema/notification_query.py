"""notificationSettings (ADMIN keys) and notifications(orderId) (ADMIN and STAFF keys)."""

from __future__ import annotations

import strawberry

from domain.pagination import Page
from resolvers import notifications
from schema.connection import Connection, connection, page_request
from schema.types.notifications import Notification, NotificationSettings


@strawberry.type
class NotificationQuery:
    @strawberry.field(description="The shop's customer email sender and templates. ADMIN keys.")
    async def notification_settings(self, info: strawberry.Info) -> NotificationSettings:
        return NotificationSettings.of(await notifications.current(info.context))

    @strawberry.field(
        description="The emails sent (or queued) to an order's customer, oldest first. Emails go out "
        "when an order is confirmed, shipped, delivered or cancelled and when a refund is issued, if the "
        "server has SMTP settings. ADMIN and STAFF keys."
    )
    async def notifications(
        self,
        info: strawberry.Info,
        order_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Notification]:
        page = await notifications.for_order(info.context, order_id, page_request(first, after, None, None))
        return connection(page or NOTHING, Notification.of)


NOTHING = Page(rows=[], cursors=[], has_next=False, has_previous=False)  # an ID that is not an order's
