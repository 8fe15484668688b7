"""The process's one LISTEN connection. A NOTIFY from a relay (any process) is only a wake-up ping: the
hub then reads the new rows from the table, once per tenant, for all of its local subscribers. A slow
timer wakes every feed too, in case a ping was lost (e.g. while this connection was being re-opened)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

import asyncpg

from domain.events.hub import Hub
from domain.events.relay import CHANNEL

log = logging.getLogger("baton.listener")


class Listener:
    def __init__(self, dsn: str, hub: Hub, poll_seconds: float) -> None:
        self._dsn = dsn
        self._hub = hub
        self._poll = poll_seconds

    def _ping(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        tenant, _, _ = payload.partition(":")
        try:
            self._hub.wake(uuid.UUID(tenant))
        except ValueError:
            log.warning("ignoring a malformed ping %r", payload)

    async def run(self) -> None:
        while True:
            lost = asyncio.Event()
            try:
                conn = await asyncpg.connect(self._dsn)
            except (OSError, asyncpg.PostgresError):
                log.warning("cannot open the LISTEN connection; retrying", exc_info=True)
                await asyncio.sleep(1)
                continue
            try:
                conn.add_termination_listener(lambda _, lost=lost: lost.set())
                await conn.add_listener(CHANNEL, self._ping)
                self._hub.wake_all()  # anything published while we were not listening
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), self._poll)
                    self._hub.wake_all()
                log.warning("the LISTEN connection was lost; re-opening it")
            except Exception:
                # Whatever breaks the connection, subscribers must not go quiet: open a new one.
                log.warning("the LISTEN connection failed; re-opening it", exc_info=True)
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.shield(conn.close(timeout=2))
