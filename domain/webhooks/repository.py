"""Write-side loading of a shop's webhook endpoints, locked for the use case that changes them."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.errors import Code, DomainError
from domain.uow import Transaction
from domain.webhooks.models import WebhookEndpoint


async def lock_endpoint(tx: Transaction, endpoint_id: uuid.UUID, field_name: str = "id") -> WebhookEndpoint:
    """One of the shop's endpoints, locked; NOT_FOUND (on `field_name`) when it is not the shop's."""
    found = (
        await tx.session.execute(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.tenant_id == tx.tenant_id, WebhookEndpoint.id == endpoint_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if found is None:
        raise DomainError(Code.NOT_FOUND, "Webhook endpoint not found", [field_name])
    return found
