"""The unit of work: one transaction for one tenant; rolls back unless committed explicitly.

Two types, two roles. A function that takes a `UnitOfWork` is a use case: it opens it
(`async with uow as tx:`) and commits it (`await uow.commit()`). A function that takes a `Transaction`
is a step: it works inside a transaction somebody else opened, records its events there, and can neither
commit nor roll back (mypy holds both to it)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from domain.db import begin_for_tenant, new_id, set_tenant, utcnow
from domain.events import signal
from domain.events.base import Event, EventSource, numbered

# A unit of work's events, outbox rows and timeline entries alike, in one statement of multi-row INSERTs
# (in the order the events happened: seq and the timeline's ids follow it).
WRITE_EVENTS = """
WITH outbox AS (
  INSERT INTO outbox_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, actor, occurred_at)
  SELECT e.id, $1::uuid, e.type, e.aggregate_type, e.aggregate_id, e.payload::jsonb, $2::text, e.occurred_at
  FROM unnest($3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::timestamptz[])
    WITH ORDINALITY AS e(id, type, aggregate_type, aggregate_id, payload, occurred_at, n)
  ORDER BY e.n
)
INSERT INTO timeline_entries (tenant_id, subject_id, event_id, type, message, data, actor, occurred_at)
SELECT $1::uuid, t.subject_id, t.event_id, t.type, t.message, t.data::jsonb, $2::text, t.occurred_at
FROM unnest($9::uuid[], $10::uuid[], $11::text[], $12::text[], $13::text[], $14::timestamptz[])
  WITH ORDINALITY AS t(subject_id, event_id, type, message, data, occurred_at, n)
ORDER BY t.n
"""


class Transaction:
    """An open unit of work as a step sees it: the tenant and actor, the session or the driver under the
    transaction, and where events are recorded. Nothing here ends the transaction."""

    __slots__ = ("_uow",)

    def __init__(self, opened: UnitOfWork) -> None:
        self._uow = opened

    @property
    def tenant_id(self) -> uuid.UUID:
        return self._uow.tenant_id

    @property
    def actor(self) -> str | None:
        return self._uow.actor

    @property
    def session(self) -> AsyncSession:
        return self._uow._orm

    async def driver(self) -> asyncpg.Connection:
        return await self._uow._connection_driver()

    def record(self, event: Event) -> None:
        self._uow._record(event)

    def adopt(self, *sources: EventSource) -> None:
        self._uow._adopt(*sources)


class UnitOfWork:
    def __init__(self, engine: AsyncEngine, tenant_id: uuid.UUID, actor: str | None = None) -> None:
        self.engine = engine
        self.tenant_id = tenant_id
        self.actor = actor
        self._events: list[tuple[int, Event]] = []
        self._committed = False
        self._driver: asyncpg.Connection | None = None
        self._session: AsyncSession | None = None
        self._connection: AsyncConnection | None = None
        # Lean: the transaction is run on the pooled connection's driver alone, without an ORM session,
        # for use cases written entirely in statements written once (domain/workflows/placement.py). BEGIN
        # and the tenant then go in one round trip. Set before entering.
        self.lean = False

    @property
    def _orm(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("This unit of work is lean or not entered: it has no ORM session")
        return self._session

    @contextmanager
    def leanly(self) -> Iterator[Self]:
        """`with uow.leanly(): async with uow as tx: ...` runs the use case lean, and the unit of work is as
        it was afterwards (callers may use it again for an ORM use case)."""
        self.lean = True
        try:
            yield self
        finally:
            self.lean = False

    async def __aenter__(self) -> Transaction:
        self._events = []
        self._committed = False
        self._driver = None
        if self.lean:
            self._session = None
            self._connection = await self.engine.connect()
            try:
                self._driver = (await self._connection.get_raw_connection()).driver_connection
                assert self._driver is not None
                await self._driver.execute(begin_for_tenant(self.tenant_id))
            except BaseException:
                await self._end_lean()
                raise
            return Transaction(self)
        self._session = AsyncSession(self.engine, expire_on_commit=False, autoflush=False)
        # The identity map holds clean objects weakly: an aggregate flushed mid-use-case and then
        # dropped by its caller would take its recorded events with it, so gather them before each flush.
        event.listen(self._session.sync_session, "before_flush", lambda *_: self._gather_events())
        await self._session.begin()
        await set_tenant(await self._session.connection(), self.tenant_id)
        return Transaction(self)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.lean:
            await self._end_lean()
            return
        try:
            if not self._committed:
                if exc_type is None:
                    # A use case that decided to change nothing may still return what it read:
                    # detach it so the rollback does not expire it under the caller.
                    self._orm.expunge_all()
                await self._orm.rollback()
        finally:
            await self._orm.close()

    async def _end_lean(self) -> None:
        """Rolls back what was not committed and gives the connection back. The pool rolls back only
        transactions SQLAlchemy began: one that cannot be ended here drops its connection instead."""
        connection, driver, self._connection = self._connection, self._driver, None
        if connection is None:
            return
        try:
            if driver is not None and not driver.is_closed() and driver.is_in_transaction():
                await driver.execute("ROLLBACK")
        except BaseException:
            await connection.invalidate()
            raise
        finally:
            await connection.close()

    async def _connection_driver(self) -> asyncpg.Connection:
        """The asyncpg connection under this unit of work's transaction, for the hot paths' statements
        written once (e.g. domain/workflows/placement.py): the same transaction, without the ORM's flush.
        (A session's transaction has begun by then: __aenter__ ran set_tenant through it.)"""
        if self._driver is None:
            raw = await (await self._orm.connection()).get_raw_connection()
            self._driver = raw.driver_connection
        assert self._driver is not None
        return self._driver

    def _record(self, event: Event) -> None:
        self._events.append(numbered(event))

    def _adopt(self, *sources: EventSource) -> None:
        """Takes the events aggregates recorded, keeping their numbers: a lean unit of work has no
        session whose identity map would find the aggregates at commit."""
        for source in sources:
            self._events.extend(source.take_numbered())

    def _gather_events(self) -> None:
        if self._session is None:
            return
        for obj in list(self._session.identity_map.values()) + list(self._session.new):
            if isinstance(obj, EventSource):
                self._events.extend(obj.take_numbered())

    def collect_events(self) -> list[Event]:
        self._gather_events()
        events, self._events = [e for _, e in sorted(self._events, key=lambda pair: pair[0])], []
        return events

    async def commit(self) -> list[Event]:
        """Flush changes, write their events to the outbox and the timelines, then commit."""
        if not self.lean:
            await self._orm.flush()
        events = self.collect_events()
        if events:
            await self._write_events(events)
        if self.lean:
            await (await self._connection_driver()).execute("COMMIT")
        else:
            await self._orm.commit()
        self._committed = True
        if events:
            signal.written()
        return events

    async def _write_events(self, events: list[Event]) -> None:
        outbox: list[list[object]] = [[], [], [], [], [], []]
        timeline: list[list[object]] = [[], [], [], [], [], []]
        for e in events:
            event_id, occurred_at = new_id(), utcnow()
            payload = json.dumps(e.payload())
            for column, value in zip(
                outbox,
                (event_id, e.type, e.aggregate_type, e.aggregate_id, payload, occurred_at),
                strict=True,
            ):
                column.append(value)
            subject = e.timeline_subject()
            if subject is not None:
                entry = (subject, event_id, e.type, e.message()[:500], payload, occurred_at)
                for column, value in zip(timeline, entry, strict=True):
                    column.append(value)
        driver = await self._connection_driver()
        await driver.execute(WRITE_EVENTS, self.tenant_id, self.actor, *outbox, *timeline)
