"""The keys that seal stored secrets (domain/secrets.py), and `baton secrets rotate|new-key`.

BATON_SECRET_KEY holds one or more Fernet keys, comma-separated, newest first. In development without
it, Baton makes a key once and keeps it beside the embedded database (`<BATON_DATA_DIR>/secret.key`,
readable by its owner only), so data persists between runs; in production it refuses to start.

Rotation: put a new key first (`baton secrets new-key` prints one), restart, run `baton secrets rotate`
(every stored secret re-sealed under the first key; plain values from before encryption sealed too),
then drop the old key."""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Callable

import asyncpg

from domain import secrets
from domain.db import SYSTEM_SESSION
from domain.reading import plain_dsn
from server.settings import Settings

KEY_FILE = "secret.key"

# Every column holding a sealed secret: (table, column).
SEALED_COLUMNS = [
    ("webhook_endpoints", "secret"),
    ("webhook_endpoints", "previous_secret"),
    ("carrier_accounts", "secret"),
    ("tenants", "customer_secret"),
    ("tenants", "previous_customer_secret"),
]


def keys_for(settings: Settings) -> list[str] | None:
    """The configured keys; in development, the data directory's own key (made on first use)."""
    if settings.secret_key:
        return [k for k in settings.secret_key.split(",") if k.strip()]
    if not settings.development:
        return None
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.new_key() + "\n")
    return [path.read_text().strip()]


def install(settings: Settings) -> str | None:
    """Installs the keys; returns why it could not (to print before refusing to start), or None."""
    keys = keys_for(settings)
    if not keys:
        return (
            "BATON_SECRET_KEY is not set: stored webhook and carrier secrets are encrypted with it. "
            "Make one with `baton secrets new-key` and keep it safe (losing it loses those secrets)."
        )
    try:
        secrets.install(keys)
    except secrets.SecretKeyError as exc:
        return str(exc)
    return None


async def rotate(url: str) -> tuple[dict[str, int], set[uuid.UUID]]:
    """Re-seals every stored secret under the first key, one transaction for all of them. Returns the
    count per column and the tenants whose secrets were re-sealed."""
    conn = await asyncpg.connect(plain_dsn(url), server_settings=SYSTEM_SESSION)
    counts: dict[str, int] = {}
    tenants: set[uuid.UUID] = set()
    try:
        async with conn.transaction():
            for table, column in SEALED_COLUMNS:
                owner = "id" if table == "tenants" else "tenant_id"
                rows = await conn.fetch(
                    f"SELECT ctid, {owner} AS tenant, {column} AS value FROM {table} "
                    f"WHERE {column} IS NOT NULL FOR UPDATE"
                )
                for row in rows:
                    await conn.execute(
                        f"UPDATE {table} SET {column} = $1 WHERE ctid = $2",
                        secrets.reseal(row["value"]),
                        row["ctid"],
                    )
                    tenants.add(row["tenant"])
                counts[f"{table}.{column}"] = len(rows)
    finally:
        await conn.close()
    return counts, tenants


def add_commands(sub: argparse._SubParsersAction, run: Callable[..., int]) -> None:
    group = sub.add_parser("secrets", help="the keys that encrypt stored secrets")
    actions = group.add_subparsers(dest="action", required=True)
    actions.add_parser(
        "rotate", help="re-encrypt every stored secret with the first key of BATON_SECRET_KEY"
    ).set_defaults(run=run)
    actions.add_parser("new-key", help="print a new key for BATON_SECRET_KEY").set_defaults(run=run)
