"""Webhook endpoints managed by a tenant's ADMIN keys, and replays of a range of the log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, update

from domain.db import new_id, utcnow
from domain.errors import Code, DomainError, Problems
from domain.events.repository import events_between, log_head
from domain.uow import Transaction, UnitOfWork
from domain.webhooks import repository, signing, urls
from domain.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

ROTATION_OVERLAP = timedelta(hours=24)  # the old secret still signs this long after a rotation
MAX_REPLAY = 10_000


@dataclass
class EndpointInput:
    url: str | None = None
    event_types: list[str] | None = None  # [] or None on create: every type
    active: bool | None = None


@dataclass
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str


async def _checked_url(problems: Problems, url: str, allow_private: bool) -> str:
    cleaned = url.strip()
    try:
        await urls.check(cleaned, allow_private)
    except urls.UrlRefused as exc:
        problems.add(Code.URL_NOT_ALLOWED if exc.private else Code.INVALID_URL, str(exc), "url")
    return cleaned


async def create_endpoint(uow: UnitOfWork, data: EndpointInput, allow_private: bool) -> CreatedEndpoint:
    problems = Problems()
    url = await _checked_url(problems, data.url or "", allow_private)
    problems.raise_if_any()
    secret = signing.new_secret()
    async with uow as tx:
        # Deliveries start with the events after this moment; webhookReplay sends older ones.
        head = await log_head(tx)
        endpoint = WebhookEndpoint(
            tenant_id=tx.tenant_id,
            url=url,
            event_types=sorted(set(data.event_types or [])),
            active=True if data.active is None else data.active,
            secret=secret,
            position=head or 0,
        )
        tx.session.add(endpoint)
        await uow.commit()
    return CreatedEndpoint(endpoint, secret)


async def update_endpoint(
    uow: UnitOfWork, endpoint_id: uuid.UUID, data: EndpointInput, allow_private: bool
) -> WebhookEndpoint:
    problems = Problems()
    url = await _checked_url(problems, data.url, allow_private) if data.url is not None else None
    problems.raise_if_any()
    async with uow as tx:
        endpoint = await repository.lock_endpoint(tx, endpoint_id)
        if url is not None:
            endpoint.url = url
        if data.event_types is not None:
            endpoint.event_types = sorted(set(data.event_types))
        if data.active is not None and data.active != endpoint.active:
            endpoint.active = data.active
            if data.active:
                endpoint.disabled_reason = None
                # Re-enabled: carry on from now, not from wherever it stopped (replay covers the gap).
                head = await log_head(tx)
                endpoint.position = head or 0
            else:
                await _cancel_pending(tx, endpoint.id)
        await uow.commit()
    return endpoint


async def _cancel_pending(tx: Transaction, endpoint_id: uuid.UUID) -> None:
    await tx.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, next_attempt_at=None)
    )


async def delete_endpoint(uow: UnitOfWork, endpoint_id: uuid.UUID) -> uuid.UUID:
    async with uow as tx:
        endpoint = await repository.lock_endpoint(tx, endpoint_id)
        await tx.session.delete(endpoint)  # its deliveries and attempts go with it
        await uow.commit()
    return endpoint_id


async def rotate_secret(uow: UnitOfWork, endpoint_id: uuid.UUID) -> CreatedEndpoint:
    async with uow as tx:
        endpoint = await repository.lock_endpoint(tx, endpoint_id)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = utcnow() + ROTATION_OVERLAP
        endpoint.secret = signing.new_secret()
        await uow.commit()
    return CreatedEndpoint(endpoint, endpoint.secret)


async def replay(uow: UnitOfWork, endpoint_id: uuid.UUID, from_position: int, to_position: int) -> int:
    """Enqueues a new delivery for each event of the endpoint's types in (from, to]; returns how many."""
    if to_position <= from_position:
        raise DomainError(Code.INVALID_RANGE, "toCursor must be after fromCursor", ["toCursor"])
    if to_position - from_position > MAX_REPLAY:
        raise DomainError(Code.INVALID_RANGE, f"Replay at most {MAX_REPLAY} events at once", ["toCursor"])
    async with uow as tx:
        endpoint = await repository.lock_endpoint(tx, endpoint_id, "endpointId")
        if not endpoint.active:
            raise DomainError(Code.INVALID, "The endpoint is disabled; enable it first", ["endpointId"])
        events = await events_between(tx, from_position, to_position, endpoint.event_types)
        now = utcnow()
        if events:
            await tx.session.execute(
                insert(WebhookDelivery),
                [
                    {
                        "id": new_id(),
                        "tenant_id": tx.tenant_id,
                        "endpoint_id": endpoint.id,
                        "event_id": ev.id,
                        "event_position": ev.position,
                        "event_type": ev.type,
                        "status": DeliveryStatus.PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                    }
                    for ev in events
                ],
            )
        await uow.commit()
    return len(events)
