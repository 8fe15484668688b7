"""The operations page in a browser: a real `baton serve --demo`, Debian's headless Chromium with every
other host unresolvable. Sign in through the form, see the charts drawn with the demo shop's data, see an
order placed meanwhile arrive in the live events, and leave a screenshot in test-output/ops-page.png."""

from __future__ import annotations

import json
from pathlib import Path

import websockets

from tests.api.browser import Page, chromium, needs_chromium
from tests.api.documents import order_input
from tests.api.processes import Process, baton_serve
from tests.conftest import ROOT

pytestmark = needs_chromium
KEY = "Demo tenant API key (ADMIN): "
SCREENSHOT = ROOT / "test-output" / "ops-page.png"
ORDER_CREATE = "mutation($input: OrderCreateInput!) { orderCreate(input: $input) { order { number } } }"


def _save(path: Path, png: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)


async def test_the_ops_page_draws_its_charts_and_follows_events_live(db, database_url, tmp_path):
    printed = tmp_path / "stdout"
    with printed.open("w") as stdout:
        async with (
            baton_serve(database_url, "--demo", stdout=stdout, BATON_DATA_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
            as server,
            chromium(tmp_path / "profile") as devtools,
            websockets.connect(devtools, max_size=None) as socket,
        ):  # fmt: skip
            key = next(
                line.removeprefix(KEY) for line in printed.read_text().splitlines() if line.startswith(KEY)
            )
            await _sign_in_and_look(server, key, Page(socket))


async def _sign_in_and_look(server: Process, key: str, page: Page) -> None:
    baton = f"http://127.0.0.1:{server.port}/"
    for domain in ("Network", "Runtime", "Page", "Log"):
        await page.call(f"{domain}.enable")
    await page.call(
        "Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False
    )

    await page.call("Page.navigate", url=f"{baton}ops")
    await page.until("location.pathname === '/ops/login' && !!document.querySelector('#key')")
    await page.value(f"document.querySelector('#key').value = {json.dumps(key)}")
    await page.value("document.querySelector('form button').click()")
    await page.until("location.pathname === '/ops' && document.querySelectorAll('svg.chart').length === 6")

    # The demo shop's orders are drawn: a line with a point per day, bars for its SKUs
    points = await page.value("document.querySelector('svg.chart polyline.line').getAttribute('points')")
    assert len(points.split()) == 30, points
    assert await page.value("document.querySelectorAll('svg.chart rect.bar').length") >= 2
    shown = await page.value("document.querySelector('.kpis').innerText")
    assert "Orders" in shown and "Net sales" in shown
    # Laid out, not just present: the first chart has a real size on screen
    width = await page.value("document.querySelector('svg.chart').getBoundingClientRect().width")
    assert width > 300, width

    # An order placed now shows in the live events within moments, over the page's event stream
    placed = await server.api(key, ORDER_CREATE, input=order_input([("TEE-BLK-M", 1)]))
    assert "errors" not in placed, placed
    await page.until("[...document.querySelectorAll('#events li.fresh')].some(li => "
                     "li.innerText.includes('ORDER_CREATED'))")  # fmt: skip
    _save(SCREENSHOT, await page.screenshot())
    print(f"screenshot of /ops: {SCREENSHOT}")

    requested = [event["request"]["url"] for event in page.seen("Network.requestWillBeSent")]
    assert all(url.startswith(baton) for url in requested), requested
    assert f"{baton}ops/assets/ops.js" in requested and f"{baton}ops/stream?after=" in " ".join(requested)
    assert page.seen("Runtime.exceptionThrown") == []
    # No Content-Security-Policy violation, nor any other error, on the console
    errors = [e["entry"] for e in page.seen("Log.entryAdded") if e["entry"]["level"] == "error"]
    errors += [e for e in page.seen("Network.responseReceived") if e["response"]["status"] >= 400]
    assert errors == [], errors
