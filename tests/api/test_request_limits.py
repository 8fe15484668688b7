"""Requests that would cost the server too much are refused before they run: bodies over the size
limit, JSON that is not UTF-8 or is nested absurdly deep, queries priced above the maximum, and text
the database cannot store."""

from __future__ import annotations

import asyncio
import json

from schema.cost import MAX_COST
from tests.api.documents import ORDER_CREATE, error_codes, order_input, stock_of
from tests.api.query_counting import counting

ATTACK_ALIAS = (
    "orders(first: 100) { nodes { lines { allocations { quantity } } events { type } "
    "shipments { trackingEvents { status } } customer { orders(first: 100) { nodes { id } } } } }"
)


def _headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


async def test_a_body_over_the_size_limit_is_refused_with_413_and_changes_nothing(api, shop):
    limit = api.app.state.view.settings.max_body_bytes
    body = {"query": ORDER_CREATE + "#" + "x" * limit, "variables": {"input": order_input([("TEE", 1)])}}

    response = await api.client.post("/graphql", content=json.dumps(body), headers=_headers(shop.admin))

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 0


async def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(api, shop):
    limit = api.app.state.view.settings.max_body_bytes
    sent = 0

    async def chunks():
        nonlocal sent
        yield b'{"query": "{ shop { id } }", "comment": "'
        for _ in range(limit // 65536 + 10):
            sent += 65536
            yield b"x" * 65536
        yield b'"}'

    response = await api.client.post("/graphql", content=chunks(), headers=_headers(shop.admin))

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_body_just_under_the_limit_runs(api, shop):
    limit = api.app.state.view.settings.max_body_bytes
    padding = limit - 200
    content = json.dumps({"query": "{ shop { name } } #" + "x" * padding})

    response = await api.client.post("/graphql", content=content, headers=_headers(shop.admin))

    assert len(content) <= limit
    assert response.status_code == 200
    assert response.json()["data"]["shop"]["name"] == "Acme"


async def test_bytes_that_are_not_utf8_get_a_400_with_a_json_error(api, shop):
    response = await api.client.post(
        "/graphql", content=b'{"query": "{ shop { id } }", "x": "\xff\xfe"}', headers=_headers(shop.admin)
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "UTF-8" in response.json()["errors"][0]["message"]


async def test_json_nested_ten_thousand_levels_gets_a_400_with_a_json_error(api, shop):
    content = '{"query": "{ shop { id } }", "variables": {"x": ' + "[" * 10_000 + "]" * 10_000 + "}}"

    response = await api.client.post("/graphql", content=content, headers=_headers(shop.admin))

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_other_malformed_bodies_get_json_errors_too(api, shop):
    response = await api.client.post("/graphql", content=b"{not json", headers=_headers(shop.admin))

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_query_priced_above_the_maximum_is_refused_before_any_sql_runs(api, shop):
    document = "{ " + " ".join(f"a{i}: {ATTACK_ALIAS}" for i in range(30)) + " }"
    with counting(api) as statements:
        body = await api(shop.admin, document)
        await asyncio.sleep(0)

    assert body["data"] is None
    assert error_codes(body) == ["MAX_COST_EXCEEDED"]
    cost = body["errors"][0]["extensions"]["cost"]
    assert cost["maximum"] == MAX_COST and cost["requested"] > 30 * MAX_COST
    # The tests' key cache is off, so only the key's own lookup may have run.
    assert [s for s in statements.seen if "baton_api_key" not in s] == []
    assert len(statements.seen) == 1


async def test_a_page_size_in_a_variable_is_priced_with_its_value(api, shop):
    document = (
        "query($n: Int) { orders(first: $n) { nodes { customer { orders(first: $n) { nodes { id } } } } } }"
    )

    small = await api(shop.admin, document, n=10)
    large = await api(shop.admin, document, n=100)

    assert "errors" not in small
    assert error_codes(large) == ["MAX_COST_EXCEEDED"]


async def test_a_lone_surrogate_in_any_text_input_is_a_coded_user_error_that_changes_nothing(api, shop):
    data = order_input([("TEE", 1)])
    data["customer"]["firstName"] = "Ada\ud800"
    content = json.dumps({"query": ORDER_CREATE, "variables": {"input": data}})  # "\ud800" escaped

    response = await api.client.post("/graphql", content=content, headers=_headers(shop.admin))

    errors = response.json()["data"]["orderCreate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["customer", "firstName"], "INVALID")]
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 0


async def test_a_lone_surrogate_no_check_catches_is_bad_input_not_an_unexpected_error(api, shop):
    content = json.dumps(
        {"query": "query($sku: String!) { product(sku: $sku) { sku } }", "variables": {"sku": "TEE\udc00"}}
    )

    response = await api.client.post("/graphql", content=content, headers=_headers(shop.admin))

    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
