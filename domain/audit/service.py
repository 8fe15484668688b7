"""Writing the audit log, checking its chain, and pruning it by age.

Each entry's hash covers the previous entry's hash and the entry itself (its canonical JSON), so
changing, removing or inserting an entry breaks the chain from there on; the chain head (audit_chains)
records where the chain ends, so removing entries from the end shows too. Writers lock the head, which
numbers a tenant's entries one at a time; that transaction holds nothing else and is kept short.

This is tamper evidence, not tamper proof: someone who can write the database as a superuser can also
recompute every hash after an edit. Copy `baton audit verify` output (or the head hashes) elsewhere to
catch that."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import asyncpg
from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.audit.models import AuditChain, AuditEntry, Outcome
from domain.db import begin_for_tenant, system_scope, utcnow

entries = AuditEntry.__table__
chains = AuditChain.__table__

# Input fields left out of the digest, matched in the name with case, "_" and "-" ignored: whatever the
# digest is for, it must not help anyone guess a secret by hashing candidates.
_SECRET_NAME = re.compile(r"secret|token|password|passwd|key|card|cvv|cvc|credential|authori[sz]ation|iban")
MAX_TARGETS = 50


def _secret(name: str) -> bool:
    return bool(_SECRET_NAME.search(name.lower().replace("_", "").replace("-", "")))


def redacted(value: Any) -> Any:
    """The input without any field whose name says it holds a secret or card data, at any depth."""
    if isinstance(value, Mapping):
        return {str(k): redacted(v) for k, v in value.items() if not _secret(str(k))}
    if isinstance(value, list | tuple):
        return [redacted(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """Values JSON has no type for: an enum as its value, anything else (Decimal, datetime, UUID) as text."""
    return value.value if isinstance(value, Enum) else str(value)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def input_digest(value: Any) -> str:
    """SHA-256 of the input's canonical JSON, secrets removed: shows whether two calls sent the same
    input without storing it."""
    # surrogatepass: a lone UTF-16 surrogate in the input (refused by the mutation) still has a digest.
    return hashlib.sha256(canonical(redacted(value)).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Action:
    """What one entry records, before it is numbered and chained."""

    operation: str
    outcome: Outcome = Outcome.OK
    key_id: uuid.UUID | None = None
    role: str | None = None
    customer_id: uuid.UUID | None = None
    target_ids: list[str] = field(default_factory=list)
    input_digest: str = field(default_factory=lambda: input_digest(None))
    error_codes: list[str] = field(default_factory=list)
    request_id: str | None = None
    client_ip: str | None = None


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def entry_hash(prev_hash: str, row: Mapping[str, Any] | RowMapping) -> str:
    """SHA-256 of the previous hash and the entry's canonical JSON (everything but id and the hashes)."""
    occurred: datetime = row["occurred_at"]
    body = {
        "tenant_id": str(row["tenant_id"]),
        "seq": int(row["seq"]),
        "occurred_at": occurred.astimezone(UTC).isoformat(timespec="microseconds"),
        "key_id": _opt(row["key_id"]),
        "role": row["role"],
        "customer_id": _opt(row["customer_id"]),
        "operation": row["operation"],
        "target_ids": list(row["target_ids"]),
        "input_digest": row["input_digest"],
        "outcome": row["outcome"],
        "error_codes": list(row["error_codes"]),
        "request_id": row["request_id"],
        "client_ip": row["client_ip"],
    }
    return hashlib.sha256((prev_hash + canonical(body)).encode()).hexdigest()


