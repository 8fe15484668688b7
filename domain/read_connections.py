"""The read side's connections (domain/reading.py ReadPool): at most `size` asyncpg connections, opened
when first needed, the most recently used handed out first, and closed after `idle_seconds` unused
(but for the last one).

It replaces asyncpg's Pool for reads because a read is mostly this bookkeeping: the Pool's acquire
runs under a timeout, its release in a task of its own (asyncio.shield) with a reset under another
timeout, which together were a tenth of a compiled read's CPU. Here a free connection is taken from a
list and put back on it, with no await; only a caller that finds none waits, in line, for at most
`wait` seconds, then gets PoolExhausted.

A connection goes back on the list unless its use ended in a way that leaves its state in doubt: the
request cancelled (perhaps while a statement ran), the connection lost, the driver's own error. Such a
connection is closed (asyncpg first has Postgres stop a statement it cancelled), and the next caller
opens a new one."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg

from domain.availability import PoolExhausted

CLOSE_SECONDS = 10.0


class ReadConnections:
    def __init__(
        self,
        open_one: Callable[[], Awaitable[asyncpg.Connection]],
        size: int,
        wait: float,
        idle_seconds: float = 300.0,
    ) -> None:
        self._open_one = open_one
        self._size = size
        self._wait = wait
        self._idle_seconds = idle_seconds
        self._free: list[tuple[asyncpg.Connection, float]] = []  # (connection, when it was put back)
        self._open = 0  # open, opening, or in use: never more than size
        # Callers waiting for a connection, first come first served; None: a place to open one came free.
        self._waiting: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._closed = False
        self._closing: set[asyncio.Task[None]] = set()  # connections being closed, kept till they are

    def size(self) -> tuple[int, int]:
        """(connections open, of which free)."""
        return self._open, len(self._free)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        driver = await self._take()
        healthy = True
        try:
            yield driver
        except (asyncpg.InterfaceError, asyncpg.InternalClientError):
            healthy = False  # the driver's own state is in doubt
            raise
        except Exception:
            raise  # Postgres's error, or the caller's own: the statement ended either way
        except BaseException:
            healthy = False  # cancelled, perhaps while a statement ran
            raise
        finally:
            self._give(driver, healthy and not driver.is_closed())

    async def _take(self) -> asyncpg.Connection:
        if self._closed:
            raise asyncpg.InterfaceError("the read connections are closed")
        if self._free:
            return self._free.pop()[0]
        if self._open < self._size:
            return await self._opened()
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[asyncpg.Connection | None] = loop.create_future()
        self._waiting.append(waiter)
        timer = loop.call_later(self._wait, _expire, waiter, self._wait)
        try:
            given = await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._pass_on(waiter.result())  # given just as this caller was cancelled: pass it on
            else:
                waiter.cancel()
            raise
        finally:
            timer.cancel()
        return given if given is not None else await self._opened()

    async def _opened(self) -> asyncpg.Connection:
        self._open += 1
        try:
            return await self._open_one()
        except BaseException:
            self._open -= 1
            self._pass_on(None)
            raise

    def _give(self, driver: asyncpg.Connection, healthy: bool) -> None:
        if healthy and not self._closed:
            self._pass_on(driver)
        else:
            self._close_later(driver, then=self._closed_one)

    def _closed_one(self) -> None:
        self._open -= 1
        self._pass_on(None)  # a place to open one came free

    def _close_later(self, driver: asyncpg.Connection, then: Callable[[], None] | None = None) -> None:
        """Closes the connection in a task of its own. asyncpg's close first finishes a cancellation it
        has begun (it asks Postgres to stop the statement, which a dropped socket would not do while
        the statement waits on a lock), then says goodbye; a close that fails or takes over 10 s
        drops the connection."""

        async def closing() -> None:
            try:
                await driver.close(timeout=CLOSE_SECONDS)
            except BaseException:  # nobody awaits this task: dropping the connection is all there is to do
                driver.terminate()
            finally:
                if then is not None:
                    then()

        task = asyncio.get_running_loop().create_task(closing())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _pass_on(self, driver: asyncpg.Connection | None) -> None:
        """To the first caller still waiting; else a connection goes on the free list."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(driver)
                return
        if driver is not None:
            now = time.monotonic()
            self._free.append((driver, now))
            self._close_idle(now)

    def _close_idle(self, now: float) -> None:
        """The connections unused for idle_seconds (the oldest are first on the list), all but one."""
        while len(self._free) > 1 and now - self._free[0][1] > self._idle_seconds:
            driver, _ = self._free.pop(0)
            self._open -= 1
            self._close_later(driver)

    async def close(self) -> None:
        """Closes the free connections now, and the others as they come back."""
        self._closed = True
        free, self._free = self._free, []
        self._open -= len(free)
        for waiter in self._waiting:
            if not waiter.done():
                waiter.set_exception(asyncpg.InterfaceError("the read connections are closed"))
        for driver, _ in free:
            self._close_later(driver)
        await asyncio.gather(*self._closing, return_exceptions=True)


def _expire(waiter: asyncio.Future[asyncpg.Connection | None], wait: float) -> None:
    if not waiter.done():
        waiter.set_exception(PoolExhausted(f"no read connection free (or opened) within {wait:g} s"))
