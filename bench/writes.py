"""Write benchmark: `orderCreate` against pgbench's TPC-B-like transaction on the same Postgres.

    python -m bench.writes                       (or: make bench-writes)

Uses DATABASE_URL when set, else the embedded Postgres under .baton/bench (bench/order_by_number.py). Runs:

1. pgbench's built-in TPC-B-like script (/usr/bin/pgbench) on its own tables, kept in a schema of their
   own (`pgbench`, through search_path), so Baton's tables are untouched: 16 clients, the same seconds;
2. one `baton serve` process, driven by bench/loadgen.py with 16 keep-alive clients, each sending
   `orderCreate` for 3 lines from deep stock (bench/write_seed.py: a tenant of its own);
3. the hot-SKU case: the same, with every order's first line the same SKU; then a sell-out, where that SKU
   has a few hundred units left and the 16 clients race for them;
4. orderConfirm, orderMarkPaid, shipmentCreate and inventoryAdjust, a shorter run each, on the objects the
   runs before left waiting for them (bench/write_phases.py).

Prints requests/s, pgbench tps and the ratio, the server's CPU per request (from /proc/<pid>/stat, before
and after, warm-up included), the statements Postgres receives (counted in-process, as the tests count
them: for orderCreate the use case's own unit of work, and for all the whole request, with the audit
log's transaction), Postgres's commits per request under the load, the relay's lag (events the relay has not yet given a position and the age of the
oldest, sampled during the load and at its end), and the hot level's checks: units oversold, committed
against what open allocations hold, and the ledger against the balances. The figures are for people;
nothing fails on them. Issue 13's targets: >= 0.5x pgbench (hot SKU >= 0.3x), <= 2 ms CPU per order,
<= 8 statements per three-line order."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bench import write_phases, write_profile, write_seed
from bench.order_by_number import (
    UNTHROTTLED,
    Server,
    cpu_seconds,
    database,
    run_load,
    start_server,
    stop,
    wait_healthy,
)
from bench.write_counting import statements_of_request, statements_of_use_case
from domain.orders.inputs import AddressInput, CustomerInput, LineInput, OrderInput
from domain.orders.status import SalesChannel
from domain.uow import UnitOfWork
from domain.workflows.placing import place_order

PGBENCH = "/usr/bin/pgbench"
PGBENCH_SCHEMA = "pgbench"
ORDER_CREATE = """mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
  order { id number status total { amount currencyCode } }
  userErrors { field message code } } }"""


def order_input(i: int, hot: bool) -> dict[str, Any]:
    skus = write_seed.SKUS
    lines = [skus[(i + k * 7) % len(skus)] for k in range(3)]
    if hot:
        lines[0] = write_seed.HOT
    return {
        "channel": "WEB",
        "customer": {
            "email": f"buyer{i % 500}@writes.example",
            "firstName": "Bench",
            "lastName": f"Buyer{i}",
        },
        "shippingAddress": {
            "name": "Bench Buyer",
            "line1": f"{i} Write St",
            "city": "Springfield",
            "postalCode": "12345",
            "countryCode": "US",
        },
        "lines": [{"sku": sku, "quantity": 1 + (i + k) % 3} for k, sku in enumerate(lines)],
        "tags": ["bench-writes"],
    }


def requests_file(document: str, variables: list[dict[str, Any]]) -> Path:
    path = Path(tempfile.mkstemp(prefix="bench-writes-", suffix=".json")[1])
    bodies = [json.dumps({"query": document, "variables": v}) for v in variables]
    path.write_text(json.dumps([["/graphql", body] for body in bodies]))
    return path


async def place_one(engine: AsyncEngine, tenant: write_seed.WriteTenant) -> None:
    """The use case itself, as orderCreate calls it, for its statement count."""
    raw = order_input(0, False)
    c, a = raw["customer"], raw["shippingAddress"]
    data = OrderInput(
        channel=SalesChannel.WEB,
        customer=CustomerInput(c["email"], c["firstName"], c["lastName"]),
        shipping_address=AddressInput(a["name"], a["line1"], a["city"], a["postalCode"], a["countryCode"]),
        lines=[LineInput(line["sku"], line["quantity"]) for line in raw["lines"]],
        tags=raw["tags"],
    )
    await place_order(UnitOfWork(engine, tenant.tenant_id, "bench"), data)


# --- pgbench -------------------------------------------------------------------------------------------


def pgbench(url: str, clients: int, seconds: float, scale: int) -> float:
    """TPC-B-like tps on the same server, pgbench's tables in their own schema; initialised once."""
    env = {**os.environ, "PGOPTIONS": f"-c search_path={PGBENCH_SCHEMA}"}
    subprocess.run(["psql", url, "-qc", f"CREATE SCHEMA IF NOT EXISTS {PGBENCH_SCHEMA}"], check=True, env=env)
    check = subprocess.run(
        ["psql", url, "-Atc", f"SELECT count(*) FROM {PGBENCH_SCHEMA}.pgbench_branches"],
        capture_output=True,
        text=True,
        env=env,
    )
    if check.returncode != 0 or check.stdout.strip().splitlines()[-1:] != [str(scale)]:
        print(f"pgbench: initialising scale {scale} in schema {PGBENCH_SCHEMA} (once) ...", flush=True)
        subprocess.run([PGBENCH, "-i", "-q", "-s", str(scale), url], check=True, env=env, capture_output=True)
    out = subprocess.run(
        [PGBENCH, "-c", str(clients), "-j", "2", "-T", str(int(seconds)), "-n", url],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    for line in out.splitlines():
        if line.startswith("tps = "):
            return float(line.split()[2])
    raise SystemExit(f"pgbench printed no tps:\n{out}")


# --- one load run ----------------------------------------------------------------------------------------


class LagSampler(threading.Thread):
    """Samples the relay's lag once a second while the load runs."""

    def __init__(self, url: str, tenant: write_seed.WriteTenant) -> None:
        super().__init__(daemon=True)
        self.url, self.tenant, self.samples = url, tenant, []  # type: ignore[var-annotated]
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            self.samples.append(asyncio.run(write_seed.relay_lag(self.url, self.tenant.tenant_id)))


def load(
    server: Server,
    url: str,
    tenant: write_seed.WriteTenant,
    path: Path,
    args: argparse.Namespace,
    duration: float,
    profiled: bool = False,
) -> dict[str, Any]:
    sampler = LagSampler(url, tenant)
    spy = write_profile.start(server.process.pid, args.profile, args.warmup + duration) if profiled else None
    cpu_before = cpu_seconds(server.process.pid)
    commits_before = asyncio.run(write_seed.commits(url))
    sampler.start()
    result = run_load(server, path, tenant.api_key, args.concurrency, args.warmup, duration)
    cpu_after = cpu_seconds(server.process.pid)
    commits_after = asyncio.run(write_seed.commits(url))
    if spy is not None:
        spy.wait()
    sampler.done.set()
    sampler.join()
    end = asyncio.run(write_seed.relay_lag(url, tenant.tenant_id))
    result["cpu_ms"] = (cpu_after - cpu_before) / max(result["total"], 1) * 1000
    # the relay's, the workers' and the lag sampler's included, as the server's CPU includes theirs
    result["commits"] = (commits_after - commits_before) / max(result["total"], 1)
    result["lag_max_s"] = max([s["oldest_s"] for s in sampler.samples] + [end["oldest_s"]])
    result["lag_end"] = end
    return result


def show(name: str, r: dict[str, Any], tps: float, statements: str | None, unit: str = "orders") -> None:
    end = r["lag_end"]
    print(
        f"{name:<15}{r['rps']:>7.0f} {unit}/s   {r['rps'] / tps:>5.2f}x pgbench   CPU {r['cpu_ms']:>5.2f} ms/{unit[:-1]}"
        f"   p50 {r['p50_ms']:>6.1f} ms   p99 {r['p99_ms']:>6.1f} ms   errors {r['errors']}"
        + (f"   statements/{unit[:-1]} {statements}" if statements is not None else "")
    )
    print(f"{'':<15}Postgres commits per {unit[:-1]} under the load: {r['commits']:.2f}")
    print(
        f"{'':<15}relay lag: max {r['lag_max_s']:.2f} s during the load; at the end {end['oldest_s']:.2f} s "
        f"({end['behind']:.0f} events without a position; newest event {end['newest_gap_s']:.2f} s after the "
        f"newest positioned one; head {end['head']:.0f})",
        flush=True,
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per run")
    p.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each run")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--scale", type=int, default=16, help="pgbench scale factor (branches)")
    p.add_argument("--other-duration", type=float, default=4.0, help="measured seconds per other mutation")
    p.add_argument("--show-sql", action="store_true", help="print the statements of one orderCreate")
    p.add_argument("--create-only", action="store_true", help="stop after orderCreate and the hot SKU")
    p.add_argument("--sell-out", type=int, default=300, help="units of the hot SKU left for the sell-out")
    p.add_argument(
        "--profile",
        type=Path,
        help="sample the server with py-spy during the orderCreate run into this file, print where its "
        "CPU goes (bench/write_profile.py), and stop after that run",
    )
    args = p.parse_args()

    started = time.monotonic()
    url = database()
    tenant: write_seed.WriteTenant | None = None
    tps = pgbench(url, args.concurrency, args.duration, args.scale)
    print(
        f"pgbench TPC-B-like: {tps:.0f} tps ({args.concurrency} clients, scale {args.scale}, "
        f"{args.duration:g} s, schema {PGBENCH_SCHEMA})"
    )
    tenant = asyncio.run(write_seed.ensure(url))
    asyncio.run(write_seed.restock(url, tenant, write_seed.HOT, write_seed.DEEP))
    sent = statements_of_request(url, tenant.api_key, ORDER_CREATE, {"input": order_input(0, False)})
    own = statements_of_use_case(url, lambda engine: place_one(engine, tenant))
    statements = f"{len(own)} ({len(sent)} in the whole request)"
    if args.show_sql:
        for what, seen in (("the use case's unit of work", own), ("the whole request", sent)):
            print(f"Statements of one orderCreate, {what}:")
            for sql in seen:
                line = " ".join(sql.split())
                print("   ", line[:150] + (" …" if len(line) > 150 else ""))

    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1", **UNTHROTTLED}
    server = start_server("baton-writes", [sys.executable, "-m", "server.cli", "serve"], env)
    files: list[Path] = []
    try:
        wait_healthy(server)
        print(
            f"orderCreate, 3 lines, {args.concurrency} keep-alive clients, one `baton serve`, "
            f"{args.warmup:g} s warm-up + {args.duration:g} s, {os.cpu_count()} CPUs shared with Postgres "
            "and the load generator\n"
        )
        deep = requests_file(ORDER_CREATE, [{"input": order_input(i, False)} for i in range(4000)])
        hot = requests_file(ORDER_CREATE, [{"input": order_input(i, True)} for i in range(4000)])
        files += [deep, hot]
        created = load(server, url, tenant, deep, args, args.duration, profiled=args.profile is not None)
        show("orderCreate", created, tps, statements)
        if args.profile is not None:
            print(write_profile.summary(args.profile, created["cpu_ms"]))
            return 0
        show("hot SKU", load(server, url, tenant, hot, args, args.duration), tps, None)
        check = asyncio.run(write_seed.stock_check(url, tenant, write_seed.HOT))
        report_stock("hot SKU", check)
        if args.create_only:
            return 0

        asyncio.run(write_seed.restock(url, tenant, write_seed.HOT, args.sell_out))
        before = asyncio.run(write_seed.stock_check(url, tenant, write_seed.HOT))
        sold = load(server, url, tenant, hot, argparse.Namespace(**{**vars(args), "warmup": 0.0}), 5.0)
        after = asyncio.run(write_seed.stock_check(url, tenant, write_seed.HOT))
        print(
            f"sell-out        {args.sell_out} units of {write_seed.HOT} left; {sold['requests']} orders tried "
            f"in 5 s; {after['committed'] - before['committed']} units sold"
        )
        report_stock("sell-out", after)

        print()
        for mutation in write_phases.MUTATIONS:
            document, variables = write_phases.requests(url, tenant, mutation)
            if len(variables) < 2:
                print(f"{mutation:<15}skipped: nothing left to act on")
                continue
            warm, counted = variables[-1], variables[-2]
            rest = variables[:-2] if write_phases.pooled(mutation) else variables
            sent = statements_of_request(url, tenant.api_key, document, counted, warm)
            path = requests_file(document, rest)
            files.append(path)
            short = argparse.Namespace(**{**vars(args), "warmup": 1.0})
            r = load(server, url, tenant, path, short, args.other_duration)
            show(mutation, r, tps, f"{len(sent)} in the whole request", unit="requests")
            if write_phases.pooled(mutation) and r["total"] > len(rest):
                print(
                    f"{'':<15}WARNING: {r['total']} requests for {len(rest)} objects: the rest were refused"
                )
    finally:
        stop(server)
        for path in files:
            path.unlink(missing_ok=True)
        if tenant is not None:
            asyncio.run(write_seed.restock(url, tenant, write_seed.HOT, write_seed.DEEP))
    print(f"\n(took {time.monotonic() - started:.0f} s; server log in .baton/bench/baton-writes.log)")
    return 0


def report_stock(name: str, c: dict[str, int]) -> None:
    oversold = max(0, c["committed"] - c["on_hand"])
    print(
        f"{name:<15}oversold units: {oversold}; onHand {c['on_hand']}, committed {c['committed']} "
        f"(open allocations hold {c['held']}: {'equal' if c['held'] == c['committed'] else 'DIFFERENT'}); "
        f"ledger sums onHand {c['ledger_on_hand']}, committed {c['ledger_committed']} "
        f"({'balanced' if (c['ledger_on_hand'], c['ledger_committed']) == (c['on_hand'], c['committed']) else 'NOT balanced'})",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
