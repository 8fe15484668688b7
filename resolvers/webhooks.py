"""Webhook endpoints, deliveries and replays: ADMIN keys only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.events.feed import parse_cursor
from domain.pagination import Page, PageRequest
from domain.reading import Row
from domain.tenancy.scopes import Scope
from domain.webhooks import queries, service
from domain.webhooks.models import WebhookEndpoint
from domain.webhooks.service import CreatedEndpoint, EndpointInput
from resolvers.context import Context
from resolvers.errors import as_bad_input
from resolvers.ids import local_id, require_id
from resolvers.outcome import Outcome, attempt


async def create(ctx: Context, data: EndpointInput) -> Outcome[CreatedEndpoint]:
    uow = ctx.uow(Scope.WEBHOOKS_MANAGE)
    return await attempt(lambda: service.create_endpoint(uow, data, ctx.webhook_allow_private))


async def update(ctx: Context, gid: str, data: EndpointInput) -> Outcome[WebhookEndpoint]:
    uow = ctx.uow(Scope.WEBHOOKS_MANAGE)
    return await attempt(
        lambda: service.update_endpoint(
            uow, require_id(gid, "WebhookEndpoint"), data, ctx.webhook_allow_private
        )
    )


async def delete(ctx: Context, gid: str) -> Outcome[uuid.UUID]:
    uow = ctx.uow(Scope.WEBHOOKS_MANAGE)
    return await attempt(lambda: service.delete_endpoint(uow, require_id(gid, "WebhookEndpoint")))


async def rotate(ctx: Context, gid: str) -> Outcome[CreatedEndpoint]:
    uow = ctx.uow(Scope.WEBHOOKS_MANAGE)
    return await attempt(lambda: service.rotate_secret(uow, require_id(gid, "WebhookEndpoint")))


async def replay(ctx: Context, gid: str, from_cursor: str, to_cursor: str) -> Outcome[int]:
    uow = ctx.uow(Scope.WEBHOOKS_MANAGE)

    async def run() -> int:
        endpoint_id = require_id(gid, "WebhookEndpoint", "endpointId")
        start = parse_cursor(from_cursor, "fromCursor")
        end = parse_cursor(to_cursor, "toCursor")
        return await service.replay(uow, endpoint_id, start, end)

    return await attempt(run)


@as_bad_input
async def endpoints(ctx: Context, page: PageRequest) -> Page:
    ctx.require(Scope.WEBHOOKS_MANAGE)
    async with ctx.reader() as reader:
        return await queries.list_endpoints(reader, ctx.tenant_id, page)


@dataclass
class DeliveryPage:
    page: Page
    attempts: dict[uuid.UUID, list[Row]]


@as_bad_input
async def deliveries(ctx: Context, endpoint_gid: str, page: PageRequest) -> DeliveryPage | None:
    """A page of an endpoint's deliveries with all their attempts, read in one transaction; None for
    an ID that is not one of this tenant's endpoints."""
    ctx.require(Scope.WEBHOOKS_MANAGE)
    endpoint_id = local_id(endpoint_gid, "WebhookEndpoint")
    if endpoint_id is None:
        return None
    async with ctx.reader() as reader:
        if await queries.endpoint(reader, ctx.tenant_id, endpoint_id) is None:
            return None
        found = await queries.list_deliveries(reader, ctx.tenant_id, endpoint_id, page)
        tries = await queries.attempts_by_delivery(reader, ctx.tenant_id, [r.id for r in found.rows])
    return DeliveryPage(found, tries)
