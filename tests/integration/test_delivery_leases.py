"""Work claimed by a process that then dies is not lost: webhook deliveries and customer emails are
leased, and once the lease runs out another worker claims them again. Two workers never hold the same."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from domain.notifications import outbox
from domain.webhooks import delivery
from tests.db_helpers import system_connection


@pytest.fixture
async def conns(db, database_url) -> AsyncIterator[list[asyncpg.Connection]]:
    opened = [await system_connection(database_url) for _ in range(2)]
    yield opened
    for conn in opened:
        await conn.close()


async def _a_due_delivery(conn: asyncpg.Connection) -> uuid.UUID:
    tenant = uuid.uuid4()
    endpoint = await conn.fetchval(
        """INSERT INTO webhook_endpoints (id, tenant_id, url, event_types, active, secret, position)
           VALUES (gen_random_uuid(), $1, 'https://example.com/h', '{}', true, 'whsec_AAAA', 0) RETURNING id""",
        tenant,
    )
    return await conn.fetchval(
        """INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_position, event_type,
             status, attempts, next_attempt_at)
           VALUES (gen_random_uuid(), $1, $2, gen_random_uuid(), 1, 'X', 'PENDING', 0, now()) RETURNING id""",
        tenant,
        endpoint,
    )


async def test_a_delivery_claimed_by_a_worker_that_died_is_claimed_again_after_its_lease(conns):
    first, second = conns
    delivery_id = await _a_due_delivery(first)

    [claimed] = await delivery.claim_due(first, 10, lease_seconds=0.3)  # ... and the worker dies
    assert claimed.delivery_id == delivery_id and claimed.body is None  # (its event was never written)
    assert await delivery.claim_due(second, 10, lease_seconds=0.3) == []  # leased: nobody else takes it
    await asyncio.sleep(0.4)

    [again] = await delivery.claim_due(second, 10, lease_seconds=30)
    assert (again.delivery_id, again.attempts) == (delivery_id, 0)


async def test_concurrent_workers_never_claim_the_same_delivery(conns):
    for _ in range(20):
        await _a_due_delivery(conns[0])

    a, b = await asyncio.gather(*(delivery.claim_due(c, 15, lease_seconds=30) for c in conns))

    ids_a, ids_b = {d.delivery_id for d in a}, {d.delivery_id for d in b}
    assert not ids_a & ids_b and len(ids_a | ids_b) == 20


async def pending_email(conn, tenant_id) -> uuid.UUID:
    """An email waiting to be sent, as the enqueue step leaves it."""
    return await conn.fetchval(
        """INSERT INTO notifications (id, tenant_id, order_id, event_id, template, recipient, subject, body,
             status, attempts, next_attempt_at)
           VALUES (gen_random_uuid(), $1, gen_random_uuid(), gen_random_uuid(), 'ORDER_CONFIRMED',
                   'a@example.com', 's', 'b', 'PENDING', 0, now()) RETURNING id""",
        tenant_id,
    )


async def test_an_email_left_sending_by_a_dead_worker_is_sent_again_after_its_lease(conns, tenant):
    first, second = conns
    email_id = await pending_email(first, tenant.id)

    [claimed] = await outbox.claim(first, 10, lease_seconds=0.3)  # handed to SMTP, then the worker died
    assert (claimed.id, claimed.attempts, claimed.sender_name) == (email_id, 1, "Acme")
    assert await outbox.claim(second, 10, lease_seconds=0.3) == []
    await asyncio.sleep(0.4)

    [again] = await outbox.claim(second, 10, lease_seconds=30)
    assert (again.id, again.attempts, again.dedupe_key) == (email_id, 2, claimed.dedupe_key)
    await outbox.sent(second, again)
    assert await second.fetchval("SELECT status FROM notifications WHERE id = $1", email_id) == "SENT"


async def test_a_sender_whose_lease_ran_out_cannot_overwrite_the_outcome_of_the_next_claim(conns, tenant):
    first, second = conns
    email_id = await pending_email(first, tenant.id)
    [slow] = await outbox.claim(first, 1, lease_seconds=0.2)
    await asyncio.sleep(0.3)
    [again] = await outbox.claim(second, 1, lease_seconds=30)
    assert await outbox.sent(second, again)

    assert not await outbox.sent(first, slow)  # the first sender finally hears back
    await outbox.failed(first, slow, "timed out", scale=1.0)

    row = await first.fetchrow("SELECT status, attempts FROM notifications WHERE id = $1", email_id)
    assert (row["status"], row["attempts"]) == ("SENT", 2)
