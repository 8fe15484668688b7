"""Baton beside PostGraphile v4 on the same database, the same reads, the same load generator.

    python -m bench.peer                        (or: make bench-peer)

Uses DATABASE_URL when set, else the embedded Postgres under .baton/bench. Seeds the bench tenant
(bench/seed.py: 2,000 three-line orders by default, every second one shipped with two tracking
events), installs PostGraphile v4 with npm into .baton/peer (once; never committed), and starts both
servers, one process each: `baton serve`, and PostGraphile over Baton's own tables (in system scope,
so row-level security lets it read the bench tenant's rows; a smart tag lets it follow an order's
timeline, which has no foreign key). Then, for each query, it checks both answer, and drives them in
turn with bench/loadgen.py (32 keep-alive connections, closed loop, GraphQL variables as clients send
them), PostGraphile first, for a number of rounds, and prints req/s, latency and the ratio of the best
rounds. The target of the read-compiler issue is Baton at 1.0x or more; nothing fails below it.

The queries ask each server for the same data in its own schema: Baton's Money objects are
PostGraphile's bigint columns, Baton's `quantityShipped` is PostGraphile's shipment lines of the order
line, Baton's carrier name is PostGraphile's carrier code."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench import seed
from bench.order_by_number import (
    UNTHROTTLED,
    Server,
    database,
    drive,
    header,
    row,
    start_server,
    stop,
    wait_healthy,
)

PEER_DIR = Path(".baton/peer")
PEER_VERSION = "4.14.1"
PEER_BIN = PEER_DIR / "node_modules" / ".bin" / "postgraphile"
TARGET = 1.0
# PostGraphile reads smart tags from this file in its working directory.
TAGS = {
    "version": 1,
    "config": {
        "class": {"timeline_entries": {"tags": {"foreignKey": "(subject_id) references orders (id)"}}}
    },
}

QUERIES: dict[str, tuple[str, str, str]] = {
    # name: (what, Baton's document, PostGraphile's document)
    "q1": (
        "Q1 orderByNumber with lines",
        "query($n: String!) { orderByNumber(number: $n) { id number status total { amount currencyCode } "
        "lines { sku quantity unitPrice { amount } } } }",
        "query($t: UUID!, $n: Int!) { orderByTenantIdAndNumber(tenantId: $t, number: $n) { id number status "
        "total currency orderLinesByOrderId(orderBy: POSITION_ASC) { nodes { sku quantity unitPrice } } } }",
    ),
    "q2": (
        "Q2 orders(first: 20) with customer and lines",
        "query { orders(first: 20) { nodes { id number status total { amount currencyCode } "
        "customer { email } lines { sku quantity unitPrice { amount } } } } }",
        "query { allOrders(first: 20, orderBy: [CREATED_AT_DESC, ID_DESC]) { nodes { id number status total "
        "currency customerByCustomerId { email } orderLinesByOrderId(orderBy: POSITION_ASC) { nodes { sku "
        "quantity unitPrice } } } } }",
    ),
    "q3": (
        "Q3 the README's mobile order screen",
        "query($n: String!) { orderByNumber(number: $n) { id number status paymentStatus fulfillmentStatus "
        "total { amount currencyCode } lines { sku name quantity quantityShipped subtotal { amount } } "
        "shipments { carrier { name } trackingNumber trackingUrl status trackingEvents { status occurredAt "
        "location description } } events { type message occurredAt } } }",
        "query($t: UUID!, $n: Int!) { orderByTenantIdAndNumber(tenantId: $t, number: $n) { id number status "
        "paymentStatus fulfillmentStatus total currency orderLinesByOrderId(orderBy: POSITION_ASC) { nodes { "
        "sku name quantity subtotal shipmentLinesByOrderLineId { nodes { quantity } } } } "
        "shipmentsByOrderId(orderBy: CREATED_AT_ASC) { nodes { carrier trackingNumber trackingUrl status "
        "trackingEventsByShipmentId(orderBy: OCCURRED_AT_ASC) { nodes { status occurredAt location "
        "description } } } } timelineEntriesBySubjectId(orderBy: ID_ASC) { nodes { type message occurredAt "
        "} } } }",
    ),
}


def install_peer() -> None:
    if PEER_BIN.exists():
        return
    print(f"Installing PostGraphile {PEER_VERSION} with npm into {PEER_DIR} (once) ...", flush=True)
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    (PEER_DIR / "package.json").write_text(json.dumps({"name": "baton-bench-peer", "private": True}))
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", f"postgraphile@{PEER_VERSION}"],
        cwd=PEER_DIR,
        check=True,
    )


def system_scope(url: str) -> str:
    """The URL with `app.scope=system` set for the session, as Baton's own background workers run."""
    return url + ("&" if "?" in url else "?") + "options=-c%20app.scope%3Dsystem"


def start_peer(url: str) -> Server:
    (PEER_DIR / "postgraphile.tags.json5").write_text(json.dumps(TAGS))
    argv = ["node", str(PEER_BIN.resolve()), "--connection", system_scope(url), "--schema", "public"]
    options = ["--host", "127.0.0.1", "--disable-query-log", "--disable-graphiql"]
    return start_server("pg4", [*argv, *options], dict(os.environ), cwd=PEER_DIR)  # tags file: its cwd


