"""Turning the log into customer emails: new tenants' emails start with their first events, a tenant that
predates emails starts at its head (no backlog mailed out), and an old event sends nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from domain.db import utcnow
from domain.events.relay import relay_once
from domain.notifications import outbox
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from tests.db_helpers import system_connection
from tests.integration.builders import location, order_input, product, uow


@pytest.fixture
async def conn(db, database_url):
    opened = await system_connection(database_url)
    yield opened
    await opened.close()


async def _confirmed_order(tenant) -> object:
    loc = await location(tenant.engine, tenant.id, "MAIN")
    await product(tenant.engine, tenant.id, "TEE", stock={loc.id: 5})
    placed = await place_order(
        uow(tenant.engine, tenant.id), order_input(("TEE", 1), email="ada@example.com")
    )
    await confirm_order(uow(tenant.engine, tenant.id), placed.order.id, None)
    return placed.order


async def test_a_new_tenants_confirmation_becomes_one_email_however_often_the_log_is_read(conn, tenant):
    order = await _confirmed_order(tenant)
    await relay_once(conn)

    assert await outbox.enqueue_once(conn, utcnow()) == 1
    await conn.execute("UPDATE consumer_cursors SET position = 0")
    assert await outbox.enqueue_once(conn, utcnow()) == 0

    [email] = await conn.fetch("SELECT * FROM notifications WHERE order_id = $1", order.id)
    assert (email["template"], email["recipient"], email["status"]) == (
        "ORDER_CONFIRMED",
        "ada@example.com",
        "PENDING",
    )
    assert email["subject"] == "Your order #1001 is confirmed"


async def test_a_tenant_that_predates_emails_starts_at_its_head(conn, tenant):
    await _confirmed_order(tenant)
    await relay_once(conn)
    await conn.execute("DELETE FROM consumer_cursors")  # as before emails existed

    assert await outbox.enqueue_once(conn, utcnow()) == 0
    head = await conn.fetchval("SELECT position FROM event_log_heads WHERE tenant_id = $1", tenant.id)
    cursor = await conn.fetchval("SELECT position FROM consumer_cursors WHERE tenant_id = $1", tenant.id)
    assert cursor == head > 0


async def test_an_event_older_than_a_day_sends_nothing(conn, tenant):
    await _confirmed_order(tenant)
    await relay_once(conn)

    assert await outbox.enqueue_once(conn, utcnow() + timedelta(days=2)) == 0
    assert await conn.fetchval("SELECT count(*) FROM notifications") == 0
    position = await conn.fetchval("SELECT position FROM consumer_cursors WHERE tenant_id = $1", tenant.id)
    assert position > 0  # read past, not waiting


async def test_a_tenants_own_template_and_sender_are_used(conn, tenant):
    await conn.execute(
        "INSERT INTO notification_settings (tenant_id, sender_name, templates) VALUES ($1, 'Ada''s', $2::jsonb)",
        tenant.id,
        json.dumps({"ORDER_CONFIRMED": {"subject": "{customerName}, {orderNumber} is yours"}}),
    )
    await _confirmed_order(tenant)
    await relay_once(conn)
    await outbox.enqueue_once(conn, utcnow())

    [email] = await outbox.claim(conn, 10, 60)
    assert (email.subject, email.sender_name) == ("Ada Lovelace, #1001 is yours", "Ada's")
    assert "we have confirmed your order #1001" in email.body
