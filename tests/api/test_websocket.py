"""GraphQL over WebSocket (graphql-transport-ws) on /graphql, authenticated in connection_init: a real
uvicorn server on a loopback port and a real WebSocket client."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

PROTOCOL = "graphql-transport-ws"


@pytest.fixture
async def url(live):
    return live.ws_url


async def test_a_socket_with_a_valid_key_is_acknowledged_and_answers_operations(url, tenant):
    async with connect(url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {tenant.admin}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = "{ viewer { role shop { name } } }"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        answer = json.loads(await ws.recv())
        assert (answer["id"], answer["type"]) == ("1", "next")
        assert answer["payload"]["data"] == {"viewer": {"role": "ADMIN", "shop": {"name": "Acme"}}}
        assert "errors" not in answer["payload"]
        assert answer["payload"]["extensions"]["cost"]["actual"] == 2  # charged like any query
        assert json.loads(await ws.recv()) == {"id": "1", "type": "complete"}


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"Authorization": "Bearer baton_nope_nope"},
        {"Authorization": 123},
        {"Authorization": ["Bearer", "x"]},
        {"authorization": {"key": "x"}},
    ],
)
async def test_a_socket_without_a_valid_key_is_closed_as_forbidden(url, payload):
    async with connect(url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd.code == 4403