def start_baton(url: str) -> Server:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1", **UNTHROTTLED}
    return start_server("baton", [sys.executable, "-m", "server.cli", "serve"], env)


def post(port: int, key: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def wait_answering(server: Server, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited ({server.process.returncode}); see {server.log}")
        try:
            if "data" in post(server.port, "", "{ __typename }", {}):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{server.name} did not answer in {timeout:.0f}s; see {server.log}")


def bodies(name: str, document: str, numbers: list[int], tenant: str, peer: bool) -> list[list[str]]:
    if name == "q2":
        return [["/graphql", json.dumps({"query": document})]]
    if peer:
        return [
            ["/graphql", json.dumps({"query": document, "variables": {"t": tenant, "n": n}})] for n in numbers
        ]
    return [["/graphql", json.dumps({"query": document, "variables": {"n": str(n)}})] for n in numbers]


def check(name: str, baton: dict[str, Any], peer: dict[str, Any]) -> None:
    """Both answered without errors, with an order (or a page of orders) carrying lines."""
    for server, answer in (("Baton", baton), ("PostGraphile", peer)):
        if answer.get("errors") or not answer.get("data"):
            raise SystemExit(f"{name}: {server} answered {json.dumps(answer)[:600]}")
    if name == "q2":
        sizes = len(baton["data"]["orders"]["nodes"]), len(peer["data"]["allOrders"]["nodes"])
    else:
        order = peer["data"]["orderByTenantIdAndNumber"]
        sizes = len(baton["data"]["orderByNumber"]["lines"]), len(order["orderLinesByOrderId"]["nodes"])
    if sizes[0] != sizes[1]:
        raise SystemExit(f"{name}: Baton and PostGraphile return different amounts of data: {sizes}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per server and round")
    p.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each measurement")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--orders", type=int, default=2000, help="orders in the benchmark tenant")
    p.add_argument(
        "--rounds", type=int, default=2, help="PostGraphile, then Baton, this many times per query"
    )
    p.add_argument("--queries", default="q1,q2,q3", help="which of q1,q2,q3 to run")
    args = p.parse_args()

    started = time.monotonic()
    url = database()
    tenant = asyncio.run(seed.ensure(url, args.orders))
    shipped = asyncio.run(seed.ensure_shipped(url, tenant.tenant_id))
    numbers = tenant.numbers[: args.orders]
    print(f"Tenant {seed.NAME!r}: {len(numbers)} orders of 3 lines, {shipped} of them shipped")
    install_peer()

    servers: list[Server] = []
    files: list[Path] = []
    summary: list[tuple[str, float, float]] = []
    try:
        baton, peer = start_baton(url), start_peer(url)
        servers += [baton, peer]
        wait_healthy(baton)
        wait_answering(peer)
        print(
            f"{args.concurrency} concurrent keep-alive clients, {args.warmup:g} s warm-up + {args.duration:g} s "
            f"measured per round, one process each, {os.cpu_count()} CPUs shared by both servers' turns, "
            "Postgres and the load generator\n"
        )
        for name in args.queries.split(","):
            what, ours, theirs = QUERIES[name]
            tenant_id = str(tenant.tenant_id)
            n = numbers[len(numbers) // 2]
            check(
                name,
                post(baton.port, tenant.api_key, ours, {} if name == "q2" else {"n": str(n)}),
                post(peer.port, "", theirs, {} if name == "q2" else {"t": tenant_id, "n": n}),
            )
            request_files = {}
            for server, document, is_peer in ((peer, theirs, True), (baton, ours, False)):
                path = Path(tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".json")[1])
                path.write_text(json.dumps(bodies(name, document, numbers, tenant_id, is_peer)))
                files.append(path)
                request_files[server.name] = path
            print(what)
            print(header())
            results: dict[str, list[dict[str, Any]]] = {"pg4": [], "baton": []}
            for _ in range(args.rounds):
                for server in (peer, baton):
                    key = "" if server is peer else tenant.api_key  # PostGraphile refuses unknown tokens
                    r = drive(server, url, key, request_files[server.name], args)
                    results[server.name].append(r)
                    print(row(server.name, r), flush=True)
            if any(r["errors"] for rs in results.values() for r in rs):
                print(
                    "WARNING: some answers were errors (see the server logs); the figures are not comparable"
                )
            best_baton = max(r["rps"] for r in results["baton"])
            best_peer = max(r["rps"] for r in results["pg4"])
            print(f"Baton / PostGraphile: {best_baton / best_peer:.2f}x\n")
            summary.append((what, best_baton, best_peer))
        print(f"{'query':<46}{'Baton req/s':>13}{'PostGraphile':>14}{'ratio':>8}")
        for what, ours_rps, theirs_rps in summary:
            print(f"{what:<46}{ours_rps:>13.0f}{theirs_rps:>14.0f}{ours_rps / theirs_rps:>7.2f}x")
        print(
            f"(target {TARGET:.1f}x; best of {args.rounds} rounds each; took {time.monotonic() - started:.0f} s)"
        )
    finally:
        for server in servers:
            stop(server)
        for path in files:
            path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
