"""Read side of webhooks: endpoints, deliveries (newest first) and their attempts."""

from __future__ import annotations

import uuid

from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from domain.pagination import Page, PageRequest, paginate
from domain.reading import Query, Reader, Row, by_keys, grouped, one_each
from domain.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

endpoints = WebhookEndpoint.__table__
deliveries = WebhookDelivery.__table__
attempts = WebhookAttempt.__table__

ATTEMPTS_BY_DELIVERY = Query(
    select(attempts)
    .where(
        attempts.c.tenant_id == bindparam("tenant"),
        attempts.c.delivery_id == any_(bindparam("keys", type_=ARRAY(UUID(as_uuid=True)))),
    )
    .order_by(attempts.c.delivery_id, attempts.c.attempt)
)

ENDPOINTS_BY_ID = by_keys(endpoints, "id")


async def endpoints_by_ids(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(ENDPOINTS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def list_endpoints(reader: Reader, tenant_id: uuid.UUID, page: PageRequest) -> Page:
    c = endpoints.c
    stmt = select(endpoints).where(c.tenant_id == tenant_id)
    return await paginate(reader, stmt, c.created_at, c.id, page, "created_at")


async def endpoint(reader: Reader, tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> Row | None:
    c = endpoints.c
    return await reader.first(select(endpoints).where(c.tenant_id == tenant_id, c.id == endpoint_id))


async def list_deliveries(
    reader: Reader, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, page: PageRequest
) -> Page:
    c = deliveries.c
    stmt = select(deliveries).where(c.tenant_id == tenant_id, c.endpoint_id == endpoint_id)
    return await paginate(reader, stmt, c.created_at, c.id, page, "created_at")


async def attempts_by_delivery(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(ATTEMPTS_BY_DELIVERY, tenant=tenant_id, keys=ids), "delivery_id")
