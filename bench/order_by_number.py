"""Load benchmark of the hottest read, `orderByNumber` with its lines, against a floor.

    python -m bench.order_by_number            (or: make bench)

Uses DATABASE_URL when set, else an embedded Postgres under .baton/bench. Migrates, seeds one tenant with
a few hundred three-line orders through the domain use cases (once per database), then starts:

- Baton, as `baton serve` (one uvicorn worker) in a subprocess;
- the floor (bench/floor.py): Starlette + asyncpg sending Postgres the same statements Baton sends;

checks that both give the same answer, and drives each in turn from a load generator in its own process
(bench/loadgen.py: 32 keep-alive connections, closed loop) for a warm-up and a measured window: the floor,
then Baton, two rounds by default, the best of each compared (about a minute in all). Prints
req/s and latency percentiles for both, the ratio Baton/floor, the server's CPU per request, the CPU
share of server, load generator and whole machine, and how many Postgres connections each opened while
under load (from pg_stat_database). Everything it started is stopped.
The target is Baton at 45% or more of the floor; nothing fails below it: the figures are for people.

Before measuring, it records the statements Baton sends for one request (SQLAlchemy events, in-process)
and warns when they no longer match the floor's; --show-sql prints them."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from bench import floor, seed
from server.settings import Settings

QUERY = (
    "query($n: String!) { orderByNumber(number: $n) { id number status total { amount currencyCode } "
    "lines { sku quantity unitPrice { amount } } } }"
)
DATA_DIR = Path(".baton/bench")
# One key sends every request here, far past a key's rate limit: the limit is not what is measured.
UNTHROTTLED = {"BATON_COST_BUCKET": "1e12", "BATON_COST_RESTORE_RATE": "1e12"}
TARGET = 0.45


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database() -> str:
    """DATABASE_URL, else the embedded Postgres under DATA_DIR; migrated."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL")
    if url:
        print("Postgres: DATABASE_URL")
    else:
        from server.embedded_pg import start

        url = start(DATA_DIR, "bench")
        print(f"Postgres: embedded, in {DATA_DIR}")
    url = url.replace("postgresql+asyncpg://", "postgresql://")
    from server.migrate import migrate

    asyncio.run(migrate(url))
    return url


def start_server(name: str, argv: list[str], env: dict[str, str], cwd: Path | None = None) -> Server:
    port = free_port()
    log = DATA_DIR / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*argv, "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, port, process, log)


