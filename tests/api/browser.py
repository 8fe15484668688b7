"""Debian's headless chromium for the tests that drive a page (GraphiQL, /ops): started with no host name
resolvable but 127.0.0.1, and driven over the Chrome DevTools Protocol with the `websockets` client
the other tests use."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Debian's chromium (/usr/bin/chromium): `make test` installs it with apt-get when run as root",
)


@contextlib.asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[str]:
    """Headless chromium on about:blank; yields its page's DevTools WebSocket URL."""
    assert CHROMIUM is not None
    proc = await asyncio.create_subprocess_exec(
        CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--no-default-browser-check", f"--user-data-dir={profile}",
        "--remote-debugging-port=0",  # it writes the port it took into the profile
        # Offline: every host name fails to resolve; only 127.0.0.1, Baton, is reachable.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,  # its renderer and helpers are stopped with it, below
    )  # fmt: skip
    try:
        active = profile / "DevToolsActivePort"
        async with asyncio.timeout(20):
            while not active.exists() or len(active.read_text().splitlines()) < 2:
                assert proc.returncode is None, "chromium exited"
                await asyncio.sleep(0.1)
            devtools = f"http://127.0.0.1:{active.read_text().split()[0]}"
            async with httpx.AsyncClient() as client:
                targets = (await client.get(f"{devtools}/json/list")).json()
        yield next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()


class Page:
    """Just enough of the DevTools Protocol: commands, and the events that arrive meanwhile."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.sent = 0
        self.events: list[dict] = []

    async def call(self, method: str, **params: Any) -> dict:
        self.sent += 1
        await self.socket.send(json.dumps({"id": self.sent, "method": method, "params": params}))
        while True:
            message = json.loads(await self.socket.recv())
            if message.get("id") == self.sent:
                assert "error" not in message, message
                return message["result"]
            self.events.append(message)

    async def value(self, expression: str) -> Any:
        result = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    async def until(self, expression: str, seconds: float = 15) -> None:
        try:
            async with asyncio.timeout(seconds):
                while True:
                    if await self.value(expression):
                        return
                    await asyncio.sleep(0.1)
        except TimeoutError:
            shown = await self.value("document.body.innerText")
            raise AssertionError(f"never true: {expression}\nthe page shows:\n{shown[:2000]}") from None

    def seen(self, method: str) -> list[dict]:
        return [event["params"] for event in self.events if event.get("method") == method]

    async def screenshot(self) -> bytes:
        """The whole page as it looks now, as PNG."""
        shot = await self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        return base64.b64decode(shot["data"])
