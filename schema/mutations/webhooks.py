"""webhookEndpointCreate/Update/Delete/RotateSecret and webhookReplay: ADMIN keys only."""

from __future__ import annotations

import strawberry

from domain.webhooks.service import EndpointInput
from resolvers import webhooks as resolve
from resolvers.ids import to_global
from schema.enums import EventTypeEnum
from schema.errors import UserError, user_errors
from schema.types.webhooks import WebhookEndpoint


@strawberry.input
class WebhookEndpointCreateInput:
    url: str = strawberry.field(
        description="http(s) URL; refused if it resolves to a private or loopback address"
    )
    event_types: list[EventTypeEnum] | None = strawberry.field(default=None, description="None: every type")
    active: bool = True

    def to_domain(self) -> EndpointInput:
        return EndpointInput(url=self.url, event_types=_types(self.event_types), active=self.active)


@strawberry.type
class WebhookEndpointCreatePayload:
    webhook_endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(
        description="The signing secret (whsec_…): shown here once, never again"
    )
    user_errors: list[UserError]


@strawberry.input
class WebhookEndpointUpdateInput:
    id: strawberry.ID
    url: str | None = None
    event_types: list[EventTypeEnum] | None = strawberry.field(
        default=None, description="[]: every type; null: unchanged"
    )
    active: bool | None = strawberry.field(
        default=None,
        description="false stops deliveries (pending ones are cancelled); true resumes from now on "
        "(use webhookReplay for what happened in between)",
    )

    def to_domain(self) -> EndpointInput:
        return EndpointInput(url=self.url, event_types=_types(self.event_types), active=self.active)


@strawberry.type
class WebhookEndpointUpdatePayload:
    webhook_endpoint: WebhookEndpoint | None
    user_errors: list[UserError]


@strawberry.input
class WebhookEndpointDeleteInput:
    id: strawberry.ID


@strawberry.type
class WebhookEndpointDeletePayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.input
class WebhookEndpointRotateSecretInput:
    id: strawberry.ID


@strawberry.input
class WebhookReplayInput:
    endpoint_id: strawberry.ID
    from_cursor: str = strawberry.field(description="Exclusive: an event position")
    to_cursor: str = strawberry.field(description="Inclusive: an event position")


@strawberry.type
class WebhookReplayPayload:
    enqueued: int = strawberry.field(
        description="Deliveries queued: the range's events of the endpoint's types"
    )
    user_errors: list[UserError]


def _types(values: list[EventTypeEnum] | None) -> list[str] | None:
    return None if values is None else [v.value for v in values]


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Adds an endpoint that receives the shop's events from now on, each POSTed as JSON "
        "and signed with the returned secret (headers webhook-id, webhook-timestamp, webhook-signature). "
        "ADMIN keys."
    )
    async def webhook_endpoint_create(
        self, info: strawberry.Info, input: WebhookEndpointCreateInput
    ) -> WebhookEndpointCreatePayload:
        outcome = await resolve.create(info.context, input.to_domain())
        made = outcome.value
        return WebhookEndpointCreatePayload(
            webhook_endpoint=WebhookEndpoint.of(made.endpoint) if made else None,
            secret=made.secret if made else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Changes an endpoint's URL, event types or active flag. ADMIN keys.")
    async def webhook_endpoint_update(
        self, info: strawberry.Info, input: WebhookEndpointUpdateInput
    ) -> WebhookEndpointUpdatePayload:
        outcome = await resolve.update(info.context, input.id, input.to_domain())
        return WebhookEndpointUpdatePayload(
            webhook_endpoint=WebhookEndpoint.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Deletes an endpoint with its delivery history. ADMIN keys.")
    async def webhook_endpoint_delete(
        self, info: strawberry.Info, input: WebhookEndpointDeleteInput
    ) -> WebhookEndpointDeletePayload:
        outcome = await resolve.delete(info.context, input.id)
        deleted = outcome.value
        return WebhookEndpointDeletePayload(
            deleted_id=strawberry.ID(to_global("WebhookEndpoint", deleted)) if deleted else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="Gives an endpoint a new secret, returned once. For 24 hours deliveries carry "
        "signatures by both the old and the new secret, so receivers can switch without a gap. ADMIN keys."
    )
    async def webhook_endpoint_rotate_secret(
        self, info: strawberry.Info, input: WebhookEndpointRotateSecretInput
    ) -> WebhookEndpointCreatePayload:
        outcome = await resolve.rotate(info.context, input.id)
        made = outcome.value
        return WebhookEndpointCreatePayload(
            webhook_endpoint=WebhookEndpoint.of(made.endpoint) if made else None,
            secret=made.secret if made else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="Queues the events with fromCursor < position <= toCursor (of the endpoint's types) "
        "for delivery again, e.g. after the receiver lost data. ADMIN keys."
    )
    async def webhook_replay(self, info: strawberry.Info, input: WebhookReplayInput) -> WebhookReplayPayload:
        outcome = await resolve.replay(info.context, input.endpoint_id, input.from_cursor, input.to_cursor)
        return WebhookReplayPayload(enqueued=outcome.value or 0, user_errors=user_errors(outcome.errors))
