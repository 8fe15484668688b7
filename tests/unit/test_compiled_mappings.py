"""The read compiler's mappings stay true to the schema: every mapped field exists on its GraphQL type
with the type the mapping produces, and enum columns can go out as they are stored (the GraphQL name of
each value is the stored value). And which pages of orders plan: either way, but not with `first` and
`last` in one document."""

from __future__ import annotations

import pytest
from graphql import GraphQLEnumType, get_named_type, parse

from resolvers.compiled.mappings import MAPPINGS, MoneyOf
from resolvers.compiled.planner import plan
from resolvers.compiled.roots import IN_PYTHON, ROOTS
from schema.schema import schema

GRAPH = schema._schema


def test_every_mapped_field_is_a_field_of_its_type_and_money_is_money():
    for mapping in MAPPINGS:
        graph_type = GRAPH.get_type(mapping.name)
        for name, spec in mapping.fields.items():
            field = graph_type.fields.get(name)  # type: ignore[union-attr]
            assert field is not None, f"{mapping.name}.{name}"
            if isinstance(spec, MoneyOf):
                assert get_named_type(field.type).name == "Money", f"{mapping.name}.{name}"
    assert set(ROOTS) <= set(GRAPH.query_type.fields)  # type: ignore[union-attr]


def test_every_field_of_a_compiled_type_is_mapped_or_marked_as_answered_in_python():
    for mapping in MAPPINGS:
        fields = set(GRAPH.get_type(mapping.name).fields)  # type: ignore[union-attr]
        unaccounted = fields - set(mapping.fields) - mapping.python
        assert not unaccounted, f"{mapping.name}: map these in SQL or mark them python: {unaccounted}"
        assert not set(mapping.fields) & mapping.python, mapping.name
        assert mapping.python <= fields, f"{mapping.name}: marks fields it does not have"
    roots = set(GRAPH.query_type.fields)  # type: ignore[union-attr]
    assert roots == set(ROOTS) | IN_PYTHON, roots ^ (set(ROOTS) | IN_PYTHON)
    assert not set(ROOTS) & IN_PYTHON


def test_enum_columns_hold_the_graphql_names_of_their_values():
    checked = 0
    for mapping in MAPPINGS:
        graph_type = GRAPH.get_type(mapping.name)
        for name in mapping.fields:
            named = get_named_type(graph_type.fields[name].type)  # type: ignore[union-attr]
            if isinstance(named, GraphQLEnumType):
                # strawberry answers a stored value with the name of its member: the two must agree
                assert all(value.value == key for key, value in named.values.items()), named.name
                checked += 1
    assert checked >= 6  # status, paymentStatus, fulfillmentStatus, returnStatus, channel, ... tier


def _plan(document: str):
    return plan(parse(document), None, ROOTS)


def test_pages_of_orders_plan_either_way_and_not_with_first_and_last_both_written_in():
    for planned in (
        "{ orders(last: 2) { nodes { id } } }",
        "query($l: Int, $b: String) { orders(last: $l, before: $b, sortKey: TOTAL) { nodes { id } } }",
        "query($a: String, $b: String) { orders(first: 2, after: $a, before: $b) { nodes { id } } }",
        "{ orders(first: null, last: 2, before: null) { pageInfo { hasNextPage } } }",
        # planned both ways, each request runs the way its values say (tests/api/test_compiled_turns.py)
        "query($f: Int, $l: Int) { orders(first: $f, last: $l) { nodes { id } } }",
    ):
        assert _plan(planned) is not None, planned
    for refused in (
        "{ orders(first: 2, last: 2) { nodes { id } } }",  # the general path's error to give
    ):
        assert _plan(refused) is None, refused


def test_last_null_walks_forwards_so_the_backward_plan_leaves_that_request_to_strawberry():
    found = _plan("query($l: Int) { orders(last: $l) { nodes { id } } }")
    assert found is not None
    assert found.params("tenant", {"l": 2})[1:] == [2]
    with pytest.raises(ValueError):
        found.params("tenant", {"l": None})
    with pytest.raises(ValueError):  # beyond the largest page: the general path's coded error
        found.params("tenant", {"l": 101})


def test_an_operation_that_reads_nothing_is_left_to_strawberry():
    # `{ __typename }` (a common liveness probe) has no statement to send: planned, it bound a tenant
    # parameter the statement does not have, and each request failed once before falling back.
    assert _plan("{ __typename }") is None
    assert _plan("query Probe { kind: __typename }") is None
    assert _plan('{ __typename orderByNumber(number: "#1001") { id } }') is not None
