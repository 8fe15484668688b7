"""Unexpected errors are masked (and logged with a request id); abusive documents are refused before
anything runs: query depth, alias count and token count limits."""

from __future__ import annotations

import logging

from domain.orders import queries as order_queries
from domain.workflows import placement
from schema.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.api.documents import (
    ORDER,
    ORDER_CREATE,
    ORDERS,
    ORDERS_NESTED,
    error_codes,
    order_input,
    place_order,
    stock_of,
)

SECRET = "password=hunter2 at db.internal:5432"


def explode(*args, **kwargs):
    raise RuntimeError(f"could not connect: {SECRET}")


async def explode_async(*args, **kwargs):
    explode()


def nested(fields: int) -> str:
    """A query `fields` fields deep: orders → nodes → customer → orders → … → __typename, one order a
    page, so that its cost (schema/cost.py) stays far below the maximum and only its depth counts."""
    cycle = ["orders(first: 1)", "nodes", "customer"]
    document = "__typename"
    for i in reversed(range(fields - 1)):
        document = f"{cycle[i % 3]} {{ {document} }}"
    return "{ " + document + " }"


def masked(error: dict, request_id: str) -> bool:
    return error["message"] == "Unexpected error." and error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": request_id,
    }


# --- masking -----------------------------------------------------------------------------------


async def test_an_unexpected_exception_is_masked_for_the_client_and_logged_with_its_traceback(
    api, shop, monkeypatch, caplog
):
    monkeypatch.setattr(order_queries, "list_orders", explode_async)

    with caplog.at_level(logging.ERROR, logger="baton.graphql"):
        response = await api.post(shop.admin, ORDERS)

    assert response.status_code == 200
    body = response.json()
    request_id = response.headers["x-request-id"]
    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert masked(body["errors"][0], request_id)
    assert body["errors"][0]["path"] == ["orders"]
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text

    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]  # once, not again by strawberry
    assert record.name == "baton.graphql"
    assert request_id in record.getMessage()
    assert isinstance(record.exc_info[1], RuntimeError)
    assert "Traceback" in caplog.text
    assert SECRET in caplog.text


async def test_a_clients_mistakes_are_logged_at_info_in_one_line_without_a_traceback(api, shop, caplog):
    mistakes = [
        ("{ orders(first: 500) { nodes { id } } }", "BAD_USER_INPUT"),
        ('{ eventsFeed(after: "nonsense") { nodes { id } } }', "BAD_USER_INPUT"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: String!) { orderByNumber(number: $n) { id } }", "BAD_USER_INPUT"),  # no $n
    ]
    for document, code in mistakes:
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            response = await api.post(shop.admin, document)
        assert response.json()["errors"][0]["extensions"]["code"] == code, response.text
        assert [r for r in caplog.records if r.levelno >= logging.WARNING] == [], document
        [line] = [r for r in caplog.records if r.name == "baton.graphql"]
        assert line.levelno == logging.INFO and line.exc_info is None
        assert code in line.getMessage() and response.headers["x-request-id"] in line.getMessage()


async def test_the_request_id_a_client_sends_is_the_one_masked_errors_and_logs_carry(
    api, shop, monkeypatch, caplog
):
    monkeypatch.setattr(order_queries, "list_orders", explode_async)

    with caplog.at_level(logging.ERROR, logger="baton.graphql"):
        response = await api.client.post(
            "/graphql",
            json={"query": ORDERS},
            headers={"Authorization": f"Bearer {shop.admin}", "X-Request-Id": "req-7f3a"},
        )

    assert response.headers["x-request-id"] == "req-7f3a"
    assert masked(response.json()["errors"][0], "req-7f3a")
    assert any("req-7f3a" in r.getMessage() for r in caplog.records if r.name == "baton.graphql")


async def test_a_failure_in_a_nested_field_masks_only_that_field(api, shop, monkeypatch, caplog):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    monkeypatch.setattr(order_queries, "lines_by_order", explode_async)
    # The failure is injected into the Python loader of lines: the path through strawberry. The read
    # compiler (which would answer this query in SQL, never calling it) is off for this app.
    monkeypatch.setattr(api.app.state.view, "compiled", None)

    with caplog.at_level(logging.ERROR, logger="baton.graphql"):
        response = await api.post(
            shop.admin,
            "query($id: ID!) { a: order(id: $id) { number } b: order(id: $id) { lines { sku } } }",
            {"id": order["id"]},
        )

    body = response.json()
    assert body["data"] == {"a": {"number": "#1001"}, "b": None}
    assert [e["path"] for e in body["errors"]] == [["b", "lines"]]
    assert masked(body["errors"][0], response.headers["x-request-id"])
    assert "hunter2" not in response.text


