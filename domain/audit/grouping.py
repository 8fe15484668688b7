"""Group commit for the audit log: the entries of concurrent requests share a transaction.

Every mutation ends with its audit entry, and a tenant's entries are numbered one at a time under its
chain head's lock (service.append). Written one transaction per request, a busy tenant's mutations queue
on that lock and each pays a transaction and a commit (a WAL flush) of its own. Here, while one
transaction writes a tenant's entries, the entries that arrive for that tenant wait and then go
together in the next one. Nothing waits when nothing is in flight, so a quiet tenant's entry is written
at once, as before.

Each caller still returns only once its own entries are committed, or raises what writing them raised.
A caller that is cancelled while it waits (its client went away) does not take its entries back: they
are written with the rest, as the mutation they record has committed already."""

from __future__ import annotations

import asyncio
import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.audit.service import Action, append

MAX_BATCH = 500  # entries in one transaction; more wait for the next
log = logging.getLogger("baton.audit")


class GroupedAppender:
    """service.append for one engine, grouping concurrent calls per tenant."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._waiting: dict[uuid.UUID, list[tuple[list[Action], asyncio.Future[None]]]] = {}
        self._writers: dict[uuid.UUID, asyncio.Task[None]] = {}

    async def append(self, tenant_id: uuid.UUID, actions: list[Action]) -> None:
        if not actions:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(tenant_id, []).append((actions, done))
        if tenant_id not in self._writers:
            self._writers[tenant_id] = asyncio.create_task(self._write(tenant_id))
        try:
            await asyncio.shield(done)
        except asyncio.CancelledError:
            done.add_done_callback(_unwaited)
            raise

    async def _write(self, tenant_id: uuid.UUID) -> None:
        """Writes the tenant's waiting entries, a transaction at a time, until none are left. Between
        taking the last batch and leaving the writers there is no await, so no entry is left behind."""
        try:
            while batch := self._take(tenant_id):
                try:
                    await append(self.engine, tenant_id, [a for actions, _ in batch for a in actions])
                except Exception as exc:
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                except BaseException:  # cancelled: the server is stopping
                    for _, done in batch:
                        done.cancel()
                    raise
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._writers.pop(tenant_id, None)
            for _, done in self._waiting.pop(tenant_id, []):  # only when cancelled: the server is stopping
                done.cancel()

    def _take(self, tenant_id: uuid.UUID) -> list[tuple[list[Action], asyncio.Future[None]]]:
        waiting = self._waiting.get(tenant_id, [])
        taken, count = 0, 0
        while taken < len(waiting) and (taken == 0 or count + len(waiting[taken][0]) <= MAX_BATCH):
            count += len(waiting[taken][0])
            taken += 1
        batch, rest = waiting[:taken], waiting[taken:]
        if rest:
            self._waiting[tenant_id] = rest
        else:
            self._waiting.pop(tenant_id, None)
        return batch

    async def close(self) -> None:
        """Waits for the entries already handed over to be written."""
        while self._writers:
            await asyncio.gather(*self._writers.values(), return_exceptions=True)


def _unwaited(done: asyncio.Future[None]) -> None:
    """The outcome for a caller that stopped waiting: logged here, since it cannot say it."""
    if not done.cancelled() and done.exception() is not None:
        log.warning("audit entries not written (the request had ended): %r", done.exception())
