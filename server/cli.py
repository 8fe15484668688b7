"""The `baton` command: serve, worker, migrate, demo, tenant create|list, apikey create|list|revoke,
documents, audit verify, secrets, forecast-evaluate."""

from __future__ import annotations

import argparse
import asyncio
import errno
import gc
import importlib.metadata
import json
import logging
import signal
import socket
import sys
import uuid
from collections.abc import Callable

import asyncpg
from sqlalchemy.engine import make_url

from domain import secrets
from domain.audit import service as audit
from domain.db import make_engine
from domain.errors import DomainError
from domain.ids import to_global
from domain.tenancy import service as tenancy
from server import cli_admin, cli_forecast, documents, logs, secret_key
from server.settings import Settings, SettingsError


def database_url(settings: Settings) -> str:
    """Straight to Postgres: BATON_DATABASE_DIRECT_URL, else DATABASE_URL, else the embedded server
    under BATON_DATA_DIR. Migrations, the admin commands and whatever needs a session of its own."""
    if settings.database_direct_url:
        return settings.database_direct_url
    if settings.database_url:
        return settings.database_url
    from server.embedded_pg import start

    return start(settings.data_dir)


def request_url(settings: Settings, direct: str) -> str:
    """Where the request pools connect: DATABASE_URL, which may be a PgBouncer (BATON_PGBOUNCER)."""
    return settings.database_url or direct


def _port_taken(host: str, port: int) -> str | None:
    """Why `port` cannot be listened on (it is taken), or None: asked before anything is printed or
    started, so that the answer is one line rather than uvicorn's bare errno after the banner."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return exc.strerror or "address in use"
    return None


def _role_refused(url: str, settings: Settings, pooled: str | None = None) -> bool:
    """True (with the reason on stderr) when the database role defeats row-level security outside
    development, or the database cannot be reached at all: see server/dbrole.py. `pooled`, when it
    is another URL (a PgBouncer), is checked too: requests run as the role it connects as."""
    from server.dbrole import check_role

    for each in dict.fromkeys([url, pooled or url]):
        try:
            refusal = asyncio.run(check_role(each, settings.development, settings.pgbouncer and each != url))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            where = make_url(each).render_as_string(hide_password=True)
            print(f"error: cannot connect to the database at {where}: {exc}", file=sys.stderr)
            return True
        if refusal is not None:
            print(f"error: refusing to start: {refusal}", file=sys.stderr)
            return True
    return False


def _keys_refused(settings: Settings) -> bool:
    """True (with the reason on stderr) when no key seals stored secrets: see server/secret_key.py."""
    refusal = secret_key.install(settings)
    if refusal is not None:
        print(f"error: refusing to start: {refusal}", file=sys.stderr)
    return refusal is not None


def _migrate(url: str) -> None:
    from server.migrate import migrate

    asyncio.run(migrate(url))


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.app import create_app

    host, port = args.host or settings.host, args.port or settings.port
    if busy := _port_taken(host, port):
        print(f"error: port {port} is in use ({busy}): set BATON_PORT, or pass --port", file=sys.stderr)
        return 1
    url = database_url(settings)
    pooled = request_url(settings, url)
    if _role_refused(url, settings, pooled) or _keys_refused(settings) or _budget_refused(settings):
        return 1
    _migrate(url)
    if args.demo:
        from server import graphiql
        from server.demo import ensure_demo

        key = ensure_demo(url, settings.data_dir)
        graphql_url = f"http://{host}:{port}/graphql"
        query = "{ shop { name } orders(first: 3) { nodes { number status } } }"
        print(f"\nBaton is serving GraphQL at {graphql_url}")
        print(f"Demo tenant API key (ADMIN): {key}")
        print(f'Try: curl -s {graphql_url} -H "Authorization: Bearer {key}" \\')
        print(f"       -H 'Content-Type: application/json' -d '{json.dumps({'query': query})}'")
        if settings.development:
            print(f"GraphiQL, with the demo key filled in: {graphiql.link(graphql_url, key, query)}")
        print()
    app = create_app(settings, pooled, url)
    _tune_gc()
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting normally on it instead lets the
    # embedded Postgres be stopped on the way out (atexit), as it is on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.log_level,
        # uvicorn's loggers keep the handler server/logs.py set up, and its access line gives way
        # to server/access.py's, which has the time, the request id and the latency.
        log_config=None,
        access_log=False,
        proxy_headers=True,
        # Subscription messages are small JSON; per-connection deflate state costs more memory and CPU
        # than it saves on the wire (bench/live.py). BATON_WS_DEFLATE=1 turns it back on.
        ws_per_message_deflate=settings.ws_deflate,
    )
    return 0


def _budget_refused(settings: Settings) -> bool:
    """True (with the reason on stderr) when BATON_DB_CONNECTIONS cannot hold what serve opens."""
    from server.connections import for_serve

    try:
        budget = for_serve(settings)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return True
    logging.getLogger("baton.db").info(
        "connections: %d at most (writes %d, reads %d, straight to Postgres %d)",
        budget.total,
        budget.writes,
        budget.reads,
        budget.direct,
    )
    return False


def _tune_gc() -> None:
    """Everything loaded at start-up lives for good: keep the collector from walking it again and
    again, and let the young generation grow, since a GraphQL request makes many short-lived objects."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """The background loops without the HTTP server: run as many as you like beside `serve`."""
    url = database_url(settings)
    if _role_refused(url, settings) or _keys_refused(settings):
        return 1
    _migrate(url)
    asyncio.run(_work(url, settings))
    return 0


async def _work(url: str, settings: Settings) -> None:
    from domain.reading import plain_dsn
    from server.connections import for_worker
    from server.workers import Workers, delivery_loops

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # the relay and pruning, then webhooks, the sales rollup (emails, forecasts); and one connection for an
    # engine of the worker's own, on which overdue approvals are rejected and reordering drafts its orders
    loops = 2 + len(delivery_loops(settings)) + 1
    workers = Workers(plain_dsn(url), settings, for_worker(settings, loops).workers)
    await workers.start()
    logging.getLogger("baton.worker").info("worker running; SIGTERM stops it")
    await stop.wait()
    await workers.stop()  # cancels the loops between claims: a claimed batch rolls back, nothing is lost
    logging.getLogger("baton.worker").info("worker stopped")


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _migrate(database_url(settings))
    print("migrations applied")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from server.demo import ensure_demo

    url = database_url(settings)
    _migrate(url)
    key = ensure_demo(url, settings.data_dir)
    tenant = asyncio.run(principal_of(url, key))
    print(f"Demo tenant: {tenant} (Shop ID {to_global('Shop', tenant)})")
    print(f"Demo tenant API key (ADMIN): {key}")
    return 0


async def principal_of(url: str, key: str) -> uuid.UUID:
    engine = make_engine(url, pool_size=1)
    try:
        found = await tenancy.authenticate(engine, key)
    finally:
        await engine.dispose()
    assert found is not None, "ensure_demo returns a live key"
    return found.tenant_id


async def _verify_audit(url: str, tenant_id: uuid.UUID | None) -> int:
    engine = make_engine(url, pool_size=1)
    try:
        verdicts = await audit.verify(engine, tenant_id)
    finally:
        await engine.dispose()
    broken = [v for v in verdicts if v.broken]
    for v in broken:
        print(f"BROKEN tenant {v.tenant_id}: {v.broken} ({v.checked} entries verified before it)")
    if not broken:
        print(f"OK: {len(verdicts)} chains, {sum(v.checked for v in verdicts)} entries")
    return 1 if broken else 0


def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Recomputes the audit log's hash chains: exit 0 when every one holds, 1 at the first break."""
    tenant_id = cli_admin.tenant_id(args.tenant) if args.tenant else None
    if args.tenant and tenant_id is None:
        print("error: --tenant must be a tenant id (a UUID) or a Shop ID", file=sys.stderr)
        return 2
    return asyncio.run(_verify_audit(database_url(settings), tenant_id))


