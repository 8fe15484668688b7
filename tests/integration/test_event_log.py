"""The event log: the relay gives committed outbox rows gap-free, ordered positions per tenant, so a reader
that only ever asks for `position > cursor` neither skips nor repeats an event; old events are pruned."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from domain.events.relay import CHANNEL, prune, relay_once
from domain.notifications import outbox as emails_outbox
from domain.webhooks import delivery as webhook_delivery
from domain.workflows.placing import place_order
from tests.db_helpers import system_connection
from tests.integration.builders import location, order_input, product, uow

INSERT = """INSERT INTO outbox_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
VALUES ($1, $2, $3, 'Order', $4, '{}'::jsonb, now() - make_interval(days => $5)) RETURNING seq"""


@pytest.fixture
async def conns(db, database_url) -> AsyncIterator[list[asyncpg.Connection]]:
    opened = [await system_connection(database_url) for _ in range(8)]
    yield opened
    for conn in opened:
        await conn.close()


async def write(conn: asyncpg.Connection, tenant: uuid.UUID, kind: str = "ORDER_UPDATED", **kw) -> int:
    return await conn.fetchval(
        INSERT, uuid.uuid4(), tenant, kind, kw.get("aggregate", uuid.uuid4()), kw.get("age_days", 0)
    )


async def read_after(conn: asyncpg.Connection, tenant: uuid.UUID, cursor: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, type, position, aggregate_seq FROM outbox_events"
        " WHERE tenant_id = $1 AND position > $2 ORDER BY position",
        tenant,
        cursor,
    )


async def test_a_reader_misses_nothing_when_two_transactions_commit_in_reverse_order(conns):
    tenant = uuid.uuid4()
    first, second, relay, reader = conns[:4]
    tx_first, tx_second = first.transaction(), second.transaction()
    await tx_first.start()
    await tx_second.start()
    early = await write(first, tenant, "EARLY")
    late = await write(second, tenant, "LATE")
    assert early < late  # the write order ...
    await tx_second.commit()  # ... is not the commit order

    await relay_once(relay)
    seen = await read_after(reader, tenant, 0)
    assert [(r["type"], r["position"]) for r in seen] == [("LATE", 1)]
    cursor = seen[-1]["position"]

    await tx_first.commit()
    assert (await read_after(reader, tenant, cursor)) == []  # not published yet: never a hole to skip
    await relay_once(relay)

    rest = await read_after(reader, tenant, cursor)
    assert [(r["type"], r["position"]) for r in rest] == [("EARLY", 2)]


async def test_uncommitted_rows_get_no_position_and_rolled_back_ones_never_appear(conns):
    tenant = uuid.uuid4()
    writer, relay, reader = conns[:3]
    tx = writer.transaction()
    await tx.start()
    await write(writer, tenant)
    await relay_once(relay)
    await tx.rollback()
    await write(writer, tenant, "KEPT")
    await relay_once(relay)

    assert [(r["type"], r["position"]) for r in await read_after(reader, tenant, 0)] == [("KEPT", 1)]


async def test_concurrent_writers_and_four_relays_give_each_tenant_consecutive_positions(conns):
    tenants = [uuid.uuid4() for _ in range(3)]
    aggregates = {t: [uuid.uuid4() for _ in range(4)] for t in tenants}
    writers, relays, reader, checker = conns[:2], conns[2:6], conns[6], conns[7]
    per_writer = 90
    stop = asyncio.Event()

    async def writing(conn: asyncpg.Connection) -> None:
        for _ in range(per_writer):
            tenant = random.choice(tenants)
            async with conn.transaction():
                await write(conn, tenant, aggregate=random.choice(aggregates[tenant]))
                await asyncio.sleep(random.random() / 500)

    async def relaying(conn: asyncpg.Connection) -> None:
        while not stop.is_set():
            await relay_once(conn, tenants=2, batch=7)
            await asyncio.sleep(0)

    seen: dict[uuid.UUID, list[int]] = {t: [] for t in tenants}

    async def reading() -> None:
        while True:
            done = stop.is_set()
            for tenant in tenants:
                last = seen[tenant][-1] if seen[tenant] else 0
                seen[tenant].extend(r["position"] for r in await read_after(reader, tenant, last))
            if done:
                return
            await asyncio.sleep(0.001)

    relay_tasks = [asyncio.create_task(relaying(c)) for c in relays]
    read_task = asyncio.create_task(reading())
    await asyncio.gather(*(writing(c) for c in writers))
    pending = "SELECT count(*) FROM outbox_events WHERE position IS NULL"
    while await checker.fetchval(pending):  # noqa: ASYNC110 - waiting on the database, not on a flag
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.gather(*relay_tasks, read_task)

    total = 0
    for tenant in tenants:
        rows = await read_after(reader, tenant, 0)
        assert [r["position"] for r in rows] == list(range(1, len(rows) + 1))
        assert seen[tenant] == [r["position"] for r in rows]  # the live reader: every one, once, in order
        total += len(rows)
        streams = await reader.fetch(
            "SELECT aggregate_id, array_agg(aggregate_seq ORDER BY position) AS seqs FROM outbox_events"
            " WHERE tenant_id = $1 GROUP BY aggregate_id",
            tenant,
        )
        for stream in streams:
            assert stream["seqs"] == list(range(1, len(stream["seqs"]) + 1))
    assert total == len(writers) * per_writer


async def test_the_relay_sends_one_small_notify_per_tenant_and_batch(conns):
    tenant = uuid.uuid4()
    writer, relay, listener = conns[:3]
    pings: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(CHANNEL, lambda *args: pings.put_nowait(args[3]))
    for _ in range(5):
        await write(writer, tenant)

    published = await relay_once(relay)

    assert [(p.tenant_id, p.position, p.count) for p in published] == [(tenant, 5, 5)]
    assert await asyncio.wait_for(pings.get(), 5) == f"{tenant}:5"
    await asyncio.sleep(0.1)
    assert pings.empty()


async def test_pruning_deletes_only_published_events_older_than_the_retention(conns):
    tenant = uuid.uuid4()
    writer, relay = conns[:2]
    await write(writer, tenant, "OLD", age_days=31)
    await write(writer, tenant, "RECENT", age_days=29)
    await relay_once(relay)
    await write(writer, tenant, "OLD_UNPUBLISHED", age_days=40)

    assert await prune(relay, retention_days=30) == 1

    left = await writer.fetch("SELECT type FROM outbox_events WHERE tenant_id = $1 ORDER BY seq", tenant)
    assert [r["type"] for r in left] == ["RECENT", "OLD_UNPUBLISHED"]
    await relay_once(relay)  # the next position follows on from the head, whatever was pruned
    assert (await read_after(writer, tenant, 2))[0]["position"] == 3


async def test_pruning_deletes_finished_webhook_deliveries_and_email_records_past_the_retention(conns):
    tenant, conn = uuid.uuid4(), conns[0]
    endpoint = await conn.fetchval(
        """INSERT INTO webhook_endpoints (id, tenant_id, url, event_types, active, secret, position)
           VALUES (gen_random_uuid(), $1, 'https://example.com', '{}', true, 'whsec_x', 0) RETURNING id""",
        tenant,
    )
    for status, age in (("SUCCEEDED", 31), ("FAILED", 31), ("PENDING", 31), ("SUCCEEDED", 1)):
        await conn.execute(
            """INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_position, event_type,
                 status, attempts, created_at)
               VALUES (gen_random_uuid(), $1, $2, gen_random_uuid(), 1, 'X', $3, 1,
                       now() - make_interval(days => $4))""",
            tenant,
            endpoint,
            status,
            age,
        )
        await conn.execute(
            """INSERT INTO notifications (id, tenant_id, order_id, event_id, template, recipient, subject, body,
                 status, attempts, created_at)
               VALUES (gen_random_uuid(), $1, gen_random_uuid(), gen_random_uuid(), 'ORDER_CONFIRMED', 'a@b.c',
                       's', 'b', $2, 1, now() - make_interval(days => $3))""",
            tenant,
            "SENT" if status == "SUCCEEDED" else status,
            age,
        )

    assert await webhook_delivery.prune(conn, retention_days=30) == 2
    assert await emails_outbox.prune(conn, retention_days=30) == 2

    kept = await conn.fetch(
        "SELECT status FROM webhook_deliveries WHERE tenant_id = $1 ORDER BY status", tenant
    )
    assert [r["status"] for r in kept] == ["PENDING", "SUCCEEDED"]
    kept = await conn.fetch("SELECT status FROM notifications WHERE tenant_id = $1 ORDER BY status", tenant)
    assert [r["status"] for r in kept] == ["PENDING", "SENT"]


async def test_event_payloads_written_by_a_use_case_are_relayed_with_their_aggregate_sequence(conns, tenant):
    loc = await location(tenant.engine, tenant.id, "MAIN")
    await product(tenant.engine, tenant.id, "TEE", stock={loc.id: 5})
    placed = await place_order(uow(tenant.engine, tenant.id), order_input(("TEE", 2)))
    await relay_once(conns[0])

    rows = await conns[1].fetch(
        "SELECT type, aggregate_seq, payload FROM outbox_events"
        " WHERE tenant_id = $1 AND aggregate_id = $2 ORDER BY position",
        tenant.id,
        placed.order.id,
    )
    assert [(r["type"], r["aggregate_seq"]) for r in rows] == [
        ("ORDER_CREATED", 1),
        ("ORDER_STOCK_RESERVED", 2),
        ("ORDER_RISK_ASSESSED", 3),
    ]
    assert json.loads(rows[0]["payload"])["number"] == "#1001"


async def test_pruning_removes_only_a_prefix_of_positions_whatever_the_writers_clocks_said(conns):
    tenant = uuid.uuid4()
    writer, relay = conns[:2]
    await write(writer, tenant, "OLD", age_days=31)
    await write(writer, tenant, "RECENT", age_days=1)
    await write(writer, tenant, "OLD_CLOCK", age_days=40)  # committed after RECENT, by a slow clock
    await relay_once(relay)

    assert await prune(relay, retention_days=30) == 1

    left = await read_after(writer, tenant, 0)
    assert [(r["type"], r["position"]) for r in left] == [("RECENT", 2), ("OLD_CLOCK", 3)]