# The chain's head, created on a tenant's first entry; either way locked until commit.
_HEAD = """
INSERT INTO audit_chains AS c (tenant_id) VALUES ($1::uuid)
ON CONFLICT (tenant_id) DO UPDATE SET last_seq = c.last_seq
RETURNING c.last_seq, c.last_hash
"""
# The entries (lists as JSON text, one per entry) and the head moved past them, in one statement.
_WRITE = """
WITH entry AS (
  INSERT INTO audit_entries (id, tenant_id, seq, occurred_at, key_id, role, customer_id, operation,
    target_ids, input_digest, outcome, error_codes, request_id, client_ip, prev_hash, hash)
  SELECT e.id, $1::uuid, e.seq, $2::timestamptz, e.key_id, e.role, e.customer_id, e.operation,
    ARRAY(SELECT x FROM jsonb_array_elements_text(e.target_ids::jsonb) WITH ORDINALITY AS t(x, n)
      ORDER BY n),
    e.input_digest, e.outcome,
    ARRAY(SELECT x FROM jsonb_array_elements_text(e.error_codes::jsonb) WITH ORDINALITY AS c(x, n)
      ORDER BY n),
    e.request_id, e.client_ip, e.prev_hash, e.hash
  FROM unnest($3::uuid[], $4::bigint[], $5::uuid[], $6::text[], $7::uuid[], $8::text[], $9::text[],
    $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
    AS e(id, seq, key_id, role, customer_id, operation, target_ids, input_digest, outcome, error_codes,
      request_id, client_ip, prev_hash, hash)
)
UPDATE audit_chains SET last_seq = $17, last_hash = $18 WHERE tenant_id = $1
"""
_COLUMNS = (
    "id",
    "seq",
    "key_id",
    "role",
    "customer_id",
    "operation",
    "target_ids",
    "input_digest",
    "outcome",
    "error_codes",
    "request_id",
    "client_ip",
    "prev_hash",
    "hash",
)


async def append(
    engine: AsyncEngine, tenant_id: uuid.UUID, actions: list[Action], at: datetime | None = None
) -> None:
    """Writes the actions as the tenant's next entries, in one short transaction of their own: every
    mutation ends here, so it runs on the driver itself in three round trips (BEGIN with the tenant,
    the head, the entries with the head moved on; then COMMIT), holding the head's lock for two."""
    if not actions:
        return
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute(begin_for_tenant(tenant_id))
        try:
            head = await driver.fetchrow(_HEAD, tenant_id)
            seq, prev = head["last_seq"], head["last_hash"]
            occurred_at = at or utcnow()  # taken under the lock, so time order follows seq order
            rows = []
            for a in actions:
                seq += 1
                row = {
                    "id": uuid.uuid4(),
                    "tenant_id": tenant_id,
                    "seq": seq,
                    "occurred_at": occurred_at,
                    "key_id": a.key_id,
                    "role": a.role,
                    "customer_id": a.customer_id,
                    "operation": a.operation[:100],
                    "target_ids": [t[:200] for t in a.target_ids[:MAX_TARGETS]],
                    "input_digest": a.input_digest,
                    "outcome": str(a.outcome),
                    "error_codes": [c[:64] for c in a.error_codes],
                    "request_id": (a.request_id or None) and a.request_id[:64],
                    "client_ip": (a.client_ip or None) and a.client_ip[:64],
                    "prev_hash": prev,
                }
                row["hash"] = prev = entry_hash(prev, row)
                rows.append(row)
            columns = [
                [json.dumps(r[name]) if name in ("target_ids", "error_codes") else r[name] for r in rows]
                for name in _COLUMNS
            ]
            await driver.execute(_WRITE, tenant_id, occurred_at, *columns, seq, prev)
            await driver.execute("COMMIT")
        except BaseException:
            # The pool rolls back only transactions SQLAlchemy began: end this one here, or drop the
            # connection, so that it never goes back to the pool inside a transaction.
            try:
                if not driver.is_closed() and driver.is_in_transaction():
                    await driver.execute("ROLLBACK")
            except BaseException:
                await conn.invalidate()
                raise
            raise


@dataclass(frozen=True)
class Verdict:
    tenant_id: uuid.UUID
    checked: int  # entries whose hash was recomputed
    broken: str | None = None  # the first break, or None when the chain holds


async def verify(engine: AsyncEngine, tenant_id: uuid.UUID | None = None) -> list[Verdict]:
    """Recomputes every tenant's chain (or one tenant's), from its anchor to its head."""
    async with engine.connect() as conn:
        await system_scope(conn, "audit verify: every tenant's chain")
        heads = select(chains)
        with_entries = select(entries.c.tenant_id).distinct()
        if tenant_id is not None:
            heads = heads.where(chains.c.tenant_id == tenant_id)
            with_entries = with_entries.where(entries.c.tenant_id == tenant_id)
        found = {h.tenant_id: h for h in (await conn.execute(heads)).all()}
        tenants = sorted(set(found) | set((await conn.execute(with_entries)).scalars()), key=str)
        verdicts = [await _verify_chain(conn, t, found.get(t)) for t in tenants]
        await conn.rollback()
    return verdicts