async def test_every_error_of_a_failing_list_is_masked(api, shop, monkeypatch):
    await place_order(api, shop.admin, [("TEE", 1)])
    await place_order(api, shop.admin, [("MUG", 1)])
    monkeypatch.setattr(order_queries, "lines_by_order", explode_async)
    monkeypatch.setattr(api.app.state.view, "compiled", None)  # the loader broken is strawberry's

    response = await api.post(shop.admin, ORDERS_NESTED, {"first": 10})

    body = response.json()
    assert body["data"] is None
    assert body["errors"]
    assert all(masked(e, response.headers["x-request-id"]) for e in body["errors"])


async def test_an_unexpected_exception_in_a_mutation_is_masked_and_changes_nothing(api, shop, monkeypatch):
    # Fails mid-way through the use case: after the statement that reserves the stock and writes the
    # order's rows, before its events are written and the transaction commits.
    monkeypatch.setattr(placement, "assessed", explode)

    response = await api.post(shop.admin, ORDER_CREATE, {"input": order_input([("TEE", 1)])})

    body = response.json()
    assert body["data"] is None
    assert masked(body["errors"][0], response.headers["x-request-id"])
    monkeypatch.undo()
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 0


async def test_public_errors_are_not_masked(api, shop):
    bad_page = await api(shop.admin, ORDERS, first=500)
    assert error_codes(bad_page) == ["BAD_USER_INPUT"]
    assert "100" in bad_page["errors"][0]["message"]

    bad_field = await api(shop.admin, "{ orders { nodes { secretField } } }")
    assert "secretField" in bad_field["errors"][0]["message"]

    bad_variable = await api(shop.admin, ORDER, id=None)
    assert "$id" in bad_variable["errors"][0]["message"]


# --- depth, alias and token limits -------------------------------------------------------------


async def test_a_query_as_deep_as_the_limit_runs(api, shop):
    body = await api(shop.admin, nested(MAX_DEPTH))

    assert "errors" not in body, body
    assert body["data"] == {"orders": {"nodes": []}}


async def test_a_query_deeper_than_the_limit_is_refused(api, shop):
    body = await api(shop.admin, nested(MAX_DEPTH + 1))

    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == [
        f"'anonymous' exceeds maximum operation depth of {MAX_DEPTH}"
    ]


async def test_a_too_deep_mutation_is_refused_before_it_runs(api, shop):
    selection = "__typename"
    for field in reversed(["order", "customer", *(["orders", "nodes", "customer"] * 4)]):
        selection = f"{field} {{ {selection} }}"
    document = f"mutation Deep($input: OrderCreateInput!) {{ orderCreate(input: $input) {{ {selection} }} }}"

    body = await api(shop.admin, document, input=order_input([("TEE", 1)]))

    assert body["data"] is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    assert (await api(shop.admin, ORDERS))["data"]["orders"]["nodes"] == []
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 0


async def test_as_many_aliases_as_the_limit_are_allowed(api, shop):
    document = "{ " + " ".join(f"a{i}: __typename" for i in range(MAX_ALIASES)) + " }"

    body = await api(shop.admin, document)

    assert "errors" not in body
    assert len(body["data"]) == MAX_ALIASES


async def test_more_aliases_than_the_limit_are_refused(api, shop):
    document = "{ " + " ".join(f"a{i}: __typename" for i in range(MAX_ALIASES + 1)) + " }"

    body = await api(shop.admin, document)

    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == [
        f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"
    ]


async def test_an_alias_flood_of_mutations_is_refused_before_any_runs(api, shop):
    fields = " ".join(
        f"o{i}: orderCreate(input: $input) {{ order {{ id }} }}" for i in range(MAX_ALIASES + 1)
    )
    document = f"mutation Flood($input: OrderCreateInput!) {{ {fields} }}"

    body = await api(shop.admin, document, input=order_input([("TEE", 1)]))

    assert body["data"] is None
    assert "aliases" in body["errors"][0]["message"]
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 0


def with_tokens(strings: int) -> str:
    """A document of strings + 18 tokens (and the end of the document)."""
    skus = " ".join('"s"' for _ in range(strings))
    return "{ products(filter: {skus: [" + skus + "]}) { nodes { id } } }"


async def test_a_long_document_within_the_token_limit_runs(api, shop):
    body = await api(shop.admin, with_tokens(MAX_TOKENS - 30))

    assert body["data"] == {"products": {"nodes": []}} and "errors" not in body


async def test_a_document_over_the_token_limit_is_refused_unparsed(api, shop):
    body = await api(shop.admin, with_tokens(MAX_TOKENS))

    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == [
        f"Syntax Error: Document contains more than {MAX_TOKENS} tokens. Parsing aborted."
    ]
