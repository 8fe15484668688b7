"""The log as an operator reads it (server/logs.py, server/access.py): JSON lines with the time, the
level, the request id, the tenant, the key and the operation; one access line per request, whichever
path answered it; a client's mistake one INFO line, an unexpected error one ERROR line with its
traceback; uvicorn's own lines in the same format, and its plain access line gone."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
import structlog

from domain.orders import queries as order_queries
from server import logs
from tests.api.conftest import open_shop
from tests.api.live import Socket
from tests.api.processes import baton_serve

RECENT = "query Recent { orders(first: 1) { nodes { id number } } }"
Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_log() -> Iterator[Lines]:
    """The process's logging as `baton serve` sets it up, into a buffer; as it was afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    knobs = logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing
    buffer = io.StringIO()
    logs.configure("info", "json", buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.handlers[:] = handlers
    root.setLevel(level)
    logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing = knobs
    structlog.reset_defaults()


def _of(lines: list[dict[str, Any]], logger: str) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == logger]


async def test_a_request_writes_one_json_access_line_saying_who_asked_what_and_how_it_went(
    api, plain, tenant, json_log
):
    shop = await open_shop(api, tenant)
    for client in (api, plain):  # the read compiler's answer, and strawberry's
        before = len(json_log())

        response = await client.client.post(
            "/graphql",
            json={"query": RECENT, "variables": {"secret": "hunter2"}},
            headers={"Authorization": f"Bearer {shop.admin}", "X-Request-Id": "req-log-1"},
        )

        assert response.status_code == 200, response.text
        lines = json_log()[before:]
        [access] = _of(lines, "baton.access")
        assert access["level"] == "info"
        assert datetime.fromisoformat(access["timestamp"]).tzinfo is not None
        assert access["request_id"] == "req-log-1"
        assert (access["method"], access["path"], access["status"]) == ("POST", "/graphql", 200)
        assert isinstance(access["duration_ms"], float) and access["duration_ms"] > 0
        assert (access["operation_name"], access["operation_type"]) == ("Recent", "query")
        assert access["tenant_id"] == str(tenant.id)
        assert access["key_id"]
        text = "\n".join(json.dumps(line) for line in lines)
        assert shop.admin not in text and "hunter2" not in text  # no key, no variables


async def test_a_clients_mistake_is_one_info_line_without_a_traceback_with_the_request_and_tenant(
    api, shop, json_log
):
    before = len(json_log())

    response = await api.post(shop.admin, "query Big { orders(first: 500) { nodes { id } } }")

    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    lines = json_log()[before:]
    [mistake] = _of(lines, "baton.graphql")
    assert mistake["level"] == "info" and "exception" not in mistake
    assert mistake["code"] == "BAD_USER_INPUT"
    assert mistake["request_id"] == response.headers["x-request-id"]
    assert mistake["tenant_id"] == str(shop.tenant.id)
    assert (mistake["operation_name"], mistake["operation_type"]) == ("Big", "query")
    assert len(_of(lines, "baton.access")) == 1


async def test_an_unexpected_error_is_one_error_line_with_its_traceback_and_the_request_id(
    api, shop, monkeypatch, json_log
):
    async def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(order_queries, "list_orders", explode)
    monkeypatch.setattr(api.app.state.view, "compiled", None)  # the failure is on strawberry's path
    before = len(json_log())

    response = await api.post(shop.admin, "{ orders(first: 1) { nodes { id } } }")

    request_id = response.json()["errors"][0]["extensions"]["requestId"]
    [error] = [line for line in json_log()[before:] if line["level"] == "error"]
    assert error["logger"] == "baton.graphql"
    assert error["request_id"] == request_id == response.headers["x-request-id"]
    assert error["exception"].startswith("Traceback") and "the disk is on fire" in error["exception"]


async def test_a_websocket_is_one_line_when_it_opens_and_one_when_it_closes(live, tenant, json_log):
    before = len(json_log())
    async with Socket.open(live.ws_url, tenant.admin) as sock:
        op = await sock.subscribe("query Who { viewer { role } }")
        assert (await sock.next(op))["viewer"]["role"] == "ADMIN"
    for _ in range(100):  # the server notices the close a moment later
        lines = _of(json_log()[before:], "baton.access")
        if len(lines) == 2:
            break
        await asyncio.sleep(0.02)

    opened, closed = lines
    assert opened["event"] == "websocket open /graphql" and opened["request_id"]
    assert closed["event"].startswith("websocket closed /graphql")
    assert closed["request_id"] == opened["request_id"]
    assert closed["tenant_id"] == str(tenant.id) and closed["close_code"] is not None
    assert closed["duration_ms"] > 0


async def test_health_checks_are_logged_only_at_debug(api, json_log):
    before = len(json_log())
    assert (await api.client.get("/healthz")).status_code == 200
    assert _of(json_log()[before:], "baton.access") == []


async def test_baton_serve_writes_only_json_lines_and_one_access_line_per_request(db, database_url, tenant):
    with tempfile.TemporaryFile("w+") as stderr:
        async with baton_serve(database_url, stderr=stderr, BATON_LOG_LEVEL="info") as server:
            response = await server.api.client.post(
                "/graphql",
                json={"query": "query Me { __typename }"},
                headers={"Authorization": f"Bearer {tenant.admin}", "X-Request-Id": "req-serve-1"},
            )
            assert response.status_code == 200
        stderr.seek(0)
        text = stderr.read()

    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON: none is plain
    assert any(line["logger"] == "uvicorn.error" and "startup complete" in line["event"] for line in lines)
    [access] = [line for line in _of(lines, "baton.access") if line.get("request_id") == "req-serve-1"]
    assert (access["status"], access["operation_name"], access["client"]) == (200, "Me", "127.0.0.1")
    assert _of(lines, "uvicorn.access") == []
    assert len(_of(lines, "baton.access")) == 1  # the readiness probes (/healthz) are not there
