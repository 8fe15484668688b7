"""Live-update benchmarks: idle subscribers, delivery latency, relay throughput.

    python -m bench.live [--idle 5000] [--followers 1000] [--changes 50] [--events 100000]   (make bench-live)
                         [--background-writes 0]

Uses DATABASE_URL when set, else a database `baton_bench_live` on the PostgreSQL at 127.0.0.1:5432
(created when missing). Starts `baton serve` (one process) and drives it from this process:

1. idle: N WebSocket connections, each with one `events` subscription; the server's RSS before and after,
   and the memory per subscriber (RSS delta / N).
2. latency: M connections following one order (`orderUpdated`); K order edits one after another; for each
   subscriber and edit, the time from sending the mutation to receiving the update (an upper bound on
   commit-to-delivery: it includes the mutation's own processing). p50/p99 over all deliveries; also when
   each edit's event was published (the relay's NOTIFY, heard on a connection of the bench's own), which
   splits the relay's part from the fan-out's. The bench's own garbage collector is paused for the edits
   (collector_paused): its full collections over a thousand sockets stopped it for 330-410 ms.
   The edits are sequential and further apart than the relay's RELAY_GATHER (server/workers.py), so they
   never wait for it; --background-writes R edits another order R times a second meanwhile, so that the
   relay gathers as it does under load, and the followed edits land in its pauses.
3. relay: E outbox rows over 8 tenants written directly, then numbered by 1 relay and by 4 concurrent
   relays; events/s for each and the ratio.

Before it starts, it vacuums the tables earlier runs churned (vacuum()), so runs start alike.

The client runs on the same machine (2 cores here), so the figures include its CPU contention.

Every subscriber uses one API key and connects from one address, far past what the server allows one key
(BATON_MAX_SUBSCRIPTIONS_PER_KEY, 500 operations open per process) and one address
(BATON_IP_WS_CONNECT_BURST/RATE): the limits are not what is measured, so the bench lifts them in the
environment of the server it starts (subscribers_allowed(), as bench/order_by_number.py's UNTHROTTLED
does for the query-cost bucket), to as many subscriptions as it opens. A subscription the server refuses
anyway (an `error` or `complete` answer) stops the bench with the server's message instead of being
counted as open."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import psutil
from websockets.asyncio.client import connect

from bench.order_by_number import free_port
from domain.db import SYSTEM_SESSION, make_engine
from domain.events.relay import CHANNEL, relay_once
from domain.tenancy import service as tenancy

LOCAL = "postgresql://postgres@127.0.0.1:5432/baton_bench_live"
LOG = Path(".baton/bench-live.log")


def raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def database(url: str | None) -> str:
    if url:
        return url
    admin = await asyncpg.connect(LOCAL.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = 'baton_bench_live'"):
            await admin.execute("CREATE DATABASE baton_bench_live")
    finally:
        await admin.close()
    return LOCAL


def subscribers_allowed(subscriptions: int) -> dict[str, str]:
    """The server's limits lifted for one key that opens `subscriptions` operations from one address:
    the per-key cap (500 by default; it refused every follower past it, each of which then cost an edit
    its 10 s wait) and the per-address connect limit (it refused them with 4429)."""
    return {
        "BATON_MAX_SUBSCRIPTIONS_PER_KEY": str(subscriptions),
        "BATON_IP_WS_CONNECT_BURST": "1e9",
        "BATON_IP_WS_CONNECT_RATE": "1e9",
    }


def serve(url: str, subscriptions: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BATON_LOG_LEVEL": "warning",
        "BATON_MAX_SUBSCRIPTIONS": "5",
        **subscribers_allowed(subscriptions),
    }
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with LOG.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc, port


async def wait_up(port: int) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise SystemExit("baton serve did not start; see " + str(LOG))


async def subscriber(
    url: str, key: str, query: str, variables: dict, ready: asyncio.Event, inbox: list
) -> None:
    async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None, open_timeout=60) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
        await ws.recv()
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}})
        )
        ready.set()
        async for raw in ws:
            inbox.append((time.perf_counter(), raw))


async def open_many(
    n: int, url: str, key: str, query: str, variables: dict
) -> tuple[list[asyncio.Task], list[list]]:
    tasks, inboxes = [], []
    for start in range(0, n, 200):  # in waves, so the server's accept queue keeps up
        readies = []
        for _ in range(start, min(n, start + 200)):
            ready, inbox = asyncio.Event(), []
            tasks.append(asyncio.create_task(subscriber(url, key, query, variables, ready, inbox)))
            readies.append(ready)
            inboxes.append(inbox)
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
    return tasks, inboxes


def refused(inboxes: list[list]) -> None:
    """Stops the bench when the server ended any subscription (a limit refused it, say): a refused
    subscriber would count as idle memory it costs nothing, or as an update that never came."""
    ended = [json.loads(raw) for inbox in inboxes for _, raw in inbox]
    ended = [m for m in ended if m.get("type") in ("error", "complete")]
    if ended:
        raise SystemExit(
            f"the server ended {len(ended)} of {len(inboxes)} subscriptions; the first: {ended[0]}"
        )


async def answered(inboxes: list[list], seconds: float) -> None:
    """Waits until every subscriber has its first message (orderUpdated sends the order on subscribing)."""
    deadline = time.perf_counter() + seconds
    while any(not b for b in inboxes) and time.perf_counter() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    refused(inboxes)
    silent = sum(1 for b in inboxes if not b)
    if silent:
        raise SystemExit(
            f"{silent} of {len(inboxes)} subscribers got nothing on subscribing in {seconds:g} s"
        )


async def gql(client: httpx.AsyncClient, key: str, query: str, **variables: object) -> dict:
    r = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {key}"}
    )
    r.raise_for_status()
    return r.json()["data"]


async def setup_shop(client: httpx.AsyncClient, key: str) -> str:
    loc = (await gql(client, key, 'mutation { locationCreate(input: {name: "W"}) { location { id } } }'))[
        "locationCreate"
    ]["location"]["id"]
    await gql(
        client,
        key,
        'mutation { productCreate(input: {sku: "TEE", name: "Tee", price: "10.00"}) { product { id } } }',
    )
    await gql(
        client,
        key,
        'mutation($l: ID!) { inventorySet(input: {sku: "TEE", locationId: $l, onHand: 100000}) { userErrors { code } } }',
        l=loc,
    )
    return await place_order(client, key)


async def place_order(client: httpx.AsyncClient, key: str) -> str:
    order = await gql(
        client,
        key,
        "mutation($input: OrderCreateInput!) { orderCreate(input: $input) { order { id } userErrors { message } } }",
        input={
            "channel": "WEB",
            "customer": {"email": "b@example.com", "firstName": "B", "lastName": "C"},
            "shippingAddress": {
                "name": "B C",
                "line1": "1 Road",
                "city": "Town",
                "region": "VA",
                "postalCode": "22201",
                "countryCode": "US",
            },
            "lines": [{"sku": "TEE", "quantity": 1}],
        },
    )
    assert order["orderCreate"]["order"], order
    return order["orderCreate"]["order"]["id"]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """This process's garbage collector off for a measured window. With a thousand sockets open here,
    one full collection stopped the bench for 330-410 ms (gc.callbacks): every update that arrived
    meanwhile was timed late, one edit in fifty, which alone made the p99. That is the client's pause,
    not the server's; the server's own collections still count (nothing changes in its process)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


