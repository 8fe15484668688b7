"""The GraphiQL link `make run` prints works without internet. A real `baton serve --demo` prints it;
Debian's headless chromium, which can resolve no host name (only 127.0.0.1 answers), opens it, runs the
query it fills in and shows the answer, then runs a subscription over the page's own WebSocket client
with the same headers. Every request the page makes goes to Baton. Driven over the Chrome DevTools
Protocol with the `websockets` client the other tests use."""

from __future__ import annotations

import json

import websockets

from tests.api.browser import Page, chromium, needs_chromium
from tests.api.processes import Process, baton_serve

pytestmark = needs_chromium
LINK = "GraphiQL, with the demo key filled in: "
KEY = "Demo tenant API key (ADMIN): "


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