def cmd_secrets(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "new-key":
        print(secrets.new_key())
        return 0
    if _keys_refused(settings):
        return 1
    url = database_url(settings)
    _migrate(url)
    counts, tenants = asyncio.run(secret_key.rotate(url))
    for column, count in counts.items():
        print(f"{column}: {count} re-encrypted")
    asyncio.run(_audit_each(url, tenants, "secrets rotate"))
    return 0


async def _audit_each(url: str, tenants: set[uuid.UUID], command: str) -> None:
    """One entry in the audit log of every shop a cross-tenant command touched."""
    engine = make_engine(url, pool_size=1)
    try:
        for tenant_id in sorted(tenants):
            await audit.record_cli(engine, tenant_id, command, {}, [to_global("Shop", tenant_id)])
    finally:
        await engine.dispose()


def cmd_documents(args: argparse.Namespace, settings: Settings) -> int:
    return args.handler(args, database_url(settings))  # server/documents.py


def _with_url(
    command: Callable[[argparse.Namespace, str], int],
) -> Callable[[argparse.Namespace, Settings], int]:
    """A command that needs only the database, migrated."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        url = database_url(settings)
        _migrate(url)
        return command(args, url)

    return run


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="baton", description="Baton: order management over GraphQL")
    p.add_argument("--version", action="version", version=f"baton {importlib.metadata.version('baton')}")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, then serve GraphQL")
    serve.add_argument("--host", help="the address to listen on (default: BATON_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="the port to listen on (default: BATON_PORT, 8000)")
    serve.add_argument("--demo", action="store_true", help="seed a demo tenant first and print its key")
    serve.set_defaults(run=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)
    sub.add_parser(
        "worker", help="run the event relay, webhook delivery, email and forecast loops (no HTTP server)"
    ).set_defaults(run=cmd_worker)
    sub.add_parser("demo", help="seed the demo tenant (once) and print its key").set_defaults(run=cmd_demo)
    tenant = sub.add_parser("tenant", help="manage tenants").add_subparsers(dest="action", required=True)
    apikey = sub.add_parser("apikey", help="manage API keys").add_subparsers(dest="action", required=True)
    cli_admin.add_commands(tenant, apikey, _with_url)
    documents.add_commands(sub, cmd_documents)
    cli_forecast.add_commands(sub)
    secret_key.add_commands(sub, cmd_secrets)
    auditing = sub.add_parser("audit", help="the audit log").add_subparsers(dest="action", required=True)
    verify = auditing.add_parser("verify", help="recompute the audit log's hash chains; exit 1 on a break")
    verify.add_argument("--tenant", help="one tenant's chain, by id or Shop ID (default: every tenant's)")
    verify.set_defaults(run=cmd_audit_verify)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format)
    for note in settings.notes:
        logging.getLogger("baton.settings").warning("%s", note)
    secret_key.install(settings)  # when there are keys: migrations seal secrets stored in plain text
    try:
        return args.run(args, settings)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