EDIT = "mutation($id: ID!, $n: String!) { orderUpdate(input: {id: $id, note: $n}) { userErrors { code } } }"


async def write_steadily(client: httpx.AsyncClient, key: str, per_second: float, stop: asyncio.Event) -> int:
    """Edits an order no one follows, `per_second` times a second (as far as the server keeps up), until
    `stop`: a steady stream of other writes, so the relay runs as under load (RELAY_GATHER)."""
    order_id = await place_order(client, key)
    done = 0
    while not stop.is_set():
        started = time.perf_counter()
        await gql(client, key, EDIT, id=order_id, n=f"other {done}")
        done += 1
        await asyncio.sleep(max(0.0, 1 / per_second - (time.perf_counter() - started)))
    return done


async def edit_many(
    url: str,
    client: httpx.AsyncClient,
    key: str,
    order_id: str,
    inboxes: list[list],
    changes: int,
    background: float = 0.0,
) -> tuple[list[float], list[float], list[float], list[float]]:
    """K edits one after another; for each, the delivery times to every subscriber, the mutation's
    round trip, and when its event was published (the relay's NOTIFY, heard on a connection of ours;
    left out while `background` writes go on, whose NOTIFYs look the same); and the rate those reached."""
    latencies: list[float] = []
    round_trips: list[float] = []
    published: list[float] = []
    notices: list[float] = []
    listener = await asyncpg.connect(url)
    await listener.add_listener(CHANNEL, lambda *_: notices.append(time.perf_counter()))
    stop = asyncio.Event()
    t0 = time.perf_counter()
    meanwhile: list[float] = []
    others = None
    if background > 0:
        others = asyncio.create_task(write_steadily(client, key, background, stop))
        await asyncio.sleep(1)
    try:
        with collector_paused():
            for i in range(changes):
                counts = [len(b) for b in inboxes]
                heard = len(notices)
                sent = time.perf_counter()
                await gql(client, key, EDIT, id=order_id, n=f"note {i}")
                round_trips.append(time.perf_counter() - sent)
                deadline = time.perf_counter() + 10
                waiting = [(b, c) for b, c in zip(inboxes, counts, strict=True)]
                while any(len(b) <= c for b, c in waiting) and time.perf_counter() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.002)
                latencies += [b[c][0] - sent for b, c in zip(inboxes, counts, strict=True) if len(b) > c]
                if len(notices) > heard and others is None:
                    published.append(notices[heard] - sent)
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        if others is not None:
            elapsed = time.perf_counter() - t0
            done = await others
            meanwhile.append(done / elapsed)
        await listener.close()
    return latencies, round_trips, published, meanwhile


