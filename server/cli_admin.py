"""`baton tenant create|list` and `baton apikey create|list|revoke`: what an operator needs to open a
shop, find it and its keys, and take a leaked key out of service, without a GraphQL client at hand. A tenant
is named by its id (a UUID) or its Shop's global ID, as the API shows it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import uuid
from collections.abc import Callable
from typing import Any

from domain.audit import service as audit
from domain.db import make_engine
from domain.errors import DomainError
from domain.ids import parse_global, to_global
from domain.tenancy import admin
from domain.tenancy import service as tenancy
from domain.tenancy.models import Role
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


def required_tenant(text: str) -> uuid.UUID | None:
    """tenant_id(text), or None after saying on stderr what --tenant takes."""
    found = tenant_id(text)
    if found is None:
        print("error: --tenant must be a tenant id (a UUID) or a Shop ID", file=sys.stderr)
    return found


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
    tenant = required_tenant(args.tenant)
    if tenant is None:
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


async def _create_tenant(url: str, name: str, currency: str, tax_bps: int) -> dict:
    engine = make_engine(url, pool_size=1)
    try:
        tenant, issued = await tenancy.create_tenant(engine, name, currency, tax_bps)
        targets = [to_global("Shop", tenant.id), to_global("ApiKey", issued.key.id)]
        inputs = {"name": name, "currency": currency, "taxRateBps": tax_bps}
        await audit.record_cli(engine, tenant.id, "tenant create", inputs, targets)
    finally:
        await engine.dispose()
    return {
        "tenant": {"id": str(tenant.id), "name": tenant.name, "currency": tenant.currency},
        "apiKey": issued.secret,
        "role": str(issued.key.role),
    }


async def _create_key(url: str, tenant_id: uuid.UUID, role: Role, name: str) -> dict:
    engine = make_engine(url, pool_size=1)
    try:
        inputs = {"tenant": str(tenant_id), "role": str(role), "name": name}
        try:
            issued = await tenancy.create_api_key(engine, tenant_id, role, name)
        except DomainError as exc:
            with contextlib.suppress(Exception):  # e.g. no such tenant: nothing to record it under
                await audit.record_cli(engine, tenant_id, "apikey create", inputs, [], [str(exc.code)])
            raise
        await audit.record_cli(
            engine, tenant_id, "apikey create", inputs, [to_global("ApiKey", issued.key.id)]
        )
    finally:
        await engine.dispose()
    return {"apiKey": issued.secret, "id": str(issued.key.id), "tenantId": str(tenant_id), "role": str(role)}


def _print(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


def cmd_tenant_create(args: argparse.Namespace, url: str) -> int:
    result = asyncio.run(_create_tenant(url, args.name, args.currency, args.tax_rate_bps))
    _print(result, args.json)
    return 0


def cmd_apikey_create(args: argparse.Namespace, url: str) -> int:
    tenant = required_tenant(args.tenant)
    if tenant is None:
        return 2
    result = asyncio.run(_create_key(url, tenant, Role(args.role), args.name or ""))
    _print(result, args.json)
    return 0


def add_commands(
    tenant: Any, apikey: Any, run: Callable[[Callable[[argparse.Namespace, str], int]], Runner]
) -> None:
    """The subcommands, under `baton tenant` and `baton apikey`; `run` gives each the database URL."""
    create = tenant.add_parser("create", help="create a tenant and its first ADMIN key")
    create.add_argument("name", help="the shop's name")
    create.add_argument("--currency", default="USD", help="its ISO 4217 currency (default: USD)")
    create.add_argument("--tax-rate-bps", type=int, default=0, help="tax in basis points (825 = 8.25%%)")
    create.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    create.set_defaults(run=run(cmd_tenant_create))
    key = apikey.add_parser("create", help="issue an API key; it is shown once")
    key.add_argument("--tenant", required=True, help="the tenant's id (UUID) or its Shop ID")
    key.add_argument("--role", required=True, choices=[r.value for r in Role], help="what the key may do")
    key.add_argument("--name", help="a label to tell keys apart (default: the role)")
    key.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    key.set_defaults(run=run(cmd_apikey_create))
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