async def _verify_chain(conn: AsyncConnection, tenant_id: uuid.UUID, head: Any, batch: int = 1000) -> Verdict:
    if head is None:
        return Verdict(tenant_id, 0, "the chain head (audit_chains) is missing")
    prev, expected, checked = head.anchor_hash, head.anchor_seq + 1, 0
    while True:
        stmt = (
            select(entries)
            .where(entries.c.tenant_id == tenant_id, entries.c.seq >= expected)
            .order_by(entries.c.seq)
            .limit(batch)
        )
        rows = (await conn.execute(stmt)).mappings().all()
        for row in rows:
            seq = row["seq"]
            if seq != expected:
                return Verdict(tenant_id, checked, f"entry {expected} is missing (the next is {seq})")
            if row["prev_hash"] != prev:
                return Verdict(tenant_id, checked, f"entry {seq} does not follow entry {seq - 1} (prev_hash)")
            if entry_hash(prev, row) != row["hash"]:
                return Verdict(tenant_id, checked, f"entry {seq} was changed (its hash does not match)")
            prev, expected, checked = row["hash"], seq + 1, checked + 1
        if len(rows) < batch:
            break
    if expected - 1 != head.last_seq or prev != head.last_hash:
        return Verdict(
            tenant_id, checked, f"the chain ends at entry {expected - 1}, its head says {head.last_seq}"
        )
    return Verdict(tenant_id, checked)


async def prune(conn: asyncpg.Connection, retention_days: float) -> int:
    """Deletes entries older than the retention, for every tenant, from the oldest on only: the newest
    deleted entry's seq and hash become the chain's anchor, so what is kept still verifies. On the
    workers' system-scope connection; returns how many entries went."""
    async with conn.transaction():
        await conn.execute("SELECT set_config('app.audit_prune', 'on', true)")
        status = await conn.execute(
            # Always a prefix of each chain: occurred_at is a writer's clock, so "older than" alone could
            # cut a hole out of the middle of a chain.
            """WITH kept AS (
                 SELECT tenant_id, min(seq) AS first FROM audit_entries
                 WHERE occurred_at >= now() - make_interval(secs => $1) GROUP BY tenant_id),
               cut AS (
                 SELECT e.tenant_id, max(e.seq) AS upto FROM audit_entries e
                 LEFT JOIN kept k ON k.tenant_id = e.tenant_id
                 WHERE e.occurred_at < now() - make_interval(secs => $1)
                   AND (k.first IS NULL OR e.seq < k.first)
                 GROUP BY e.tenant_id),
               anchored AS (
                 UPDATE audit_chains c SET anchor_seq = cut.upto, anchor_hash = e.hash
                 FROM cut JOIN audit_entries e ON e.tenant_id = cut.tenant_id AND e.seq = cut.upto
                 WHERE c.tenant_id = cut.tenant_id
                 RETURNING c.tenant_id, c.anchor_seq)
               DELETE FROM audit_entries d USING anchored a
               WHERE d.tenant_id = a.tenant_id AND d.seq <= a.anchor_seq""",
            retention_days * 86400,
        )
    return int(status.split()[-1])


async def record_cli(
    engine: AsyncEngine,
    tenant_id: uuid.UUID,
    command: str,
    inputs: Mapping[str, Any],
    target_ids: list[str],
    error_codes: list[str] | None = None,
) -> None:
    """An administrative CLI action (no API key), e.g. operation "cli:tenant create"."""
    outcome = Outcome.USER_ERRORS if error_codes else Outcome.OK
    action = Action(
        f"cli:{command}",
        outcome,
        target_ids=target_ids,
        input_digest=input_digest(inputs),
        error_codes=error_codes or [],
    )
    await append(engine, tenant_id, [action])
