"""The audit log's chain: append-only for Baton's own role, verified by recomputing every hash, pruned
by age from the oldest entry on without breaking verification; administrative CLI actions recorded."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from domain.audit.models import Outcome
from domain.audit.service import Action, append, prune, verify
from domain.db import utcnow
from server.cli import main
from tests.db_helpers import as_system, as_tenant, system_connection


def action(n: int) -> Action:
    return Action(f"productCreate{n}", Outcome.OK, target_ids=[f"id-{n}"])


async def seqs(engine, tenant_id) -> list[int]:
    async with as_tenant(engine, tenant_id) as conn:
        return list((await conn.execute(text("SELECT seq FROM audit_entries ORDER BY seq"))).scalars())


async def tamper(superuser_url: str, sql: str) -> None:
    """As a superuser with triggers off: what someone with the database's keys could do."""
    conn = await asyncpg.connect(superuser_url)
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_entries_are_numbered_without_gaps_and_each_carries_the_hash_of_the_one_before(db, tenant):
    await append(db, tenant.id, [action(1), action(2)])
    await append(db, tenant.id, [action(3)])

    async with as_tenant(db, tenant.id) as conn:
        rows = (await conn.execute(text("SELECT seq, prev_hash, hash FROM audit_entries ORDER BY seq"))).all()
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == "0" * 64
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert [v.broken for v in await verify(db, tenant.id)] == [None]


async def test_concurrent_writers_keep_one_chain_without_gaps(db, tenant):
    await asyncio.gather(*(append(db, tenant.id, [action(n)]) for n in range(20)))

    assert await seqs(db, tenant.id) == list(range(1, 21))
    (verdict,) = await verify(db, tenant.id)
    assert (verdict.broken, verdict.checked) == (None, 20)


async def test_baton_itself_can_neither_update_nor_delete_an_entry(db, tenant):
    await append(db, tenant.id, [action(1)])

    for sql in ("UPDATE audit_entries SET outcome = 'ERROR'", "DELETE FROM audit_entries"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with as_tenant(db, tenant.id) as conn:
                await conn.execute(text(sql))
    assert await seqs(db, tenant.id) == [1]


async def test_even_in_system_scope_an_entry_cannot_be_deleted_outside_pruning(db, tenant):
    await append(db, tenant.id, [action(1)])

    with pytest.raises(DBAPIError, match="append-only"):
        async with as_system(db) as conn:
            await conn.execute(text("DELETE FROM audit_entries"))


async def test_verify_passes_then_names_the_first_entry_changed_behind_its_back(
    db, tenant, other_tenant, superuser_url
):
    await append(db, tenant.id, [action(n) for n in range(1, 5)])
    await append(db, other_tenant.id, [action(1)])
    assert [v.broken for v in await verify(db)] == [None, None]

    await tamper(superuser_url, "UPDATE audit_entries SET outcome = 'FORBIDDEN' WHERE seq = 2")

    by_tenant = {v.tenant_id: v for v in await verify(db)}
    assert by_tenant[tenant.id].broken == "entry 2 was changed (its hash does not match)"
    assert by_tenant[tenant.id].checked == 1
    assert by_tenant[other_tenant.id].broken is None


async def test_verify_catches_an_entry_removed_from_the_middle_or_the_end(
    db, tenant, other_tenant, superuser_url
):
    await append(db, tenant.id, [action(n) for n in range(1, 4)])
    await append(db, other_tenant.id, [action(n) for n in range(1, 4)])

    await tamper(superuser_url, f"DELETE FROM audit_entries WHERE tenant_id = '{tenant.id}' AND seq = 2")
    await tamper(
        superuser_url, f"DELETE FROM audit_entries WHERE tenant_id = '{other_tenant.id}' AND seq = 3"
    )

    assert (await verify(db, tenant.id))[0].broken == "entry 2 is missing (the next is 3)"
    assert (await verify(db, other_tenant.id))[0].broken == "the chain ends at entry 2, its head says 3"


def test_baton_audit_verify_prints_ok_or_the_break_and_exits_1_on_a_break(
    db, tenant, database_url, superuser_url, monkeypatch, capsys
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    asyncio.run(append_with_fresh_engine(database_url, tenant.id))

    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("OK: 1 chains, 2 entries")

    asyncio.run(tamper(superuser_url, "UPDATE audit_entries SET operation = 'nothing' WHERE seq = 1"))

    assert main(["audit", "verify", "--tenant", str(tenant.id)]) == 1
    assert f"BROKEN tenant {tenant.id}: entry 1 was changed" in capsys.readouterr().out


async def append_with_fresh_engine(database_url: str, tenant_id) -> None:
    from domain.db import make_engine

    engine = make_engine(database_url, pool_size=1)
    try:
        await append(engine, tenant_id, [action(1), action(2)])
    finally:
        await engine.dispose()


async def test_pruning_deletes_only_the_oldest_entries_and_the_rest_still_verifies(
    db, tenant, other_tenant, database_url
):
    long_ago = utcnow() - timedelta(days=400)
    await append(db, tenant.id, [action(1), action(2), action(3)], at=long_ago)
    await append(db, tenant.id, [action(4), action(5)])
    await append(db, other_tenant.id, [action(1)], at=long_ago)

    conn = await system_connection(database_url)
    try:
        assert await prune(conn, 365) == 4
    finally:
        await conn.close()

    assert await seqs(db, tenant.id) == [4, 5]
    assert await seqs(db, other_tenant.id) == []
    await append(db, tenant.id, [action(6)])
    await append(db, other_tenant.id, [action(2)])
    verdicts = {v.tenant_id: (v.broken, v.checked) for v in await verify(db)}
    assert verdicts == {tenant.id: (None, 3), other_tenant.id: (None, 1)}


async def test_pruning_never_cuts_a_hole_in_a_chain_when_clocks_disagree(db, tenant, database_url):
    long_ago = utcnow() - timedelta(days=400)
    await append(db, tenant.id, [action(1)], at=long_ago)
    await append(db, tenant.id, [action(2)])
    await append(db, tenant.id, [action(3)], at=long_ago)  # a writer whose clock is far behind

    conn = await system_connection(database_url)
    try:
        assert await prune(conn, 365) == 1
    finally:
        await conn.close()

    assert await seqs(db, tenant.id) == [2, 3]
    assert [v.broken for v in await verify(db, tenant.id)] == [None]


def test_tenant_create_and_apikey_create_on_the_command_line_are_recorded_without_a_key(
    db, database_url, monkeypatch, capsys
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["tenant", "create", "Initech", "--json"]) == 0
    import json

    tenant_id = json.loads(capsys.readouterr().out)["tenant"]["id"]
    assert main(["apikey", "create", "--tenant", tenant_id, "--role", "STAFF"]) == 0

    async def read() -> list:
        from domain.db import make_engine

        engine = make_engine(database_url, pool_size=1)
        try:
            async with as_system(engine) as conn:
                result = await conn.execute(text("SELECT * FROM audit_entries ORDER BY seq"))
                return list(result.mappings())
        finally:
            await engine.dispose()

    rows = asyncio.run(read())
    assert [(str(r["tenant_id"]), r["operation"], r["outcome"]) for r in rows] == [
        (tenant_id, "cli:tenant create", "OK"),
        (tenant_id, "cli:apikey create", "OK"),
    ]
    assert [r["key_id"] for r in rows] == [None, None]
    assert len(rows[0]["target_ids"]) == 2 and len(rows[1]["target_ids"]) == 1