def wait_healthy(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited ({server.process.returncode}); see {server.log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{server.name} did not become healthy in {timeout:.0f}s; see {server.log}")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)  # its own session: uvicorn and anything it forked
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


def post(port: int, key: str, number: int) -> dict[str, Any]:
    body = json.dumps({"query": QUERY, "variables": {"n": str(number)}}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


async def sessions_opened(url: str) -> int:
    """Connections ever made to this database, as Postgres counts them (a pool that keeps closing and
    reopening connections shows here). Transaction counts are not used: backends publish them lazily."""
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
    finally:
        await conn.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children."""
    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        t = p.cpu_times()
        total += t.user + t.system
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine so far."""
    t = psutil.cpu_times()
    return t.user + t.system + t.nice + getattr(t, "irq", 0) + getattr(t, "softirq", 0), t.idle


def busy_pct(before: tuple[float, float], after: tuple[float, float]) -> float:
    busy, idle = after[0] - before[0], after[1] - before[1]
    return busy / (busy + idle) * 100 if busy + idle > 0 else float("nan")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_load(
    server: Server, requests_file: Path, key: str, concurrency: int, warmup: float, duration: float
) -> dict[str, Any]:
    """bench/loadgen.py's figures for the requests in the file, sent to the server as `key`."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.loadgen",
            "--port",
            str(server.port),
            "--requests",
            str(requests_file),
            *(["--header", f"Authorization: Bearer {key}"] if key else []),
            "--concurrency",
            str(concurrency),
            "--warmup",
            str(warmup),
            "--duration",
            str(duration),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def drive(
    server: Server, url: str, key: str, requests_file: Path, args: argparse.Namespace
) -> dict[str, Any]:
    quiet_from = machine_busy()
    time.sleep(0.5)
    background = busy_pct(quiet_from, machine_busy())  # what else is running on the machine
    sessions_before = asyncio.run(sessions_opened(url))
    cpu_before, busy_before, gen_before = cpu_seconds(server.process.pid), machine_busy(), children_cpu()
    result = run_load(server, requests_file, key, args.concurrency, args.warmup, args.duration)
    cpu_after, busy_after, gen_after = cpu_seconds(server.process.pid), machine_busy(), children_cpu()
    sessions_after = asyncio.run(sessions_opened(url))
    total = max(result["total"], 1)  # the CPU figures cover warm-up and measurement alike
    window = args.warmup + args.duration
    result["cpu_us_per_req"] = (cpu_after - cpu_before) / total * 1e6
    result["server_cpu_pct"] = (cpu_after - cpu_before) / window * 100
    result["gen_cpu_pct"] = (gen_after - gen_before) / window * 100
    result["machine_busy_pct"] = busy_pct(busy_before, busy_after)
    result["background_pct"] = background
    result["new_sessions"] = sessions_after - sessions_before - 1  # less this script's own
    return result


def baton_statements(url: str, key: str, number: int) -> list[tuple[str, str]]:
    """Baton's statements for one request (API key cached), in-process over ASGI, as Postgres receives
    them: (SQL, parameters) pairs. The read path runs on the asyncpg connections, so asyncpg's query
    logger sees it; SQLAlchemy's own statements (prepared, which that logger misses) come from its events."""
    import httpx
    from sqlalchemy import event

    from server.app import create_app
    from server.settings import Settings

    async def capture() -> list[tuple[str, str]]:
        settings = Settings(**{**Settings.from_env().__dict__, "database_url": url})
        app = create_app(settings, url)
        engine = app.state.engine.sync_engine
        log: list[tuple[str, str]] = []

        def logged(record: Any) -> None:
            if "typeinfo_tree" not in record.query and "'jit'" not in record.query:  # driver cache fills
                log.append((record.query, str(record.args) if record.args else ""))

        app.state.reads.watch(logged)
        event.listen(
            engine,
            "before_cursor_execute",
            lambda conn, cursor, statement, parameters, context, many: log.append(
                (statement, str(parameters))
            ),
        )
        body = {"query": QUERY, "variables": {"n": str(number)}}
        headers = {"Authorization": f"Bearer {key}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await client.post("/graphql", json=body, headers=headers)  # looks the API key up, then caches it
            await asyncio.sleep(0.05)
            log.clear()
            await client.post("/graphql", json=body, headers=headers)
            await asyncio.sleep(0.05)  # asyncpg hands records to its loggers on a later loop turn
        await app.state.reads.close()
        await app.state.engine.dispose()
        return log

    return asyncio.run(capture())


def check_floor_mirrors_baton(url: str, key: str, number: int, show: bool) -> None:
    statements = baton_statements(url, key, number)
    if show:
        print("Baton's statements for one orderByNumber request (API key cached):")
        for sql, params in statements:
            line = " ".join(sql.split()) + (f"   -- {params}" if params else "")
            print("   ", line[:160] + (" …" if len(line) > 160 else ""))
        print()
    sent = [re.sub(r"'[0-9a-f-]{36}'", "'{tenant}'", sql) for sql, _ in statements]
    if sent == list(floor.STATEMENTS):
        print(f"The floor sends the same {len(statements)} statements as Baton (checked by a statement log).")
    else:
        print(
            "WARNING: Baton's statements for this request changed; bench/floor.py no longer mirrors them "
            "(see --show-sql). The ratio below compares different work."
        )


COLUMNS = [
    ("req/s", "rps", 8, 0),
    ("p50 ms", "p50_ms", 8, 1),
    ("p90 ms", "p90_ms", 8, 1),
    ("p99 ms", "p99_ms", 8, 1),
    ("errors", "errors", 7, 0),
    ("CPU µs/req", "cpu_us_per_req", 11, 0),
    ("server CPU%", "server_cpu_pct", 12, 0),
    ("loadgen CPU%", "gen_cpu_pct", 13, 0),
    ("box CPU%", "machine_busy_pct", 9, 0),
    ("new conns", "new_sessions", 10, 0),
]


def header() -> str:
    return f"{'':<7}" + "".join(f"{title:>{width}}" for title, _, width, _ in COLUMNS)


def row(name: str, r: dict[str, Any]) -> str:
    return f"{name:<7}" + "".join(f"{r[key]:>{width}.{digits}f}" for _, key, width, digits in COLUMNS)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per server and round")
    p.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each measurement")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--orders", type=int, default=300, help="orders in the benchmark tenant")
    p.add_argument("--rounds", type=int, default=2, help="floor, then Baton, this many times; best of each")
    p.add_argument("--show-sql", action="store_true", help="print Baton's statements for one request")
    args = p.parse_args()

    started = time.monotonic()
    url = database()
    tenant = asyncio.run(seed.ensure(url, args.orders))
    numbers = tenant.numbers[: args.orders]
    print(f"Tenant {seed.NAME!r}: {len(numbers)} orders of 3 lines")

    requests_file = Path(tempfile.mkstemp(prefix="bench-requests-", suffix=".json")[1])
    requests_file.write_text(
        json.dumps([["/graphql", json.dumps({"query": QUERY, "variables": {"n": str(n)}})] for n in numbers])
    )
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1", **UNTHROTTLED}
    floor_env = {**env, "BENCH_API_KEY": tenant.api_key, "BENCH_TENANT_ID": str(tenant.tenant_id)}
    servers: list[Server] = []
    try:
        servers.append(start_server("baton", [sys.executable, "-m", "server.cli", "serve"], env))
        servers.append(start_server("floor", [sys.executable, "-m", "bench.floor"], floor_env))
        baton, floor_server = servers
        for server in servers:
            wait_healthy(server)
        for n in (numbers[0], numbers[-1]):
            answers = {s.name: post(s.port, tenant.api_key, n) for s in servers}
            # Baton's answers also report their cost (extensions.cost), which the floor does not price.
            if answers["baton"].get("data") != answers["floor"].get("data") or "errors" in answers["baton"]:
                raise SystemExit(f"Baton and the floor disagree on order {n}:\n{answers}")
        print("Both answer the same JSON for the same order.\n")
        check_floor_mirrors_baton(url, tenant.api_key, numbers[0], args.show_sql)

        settings = Settings.from_env()
        print(
            f"Baton: `baton serve`, {settings.db_connections} DB connections in all, log level {settings.log_level} "
            "(BATON_* variables apply); the floor: the same uvicorn settings, a fixed pool of "
            f"{floor.POOL_SIZE} connections."
        )
        print(
            f"orderByNumber with lines, {args.concurrency} concurrent keep-alive clients, "
            f"{args.warmup:g} s warm-up + {args.duration:g} s measured, one uvicorn worker each, "
            f"{os.cpu_count()} CPUs shared by server, Postgres and load generator\n"
        )
        print(header())
        results: dict[str, list[dict[str, Any]]] = {"floor": [], "baton": []}
        busy_before = []
        for _ in range(args.rounds):
            for server in (floor_server, baton):
                r = drive(server, url, tenant.api_key, requests_file, args)
                results[server.name].append(r)
                busy_before.append(r["background_pct"])
                print(row(server.name, r), flush=True)
        if max(busy_before) > 15:
            print(
                f"\nNote: the machine was up to {max(busy_before):.0f}% busy with other work just before a "
                "measurement; figures from a quiet machine are more trustworthy."
            )

        def best(name: str) -> dict[str, Any]:
            return max(results[name], key=lambda r: r["rps"])

        b, f = best("baton"), best("floor")
        ratio = b["rps"] / f["rps"]
        verdict = "meets" if ratio >= TARGET else "is below"
        label = f"best of {args.rounds} rounds each" if args.rounds > 1 else "req/s"
        print(
            f"\nBaton / floor ({label}): {ratio:.0%} of the floor's throughput "
            f"({b['rps']:.0f} vs {f['rps']:.0f} req/s); p50 {b['p50_ms'] / f['p50_ms']:.1f}x, "
            f"p99 {b['p99_ms'] / f['p99_ms']:.1f}x the floor's. Target {TARGET:.0%}: {verdict} it."
        )
        print(f"(took {time.monotonic() - started:.0f} s; server logs in {DATA_DIR}/)")
    finally:
        for server in servers:
            stop(server)
        requests_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
