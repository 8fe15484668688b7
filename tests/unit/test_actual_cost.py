"""Actual cost: the objects an answer held, priced the way the query was priced before it ran."""

from __future__ import annotations

from typing import Any

from graphql import parse

from schema.cost import LIST_SIZE, MUTATION_COST, Pricer, actual_cost, query_cost
from schema.schema import schema

GRAPH = schema._schema


def actual(query: str, data: dict[str, Any] | None, operation: str | None = None) -> int:
    return actual_cost(GRAPH, parse(query), operation, data)


def test_a_full_answer_costs_what_was_requested():
    query = "{ orders(first: 2) { nodes { id lines { sku } } } }"
    line = {"sku": "TEE"}
    data = {"orders": {"nodes": [{"id": "a", "lines": [line] * LIST_SIZE}, {"id": "b", "lines": [line] * 3}]}}

    assert actual(query, data) == query_cost(GRAPH, parse(query), None, None) == 1 + 2 * (1 + LIST_SIZE)


def test_a_half_empty_page_costs_only_the_objects_it_held():
    query = "{ orders(first: 50) { nodes { id customer { email } } } }"
    data = {"orders": {"nodes": [{"id": "a", "customer": None}, {"id": "b", "customer": {"email": "x"}}]}}

    assert actual(query, data) == 1 + 2 + 1


def test_value_objects_scalars_and_nulls_cost_nothing():
    query = '{ order(id: "x") { id total { amount } shippingAddress { city } } shop { id } }'

    assert (
        actual(query, {"order": {"id": "x", "total": {"amount": "1"}, "shippingAddress": None}, "shop": None})
        == 1
    )
    assert actual(query, {"order": None, "shop": None}) == 0


def test_aliases_and_fragments_are_counted_once_per_object_in_the_answer():
    query = (
        "fragment F on Order { lines { sku } } "
        '{ a: node(id: "x") { ... on Order { id ...F lines { sku } } } b: shop { id } }'
    )
    data = {"a": {"id": "x", "lines": [{"sku": "TEE"}, {"sku": "MUG"}]}, "b": {"id": "s"}}

    assert actual(query, data) == 1 + 2 + 1


def test_a_mutation_adds_its_fixed_cost_to_what_its_payload_returned():
    query = 'mutation { orderConfirm(input: {id: "x"}) { order { id } userErrors { code } } }'
    data = {"orderConfirm": {"order": {"id": "x"}, "userErrors": []}}

    assert actual(query, data) == MUTATION_COST + 1 + 1


def test_an_operation_that_returned_no_data_costs_nothing():
    assert actual("{ shop { id } }", None) == 0
    assert actual("query A { shop { id } } query B { shop { id } }", {"shop": {"id": "s"}}, "B") == 1


def test_a_prepared_pricer_prices_as_the_functions_do_request_after_request():
    sized = "query($n: Int) { orders(first: $n) { nodes { id lines { sku } } } }"
    fixed = "query($n: String!) { a: orderByNumber(number: $n) { lines { sku } customer { email } } }"
    pricer, fixed_pricer = Pricer(GRAPH, parse(sized), None), Pricer(GRAPH, parse(fixed), None)
    page = {"orders": {"nodes": [{"id": "a", "lines": [{"sku": "TEE"}]}]}}
    order = {"a": {"lines": [{"sku": "TEE"}] * 2, "customer": None}}

    for n in (1, 5, 50):
        assert pricer.requested({"n": n}) == query_cost(GRAPH, parse(sized), None, {"n": n})
    assert fixed_pricer.fixed is not None and pricer.fixed is None  # only page sizes vary with variables
    for _ in range(2):  # the second walk reuses the merged selections
        assert pricer.actual(page) == actual(sized, page)
        assert fixed_pricer.actual(order) == actual(fixed, order) == 1 + 2
