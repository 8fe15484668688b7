"""webhookEndpoints and webhookDeliveries: ADMIN keys only."""

from __future__ import annotations

import strawberry

from resolvers import webhooks
from schema.connection import Connection, connection, page_request
from schema.types.webhooks import WebhookDelivery, WebhookEndpoint


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="The shop's webhook endpoints, oldest first. ADMIN keys.")
    async def webhook_endpoints(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookEndpoint]:
        page = await webhooks.endpoints(info.context, page_request(first, after, None, None))
        return connection(page, WebhookEndpoint.of)

    @strawberry.field(
        description="What was sent to one endpoint, newest first, each delivery with every attempt "
        "(status code, latency, next retry). Null for an ID that is not one of the shop's endpoints. "
        "ADMIN keys."
    )
    async def webhook_deliveries(
        self,
        info: strawberry.Info,
        endpoint_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDelivery] | None:
        found = await webhooks.deliveries(
            info.context, endpoint_id, page_request(first, after, None, None, True)
        )
        if found is None:
            return None
        return connection(found.page, lambda r: WebhookDelivery.of(r, found.attempts.get(r.id, [])))
