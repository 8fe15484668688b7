"""The GraphiQL link `make run` prints works without internet. A real `baton serve --demo` prints it;
Debian's headless chromium, which can resolve no host name (only 127.0.0.1 answers), opens it, runs the
query it fills in and shows the answer, then runs a subscription over the page's own WebSocket client
with the same headers. Every request the page makes goes to Baton. Driven over the Chrome DevTools
Protocol with the `websockets` client the other tests use."""

from __future__ import annotations

import asyncio
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
import websockets

from tests.api.processes import Process, baton_serve

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Debian's chromium (/usr/bin/chromium): `make test` installs it with apt-get when run as root",
)
LINK = "GraphiQL, with the demo key filled in: "
KEY = "Demo tenant API key (ADMIN): "


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


RUN = "document.querySelector('.graphiql-execute-button').click()"
RESULT = "(document.querySelector('.graphiql-response')?.innerText ?? '')"


async def test_the_printed_graphiql_link_runs_a_query_and_a_subscription_offline(db, database_url, tmp_path):
    printed = tmp_path / "stdout"
    with printed.open("w") as stdout:
        async with (
            baton_serve(
                database_url,
                "--demo",
                stdout=stdout,
                BATON_DATA_DIR=str(tmp_path),
                BATON_ENV="development",
                PYTHONUNBUFFERED="1",
            ) as server,
            chromium(tmp_path / "profile") as devtools,
            websockets.connect(devtools, max_size=None) as socket,
        ):
            await _use_the_printed_link(server, printed.read_text(), Page(socket))


async def _use_the_printed_link(server: Process, printed: str, page: Page) -> None:
    link = next(line.removeprefix(LINK) for line in printed.splitlines() if line.startswith(LINK))
    key = next(line.removeprefix(KEY) for line in printed.splitlines() if line.startswith(KEY))
    port = server.port
    baton = f"http://127.0.0.1:{port}/"
    assert link.startswith(f"{baton}graphql?headers=")
    for domain in ("Network", "Runtime", "Page"):
        await page.call(f"{domain}.enable")

    await page.call("Page.navigate", url=link)
    await page.until("!!document.querySelector('.graphiql-execute-button')")
    assert "Loading..." not in await page.value("document.body.innerText")
    await page.value(RUN)
    await page.until(f"{RESULT}.includes('Demo Shop')")
    assert '"number": "#100' in await page.value(RESULT)

    body = await server.api(key, "{ orders(first: 1) { nodes { id number } } }")
    order = body["data"]["orders"]["nodes"][0]
    subscription = f"subscription {{ orderUpdated(id: {json.dumps(order['id'])}) {{ number status }} }}"
    editor = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
    await page.value(f"{editor}.setValue({json.dumps(subscription)})")
    # GraphiQL parses the editor 100 ms after a change and sends a subscription over WebSocket only
    # once it has: a person types, then clicks; here, wait for the parse.
    await page.until(f"{editor}.documentAST?.definitions[0].operation === 'subscription'")
    await page.value(RUN)
    await page.until(f"{RESULT}.includes('orderUpdated') && {RESULT}.includes({json.dumps(order['number'])})")

    requested = [event["request"]["url"] for event in page.seen("Network.requestWillBeSent")]
    sockets = [event["url"] for event in page.seen("Network.webSocketCreated")]
    assert all(url.startswith((baton, "data:")) for url in requested), requested
    assert any("/graphiql/assets/" in url and url.endswith("graphiql.min.js") for url in requested)
    assert sockets == [f"ws://127.0.0.1:{port}/graphql"]
    assert page.seen("Network.loadingFailed") == []
    assert page.seen("Runtime.exceptionThrown") == []
    # and the CDN really is out of reach, so the page above did not need it
    reach = "fetch('https://unpkg.com/').then(() => 'reached', () => 'unreachable')"
    assert await page.value(reach) == "unreachable"
