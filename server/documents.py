"""`baton documents register|list --tenant <id>`: the documents a tenant's allow-listed API keys may run.
Registrations belong to that tenant alone (registered_documents, under row-level security), like the
documents its clients persist by hash; another tenant's keys neither run nor find them.

Each file is registered as it is, byte for byte: a client that sends its text (or the SHA-256 of it, as
persisted queries do) runs it. A file may hold several operations; the client picks one by operationName.
Every file must parse and validate against the schema first, so a typo is caught here and not in the app.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from graphql import GraphQLError, parse, validate

from domain.audit import service as audit
from domain.db import make_engine
from domain.documents import store
from server.cli_admin import required_tenant


def _problems(name: str, text: str) -> list[str]:
    from schema.schema import schema  # only here: building the schema is most of the command's start-up

    try:
        errors = validate(schema._schema, parse(text))
    except GraphQLError as exc:
        errors = [exc]
    return [f"{name}: {e.message}" for e in errors]


async def _register(url: str, tenant_id: uuid.UUID, files: list[tuple[str, str]]) -> list[store.Registered]:
    engine = make_engine(url, pool_size=1)
    try:
        registered = await store.register(engine, tenant_id, files)
        # An allow-list change is an administrative action: the shop's audit log records it.
        inputs = {"files": [name for name, _ in files], "sha256": [r.sha256 for r in registered]}
        await audit.record_cli(engine, tenant_id, "documents register", inputs, [])
        return registered
    finally:
        await engine.dispose()


async def _list(url: str, tenant_id: uuid.UUID) -> list[store.Registered]:
    engine = make_engine(url, pool_size=1)
    try:
        return await store.listed(engine, tenant_id)
    finally:
        await engine.dispose()


def register(args: argparse.Namespace, url: str) -> int:
    tenant_id = required_tenant(args.tenant)
    if tenant_id is None:
        return 2
    files, problems = [], []
    for path in args.files:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        problems += _problems(path, text)
        files.append((Path(path).name, text))
    if problems:
        print("\n".join(f"error: {p}" for p in problems), file=sys.stderr)
        return 2
    registered = asyncio.run(_register(url, tenant_id, files))
    _print(registered, args.json)
    return 0


def list_registered(args: argparse.Namespace, url: str) -> int:
    tenant_id = required_tenant(args.tenant)
    if tenant_id is None:
        return 2
    _print(asyncio.run(_list(url, tenant_id)), args.json, with_new=False)
    return 0


def _print(documents: list[store.Registered], as_json: bool, with_new: bool = True) -> None:
    if as_json:
        rows = [
            {"name": d.name, "sha256Hash": d.sha256, **({"new": d.new} if with_new else {})}
            for d in documents
        ]
        print(json.dumps({"documents": rows}))
        return
    for d in documents:
        print(f"{d.sha256}  {d.name}" + ("" if d.new or not with_new else "  (already registered)"))


def add_commands(sub: argparse._SubParsersAction, run: Callable[..., int]) -> None:
    """The `documents` subcommands; `run` is the CLI's command, which finds the database and calls
    the chosen `handler` with it."""
    documents = sub.add_parser("documents", help="documents that allow-listed API keys may run")
    actions = documents.add_subparsers(dest="action", required=True)
    reg = actions.add_parser("register", help="register .graphql files for a tenant; prints their SHA-256")
    reg.add_argument("--tenant", required=True, help="the tenant's id (UUID) or its Shop ID")
    reg.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    reg.add_argument("files", nargs="+", metavar="FILE", help=".graphql files, one or more operations each")
    reg.set_defaults(run=run, handler=register)
    listing = actions.add_parser("list", help="a tenant's registered documents")
    listing.add_argument("--tenant", required=True, help="the tenant's id (UUID) or its Shop ID")
    listing.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    listing.set_defaults(run=run, handler=list_registered)
