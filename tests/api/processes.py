"""`baton serve` as a real process on a loopback port, for tests that need the command itself: several
servers on one database, killing one, or the demo it seeds."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO

import httpx

from tests.api.conftest import Api
from tests.api.live import free_port
from tests.conftest import ROOT


@dataclass
class Process:
    port: int
    proc: asyncio.subprocess.Process
    api: Api

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"


@contextlib.asynccontextmanager
async def baton_serve(
    database_url: str,
    *args: str,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    **env: str,
) -> AsyncIterator[Process]:
    """`args` go after `serve --port N`; `env` adds to (or overrides) the test settings below; what it
    prints goes to `stdout` when given (with PYTHONUNBUFFERED=1 in `env`, as it is printed), and its log
    to `stderr`."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BATON_LOG_LEVEL": "warning",
        "BATON_RELAY_INTERVAL": "0.02",
        "BATON_LIVE_POLL_SECONDS": "30",
        "BATON_AUTH_CACHE_SECONDS": "0",
        **env,
    }
    cmd = [sys.executable, "-m", "server.cli", "serve", "--port", str(port), *args]
    proc = await asyncio.create_subprocess_exec(*cmd, cwd=ROOT, env=environment, stdout=stdout, stderr=stderr)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(600):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code == 200:
                        break
                assert proc.returncode is None, "baton serve exited"
                await asyncio.sleep(0.05)
            yield Process(port, proc, Api(client, None))  # type: ignore[arg-type]
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
