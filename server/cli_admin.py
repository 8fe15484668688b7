"""`baton tenant list`, `baton apikey list` and `baton apikey revoke`: what an operator needs to find a
shop and its keys, and to take a leaked key out of service, without a GraphQL client at hand. A tenant
is named by its id (a UUID) or its Shop's global ID, as the API shows it."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Callable
from typing import Any

from domain.audit import service as audit
from domain.db import make_engine
from domain.ids import parse_global, to_global
from domain.tenancy import admin
from domain.tenancy import service as tenancy
from domain.uow import UnitOfWork

Command = Callable[[argparse.Namespace, str], int]  # given the database URL
Runner = Callable[[argparse.Namespace, Any], int]  # given the settings, as every `baton` command is


def tenant_id(text: str) -> uuid.UUID | None:
    """A tenant's id from a UUID or a Shop's global ID; None for anything else."""
    try:
        return uuid.UUID(text)
    except ValueError:
        found = parse_global(text)
        return found[1] if found is not None and found[0] == "Shop" else None


def _show(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows))
        return
    for row in rows:
        print("  ".join(f"{key}: {value}" for key, value in row.items()))


async def _tenants(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url, pool_size=1)
    try:
        found = await tenancy.all_tenants(engine)
    finally:
        await engine.dispose()
    return [
        {"id": str(t.id), "shopId": to_global("Shop", t.id), "name": t.name, "currency": t.currency}
        for t in found
    ]


async def _keys(url: str, tenant: uuid.UUID) -> list[dict[str, Any]]:
    engine = make_engine(url, pool_size=1)
    try:
        found = await tenancy.keys_of(engine, tenant)
    finally:
        await engine.dispose()
    return [
        {
            "id": to_global("ApiKey", k.id),
            "name": k.name,
            "role": str(k.role),
            "prefix": k.prefix,
            "createdAt": k.created_at.isoformat(),
            "revokedAt": k.revoked_at.isoformat() if k.revoked_at else None,
        }
        for k in found
    ]


async def _revoke(url: str, tenant: uuid.UUID, key_id: uuid.UUID) -> dict[str, Any]:
    engine = make_engine(url, pool_size=1)
    try:
        key = await admin.revoke_key(UnitOfWork(engine, tenant, "cli"), key_id, None)
        gid = to_global("ApiKey", key.id)
        await audit.record_cli(engine, tenant, "apikey revoke", {"tenant": str(tenant), "key": gid}, [gid])
    finally:
        await engine.dispose()
    assert key.revoked_at is not None
    return {"id": gid, "name": key.name, "role": str(key.role), "revokedAt": key.revoked_at.isoformat()}


def cmd_tenant_list(args: argparse.Namespace, url: str) -> int:
    _show(asyncio.run(_tenants(url)), args.json)
    return 0


def cmd_apikey_list(args: argparse.Namespace, url: str) -> int:
    tenant = tenant_id(args.tenant)
    if tenant is None:
        print("error: --tenant must be a tenant id (a UUID) or a Shop ID", file=sys.stderr)
        return 2
    _show(asyncio.run(_keys(url, tenant)), args.json)
    return 0


def cmd_apikey_revoke(args: argparse.Namespace, url: str) -> int:
    tenant = tenant_id(args.tenant)
    found = parse_global(args.key)
    if tenant is None or found is None or found[0] != "ApiKey":
        print(
            "error: give --tenant (a UUID or Shop ID) and the key's ID (ApiKey:…, as listed)", file=sys.stderr
        )
        return 2
    _show([asyncio.run(_revoke(url, tenant, found[1]))], args.json)
    return 0


def add_commands(
    tenant: Any, apikey: Any, run: Callable[[Callable[[argparse.Namespace, str], int]], Runner]
) -> None:
    """The subcommands, under `baton tenant` and `baton apikey`; `run` gives each the database URL."""
    listing = tenant.add_parser("list", help="every tenant: id, Shop ID, name, currency")
    listing.add_argument("--json", action="store_true", help="one JSON array instead of lines")
    listing.set_defaults(run=run(cmd_tenant_list))
    keys = apikey.add_parser("list", help="a tenant's API keys, revoked ones too (never a secret)")
    keys.add_argument("--tenant", required=True, help="the tenant's id (UUID) or its Shop ID")
    keys.add_argument("--json", action="store_true", help="one JSON array instead of lines")
    keys.set_defaults(run=run(cmd_apikey_list))
    revoke = apikey.add_parser("revoke", help="revoke an API key now (open sockets using it are closed)")
    revoke.add_argument("key", help="the key's ID, as `apikey list` shows it")
    revoke.add_argument("--tenant", required=True, help="the tenant's id (UUID) or its Shop ID")
    revoke.add_argument("--json", action="store_true", help="JSON instead of a line")
    revoke.set_defaults(run=run(cmd_apikey_revoke))
