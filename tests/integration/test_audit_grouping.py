"""The audit log's group commit (domain/audit/grouping.py): concurrent requests' entries share
transactions, keep one chain without gaps, and each caller returns only once its own are committed."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from domain.audit import grouping
from domain.audit.grouping import GroupedAppender
from domain.audit.models import Outcome
from domain.audit.service import Action, verify
from tests.db_helpers import as_tenant
from tests.integration.statement_counting import counted_engine


def action(n: int) -> Action:
    return Action(f"orderCreate{n}", Outcome.OK, target_ids=[f"id-{n}"])


async def operations(engine, tenant_id) -> list[str]:
    async with as_tenant(engine, tenant_id) as conn:
        query = text("SELECT operation FROM audit_entries ORDER BY seq")
        return list((await conn.execute(query)).scalars())


async def test_concurrent_entries_share_transactions_and_keep_one_chain(db, tenant, database_url):
    async with counted_engine(database_url) as (engine, statements):
        grouped = GroupedAppender(engine)
        await grouped.append(tenant.id, [action(0)])  # the driver's caches filled
        statements.seen.clear()

        await asyncio.gather(*(grouped.append(tenant.id, [action(n)]) for n in range(1, 31)))
        await grouped.close()

    commits = [s for s in statements.seen if s.strip() == "COMMIT"]
    # The 30 calls all hand their entries over before the writer's first turn: one transaction for all.
    assert len(commits) == 1, statements.seen
    assert await operations(db, tenant.id) == [f"orderCreate{n}" for n in range(31)]
    (verdict,) = await verify(db, tenant.id)
    assert (verdict.broken, verdict.checked) == (None, 31)


async def test_each_caller_returns_once_its_entries_are_committed(db, tenant):
    grouped = GroupedAppender(db)
    seen_by_caller: dict[int, list[str]] = {}

    async def call(n: int) -> None:
        await grouped.append(tenant.id, [action(n)])
        seen_by_caller[n] = await operations(db, tenant.id)

    await asyncio.gather(*(call(n) for n in range(10)))

    for n, seen in seen_by_caller.items():
        assert f"orderCreate{n}" in seen


async def test_tenants_are_written_apart(db, tenant, other_tenant):
    grouped = GroupedAppender(db)

    await asyncio.gather(
        *(grouped.append(t.id, [action(n)]) for n in range(6) for t in (tenant, other_tenant))
    )

    for t in (tenant, other_tenant):
        assert sorted(await operations(db, t.id)) == sorted(f"orderCreate{n}" for n in range(6))
        (verdict,) = await verify(db, t.id)
        assert (verdict.broken, verdict.checked) == (None, 6)


async def test_a_batch_larger_than_the_limit_is_split(db, tenant, monkeypatch):
    monkeypatch.setattr(grouping, "MAX_BATCH", 3)
    grouped = GroupedAppender(db)

    await asyncio.gather(*(grouped.append(tenant.id, [action(n), action(n + 100)]) for n in range(7)))

    assert len(await operations(db, tenant.id)) == 14
    (verdict,) = await verify(db, tenant.id)
    assert (verdict.broken, verdict.checked) == (None, 14)


async def test_a_failed_transaction_fails_every_caller_in_it_and_the_next_batch_goes_on(
    db, tenant, monkeypatch
):
    grouped = GroupedAppender(db)
    real_append = grouping.append
    calls = 0

    async def fail_second(engine, tenant_id, actions):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the database went away")
        await real_append(engine, tenant_id, actions)

    monkeypatch.setattr(grouping, "append", fail_second)
    first = asyncio.ensure_future(grouped.append(tenant.id, [action(0)]))
    await asyncio.sleep(0)  # the first transaction is under way: the next three wait for it together
    failing = [asyncio.ensure_future(grouped.append(tenant.id, [action(n)])) for n in (1, 2, 3)]
    await first
    results = await asyncio.gather(*failing, return_exceptions=True)
    await grouped.append(tenant.id, [action(4)])

    assert [str(r) for r in results] == ["the database went away"] * 3
    assert await operations(db, tenant.id) == ["orderCreate0", "orderCreate4"]


async def test_a_caller_that_stops_waiting_still_has_its_entries_written(db, tenant):
    grouped = GroupedAppender(db)
    waiting = asyncio.ensure_future(grouped.append(tenant.id, [action(1)]))
    await asyncio.sleep(0)

    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await grouped.close()

    assert await operations(db, tenant.id) == ["orderCreate1"]