async def bench_subscribers(url: str, idle: int, followers: int, changes: int, background: float) -> None:
    engine = make_engine(url, pool_size=1)
    _, issued = await tenancy.create_tenant(engine, f"Bench {uuid.uuid4().hex[:6]}", "USD", 0)
    await engine.dispose()
    key = issued.secret
    proc, port = serve(url, idle + followers)  # the idle ones may not all be gone when followers open
    try:
        await wait_up(port)
        server = psutil.Process(proc.pid)
        ws_url = f"ws://127.0.0.1:{port}/graphql"
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            order_id = await setup_shop(client, key)
            await asyncio.sleep(1)
            before = server.memory_info().rss
            t0 = time.perf_counter()
            tasks, inboxes = await open_many(idle, ws_url, key, "subscription { events { id position } }", {})
            opened = time.perf_counter() - t0
            await asyncio.sleep(2)
            after = server.memory_info().rss
            refused(inboxes)  # events sends nothing on subscribing; a refusal comes at once
            print(f"idle subscribers: {idle} connections+subscriptions opened in {opened:.1f} s")
            print(
                f"  server RSS {before / 2**20:.0f} MiB -> {after / 2**20:.0f} MiB; "
                f"{(after - before) / idle / 1024:.1f} KiB per subscriber"
            )
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.sleep(2)

            query = "subscription($id: ID!) { orderUpdated(id: $id) { id status version note } }"
            tasks, inboxes = await open_many(followers, ws_url, key, query, {"id": order_id})
            await answered(inboxes, 30)
            await asyncio.sleep(1)
            for inbox in inboxes:
                inbox.clear()  # the order as it was, sent on subscribing
            latencies, round_trips, published, meanwhile = await edit_many(
                url, client, key, order_id, inboxes, changes, background
            )
            missing = followers * changes - len(latencies)
            print(
                f"latency, {followers} subscribers of one order, {changes} edits ({len(latencies)} deliveries, {missing} missing):"
            )
            print(
                f"  mutation sent -> update received: p50 {statistics.median(latencies) * 1000:.1f} ms, "
                f"p99 {pct(latencies, 99) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms (target p99 < 100 ms)"
            )
            print(f"  the mutation's own round trip: p50 {statistics.median(round_trips) * 1000:.1f} ms")
            if meanwhile:
                print(f"  meanwhile other writes: {meanwhile[0]:.0f}/s (asked {background:g}/s)")
            if published:
                print(
                    f"  mutation sent -> its event published (the relay's NOTIFY seen here): "
                    f"p50 {statistics.median(published) * 1000:.1f} ms, p99 {pct(published, 99) * 1000:.1f} ms"
                )
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


