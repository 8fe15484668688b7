"""/metrics: Prometheus's format on a port of its own, with what an operator watches first."""

from __future__ import annotations

import asyncio
import socket

import httpx

from server.app import create_app
from server.settings import Settings
from tests.api.conftest import Api, open_shop
from tests.api.documents import place_order


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _value(text: str, sample: str) -> float:
    """The value of one sample line (name with its labels), 0 when it is not there yet."""
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    return 0.0


async def test_metrics_count_requests_errors_and_orders_and_watch_the_queues(
    db, database_url, app_settings, tenant
):
    port = _free_port()
    settings = Settings(**{**app_settings.__dict__, "metrics_port": port, "workers_in_serve": False})
    app = create_app(settings, database_url)
    metrics_url = f"http://127.0.0.1:{port}/metrics"
    async with app.router.lifespan_context(app), httpx.AsyncClient() as scraper:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://baton.test"
        ) as c:
            api = Api(c, app)
            shop = await open_shop(api, tenant)
            before = (await scraper.get(metrics_url)).text
            await place_order(api, shop.admin, [("TEE", 1)])
            await api(shop.admin, "{ __typename }")
            await api(shop.admin, "{ orders(first: 500) { nodes { id } } }")
            assert (await c.get("/metrics")).status_code == 404  # never on the API's port
            await asyncio.sleep(0.1)
            after = (await scraper.get(metrics_url)).text

    def grew(sample: str) -> float:
        return _value(after, sample) - _value(before, sample)

    assert grew('baton_http_requests_total{kind="mutation",status="200"}') >= 1
    assert grew('baton_http_requests_total{kind="graphql",status="200"}') >= 2
    assert grew('baton_http_requests_total{kind="other",status="404"}') == 1
    assert grew("baton_orders_created_total") == 1
    assert grew('baton_graphql_errors_total{code="BAD_USER_INPUT"}') == 1
    assert grew('baton_http_request_duration_seconds_count{kind="graphql"}') >= 2
    for gauge in (
        "baton_relay_lag_seconds",
        "baton_relay_backlog_events",  # the order's events, with no relay running here
        "baton_webhook_deliveries_pending",
        "baton_emails_pending",
        'baton_db_read_connections{state="open"}',
        "baton_websocket_connections",
    ):
        assert f"\n{gauge} " in after, gauge
    assert _value(after, 'baton_db_read_connections{state="open"}') >= 1
