"""The unit of work: one transaction for one tenant; rolls back unless committed explicitly."""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Self

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from domain.db import new_id, set_tenant
from domain.events import signal
from domain.events.base import Event, EventSource, numbered
from domain.events.models import OutboxEvent, TimelineEntry


class UnitOfWork:
    def __init__(self, engine: AsyncEngine, tenant_id: uuid.UUID, actor: str | None = None) -> None:
        self.engine = engine
        self.tenant_id = tenant_id
        self.actor = actor
        self._events: list[tuple[int, Event]] = []
        self._committed = False

    async def __aenter__(self) -> Self:
        self._events = []
        self._committed = False
        self.session = AsyncSession(self.engine, expire_on_commit=False, autoflush=False)
        # The identity map holds clean objects weakly: an aggregate flushed mid-use-case and then
        # dropped by its caller would take its recorded events with it, so gather them before each flush.
        event.listen(self.session.sync_session, "before_flush", lambda *_: self._gather_events())
        await self.session.begin()
        await set_tenant(await self.session.connection(), self.tenant_id)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                if exc_type is None:
                    # A use case that decided to change nothing may still return what it read:
                    # detach it so the rollback does not expire it under the caller.
                    self.session.expunge_all()
                await self.session.rollback()
        finally:
            await self.session.close()

    def record(self, event: Event) -> None:
        self._events.append(numbered(event))

    def _gather_events(self) -> None:
        for obj in list(self.session.identity_map.values()) + list(self.session.new):
            if isinstance(obj, EventSource):
                self._events.extend(obj.take_numbered())

    def collect_events(self) -> list[Event]:
        self._gather_events()
        events, self._events = [e for _, e in sorted(self._events, key=lambda pair: pair[0])], []
        return events

    async def commit(self) -> list[Event]:
        """Flush changes, write their events to the outbox and the timelines, then commit."""
        await self.session.flush()
        events = self.collect_events()
        if events:
            await self._write_events(events)
        await self.session.commit()
        self._committed = True
        if events:
            signal.written()
        return events

    async def _write_events(self, events: list[Event]) -> None:
        outbox, timeline = [], []
        for e in events:
            event_id = new_id()
            payload = e.payload()
            outbox.append(
                {
                    "id": event_id,
                    "tenant_id": self.tenant_id,
                    "type": e.type,
                    "aggregate_type": e.aggregate_type,
                    "aggregate_id": e.aggregate_id,
                    "payload": payload,
                    "actor": self.actor,
                }
            )
            subject = e.timeline_subject()
            if subject is not None:
                timeline.append(
                    {
                        "tenant_id": self.tenant_id,
                        "subject_id": subject,
                        "event_id": event_id,
                        "type": e.type,
                        "message": e.message()[:500],
                        "data": payload,
                        "actor": self.actor,
                    }
                )
        await self.session.execute(insert(OutboxEvent), outbox)
        if timeline:
            await self.session.execute(insert(TimelineEntry), timeline)