async def bench_relay(url: str, events: int) -> None:
    # Relays serve every tenant: their sessions run in system scope, as the workers' pool does.
    conns = [await asyncpg.connect(url, server_settings=SYSTEM_SESSION) for _ in range(4)]
    try:
        rates = {}
        for relays in (1, 4):
            tenants = [uuid.uuid4() for _ in range(8)]
            await conns[0].execute(
                """INSERT INTO outbox_events (id, tenant_id, type, aggregate_type, aggregate_id, payload)
                   SELECT gen_random_uuid(), ($1::uuid[])[1 + g % 8], 'BENCH', 'Order',
                          ('00000000-0000-0000-0000-' || lpad((g % 1000)::text, 12, '0'))::uuid, '{}'
                   FROM generate_series(1, $2) g""",
                tenants,
                events,
            )

            async def drain(conn: asyncpg.Connection) -> None:
                while await relay_once(conn, tenants=1, batch=1000):
                    pass

            t0 = time.perf_counter()
            await asyncio.gather(*(drain(c) for c in conns[:relays]))
            elapsed = time.perf_counter() - t0
            left = await conns[0].fetchval("SELECT count(*) FROM outbox_events WHERE position IS NULL")
            rates[relays] = events / elapsed
            print(
                f"relay: {events} events over 8 tenants by {relays} relay(s) in {elapsed:.2f} s = "
                f"{rates[relays]:,.0f} events/s ({left} left unnumbered)"
            )
            await conns[0].execute("DELETE FROM outbox_events WHERE tenant_id = ANY($1::uuid[])", tenants)
        print(f"  4 relays / 1 relay = {rates[4] / rates[1]:.2f}x")
    finally:
        for conn in conns:
            await conn.close()


# The tables the relay reads on every round, which each run's relay phase fills and empties again.
CHURNED = ("outbox_events", "event_streams", "event_log_heads")


async def vacuum(url: str) -> None:
    """Vacuums what earlier runs churned, so that each run starts from the same tables. Each run writes,
    numbers and deletes 2 x E outbox rows; where autovacuum is off (this machine's Postgres) their dead
    rows piled up across runs, and the relay's first statement (is anything unpublished?) read 5,373
    pages of the partial index's dead entries, 13 ms, on every round: 1.3 M dead rows took the p50
    of commit -> publication from 12 to 35-42 ms and the delivery p99 from 65 to 104-124 ms."""
    conn = await asyncpg.connect(url)
    try:
        for table in CHURNED:
            await conn.execute(f"VACUUM (ANALYZE) {table}")
    finally:
        await conn.close()


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--idle", type=int, default=5000)
    p.add_argument("--followers", type=int, default=1000)
    p.add_argument("--changes", type=int, default=50)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--background-writes", type=float, default=0.0, metavar="PER_SECOND")
    args = p.parse_args()
    raise_fd_limit()
    url = await database(os.environ.get("DATABASE_URL"))
    from server.migrate import migrate

    await migrate(url)
    await vacuum(url)
    await bench_subscribers(url, args.idle, args.followers, args.changes, args.background_writes)
    await bench_relay(url, args.events)


if __name__ == "__main__":
    asyncio.run(main())
