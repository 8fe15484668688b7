"""The HTTP surface around GraphQL: GET for reads only, no batching, request ids, health checks."""

from __future__ import annotations

import pytest

from tests.api.documents import LOCATION_CREATE, place_order


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_a_query_may_be_sent_with_get(api, shop):
    await place_order(api, shop.admin, [("TEE", 1)])

    response = await api.client.get(
        "/graphql", params={"query": "{ orders { nodes { number } } }"}, headers=auth(shop.admin)
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"orders": {"nodes": [{"number": "#1001"}]}}
    assert "errors" not in response.json()


async def test_a_mutation_sent_with_get_is_refused_and_changes_nothing(api, shop):
    document = 'mutation { locationCreate(input: {name: "Sneaky"}) { location { id } } }'

    response = await api.client.get("/graphql", params={"query": document}, headers=auth(shop.admin))

    assert response.status_code == 400
    names = (await api(shop.admin, "{ locations { nodes { name } } }"))["data"]["locations"]["nodes"]
    assert names == [{"name": "Main Warehouse"}]


async def test_batched_requests_are_refused(api, shop):
    response = await api.client.post(
        "/graphql",
        json=[{"query": LOCATION_CREATE, "variables": {"name": "One"}}, {"query": "{ __typename }"}],
        headers=auth(shop.admin),
    )

    assert response.status_code == 400


async def test_a_body_that_is_not_json_is_a_bad_request(api, shop):
    response = await api.client.post(
        "/graphql", content="{ orders", headers={**auth(shop.admin), "Content-Type": "application/json"}
    )

    assert response.status_code == 400


async def test_an_answered_request_carries_a_fresh_request_id(api, tenant):
    first = await api.post(tenant.admin, "{ __typename }")
    second = await api.post(tenant.admin, "{ __typename }")

    assert len(first.headers["x-request-id"]) >= 8
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_clients_request_id_is_kept_when_it_is_a_plain_id_and_replaced_otherwise(api, tenant):
    async def echoed(value: str) -> str:
        headers = {"Authorization": f"Bearer {tenant.admin}", "X-Request-Id": value}
        response = await api.client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        return response.headers["x-request-id"]

    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    assert await echoed(trace) == trace
    assert await echoed("req-42:retry.1") == "req-42:retry.1"
    for strange in ("x" * 65, "a b", 'a"}\nfake=1', ""):
        replaced = await echoed(strange)
        assert replaced != strange and len(replaced) == 16, strange


async def test_health_and_readiness_need_no_key(api):
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    assert (await api.client.get("/readyz")).json() == {"status": "ok"}


GRAPHQL_RESPONSE = "application/graphql-response+json"


async def test_a_client_accepting_the_graphql_response_type_gets_it_with_the_specs_status_codes(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    headers = {**auth(shop.admin), "Accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"}
    cases = [
        ({"query": "{ nope }"}, 400, False),  # did not validate: no data entry
        ({"query": "{ orders"}, 400, False),  # did not parse
        ({"query": "query($n: String!) { orderByNumber(number: $n) { id } }"}, 400, False),  # no $n
        ({"query": "{ __typename }"}, 200, True),
        ({"query": "{ orders(first: 500) { nodes { id } } }"}, 200, True),  # executed: a field error
        (
            {"query": "query($n: String!) { orderByNumber(number: $n) { number } }", "variables": {"n": "1"}},
            200,
            True,
        ),
        (
            {
                "query": "query($n: String!) { orderByNumber(number: $n) { number } }",
                "variables": {"n": order["number"]},
            },
            200,
            True,
        ),
    ]
    for body, status, has_data in cases:
        response = await api.client.post("/graphql", json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE), body
        assert ("data" in response.json()) is has_data, response.text
        assert response.headers["x-request-id"]

    plain = await api.client.post("/graphql", json={"query": "{ nope }"}, headers=auth(shop.admin))
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("application/json")
    assert plain.json()["data"] is None  # clients that accept only application/json: as before
    refused = {**auth(shop.admin), "Accept": f"{GRAPHQL_RESPONSE};q=0, application/json"}
    assert (await api.client.post("/graphql", json={"query": "{ nope }"}, headers=refused)).status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("{ orders", "application/json"),  # not JSON
        ('{"variables": {}}', "application/json"),  # no query
        ('{"query": 5}', "application/json"),  # a query that is not text
        ("query=%7B__typename%7D", "text/plain"),  # a media type GraphQL over HTTP does not use
        ('[{"query": "{ __typename }"}]', "application/json"),  # a batch
    ],
)
async def test_a_malformed_request_gets_a_json_error_with_a_code(api, shop, content, content_type):
    response = await api.client.post(
        "/graphql", content=content, headers={**auth(shop.admin), "Content-Type": content_type}
    )

    assert response.status_code in (400, 415), response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    (error,) = response.json()["errors"]
    assert error["message"] and error["extensions"]["code"] in {"BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE"}


async def test_a_subscription_sent_over_http_is_a_bad_request_that_names_the_websocket(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    document = "subscription($id: ID!) { orderUpdated(id: $id) { status } }"

    response = await api.post(shop.admin, document, {"id": order["id"]})

    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST" and "WebSocket" in error["message"], error
