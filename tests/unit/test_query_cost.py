"""Query cost: priced from the document and variables before anything runs."""

from __future__ import annotations

from graphql import parse

from schema.cost import DEFAULT_PAGE, LIST_SIZE, MAX_COST, MUTATION_COST, query_cost
from schema.schema import schema

GRAPH = schema._schema


def cost(query: str, variables: dict | None = None, operation: str | None = None) -> int:
    return query_cost(GRAPH, parse(query), operation, variables)


def test_scalars_and_value_objects_are_free_and_each_object_costs_one():
    assert cost("{ shop { id name } }") == 1
    assert cost('{ product(sku: "A") { sku price { amount currencyCode } } }') == 1
    assert cost('{ order(id: "x") { id total { amount } shippingAddress { city } customer { email } } }') == 2


def test_a_connection_multiplies_its_nodes_by_the_page_asked_for():
    assert cost("{ orders(first: 10) { nodes { id } } }") == 1 + 10
    assert cost("{ orders(last: 7) { edges { node { id } } pageInfo { hasNextPage } } }") == 1 + 7 * 2
    assert cost("{ orders { nodes { id } } }") == 1 + DEFAULT_PAGE
    assert cost("query($n: Int) { orders(first: $n) { nodes { id } } }", {"n": 50}) == 1 + 50
    assert cost("{ orders(first: 100000) { nodes { id } } }") == 1 + 100  # refused above 100 anyway


def test_a_list_without_paging_counts_as_a_few_objects_each():
    query = "{ orders(first: 10) { nodes { id lines { sku allocations { quantity } } } } }"

    assert cost(query) == 1 + 10 * (1 + LIST_SIZE * (1 + LIST_SIZE))


def test_fragments_and_aliases_are_priced_like_the_fields_they_hold():
    spread = "fragment F on Order { lines { sku } } { a: orders(first: 2) { nodes { ...F } } b: shop { id } }"
    inline = '{ node(id: "x") { ... on Order { lines { sku } } } }'

    assert cost(spread) == 1 + 2 * (1 + LIST_SIZE) + 1
    assert cost(inline) == 1 + LIST_SIZE


def test_a_mutation_adds_a_fixed_cost_to_what_its_payload_returns():
    query = 'mutation { orderConfirm(input: {id: "x"}) { order { id } userErrors { code } } }'

    assert cost(query) == MUTATION_COST + 1 + 1 + LIST_SIZE


def test_the_query_that_stalled_the_server_costs_far_beyond_the_maximum():
    one = (
        "orders(first: 100) { nodes { lines { allocations { quantity } } events { type } "
        "shipments { trackingEvents { status } } customer { orders(first: 100) { nodes { id } } } } }"
    )
    aliased = "{ " + " ".join(f"a{i}: {one}" for i in range(30)) + " }"

    assert cost("{ " + one + " }") > 2 * MAX_COST
    assert cost(aliased) == 30 * cost("{ " + one + " }")


def test_the_readmes_partner_and_mobile_queries_fit_under_the_maximum():
    partner = (
        "{ orders(first: 100) { pageInfo { hasNextPage endCursor } nodes { id number status externalId "
        "total { amount currencyCode } lines { sku quantity } } } }"
    )
    mobile = (
        '{ orderByNumber(number: "1001") { id lines { sku quantityShipped subtotal { amount } } '
        "shipments { carrier { name } trackingEvents { status } } events { type } } }"
    )

    assert cost(partner) < MAX_COST
    assert cost(mobile) < MAX_COST


def test_the_operation_named_is_the_one_priced():
    query = "query A { shop { id } } query B { orders(first: 3) { nodes { id } } }"

    assert cost(query, operation="A") == 1
    assert cost(query, operation="B") == 4
